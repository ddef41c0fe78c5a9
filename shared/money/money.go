// Package money renders and checks amounts held in minor units (cents) with
// an ISO 4217 currency, the way every bizmcp backend sends them.
package money

import (
	"fmt"
	"strings"
)

// zeroDecimal lists currencies without minor units.
var zeroDecimal = map[string]bool{"JPY": true, "KRW": true, "VND": true, "CLP": true, "ISK": true}

// Digits returns how many minor-unit digits currency has (2 for most, 0 for JPY...).
func Digits(currency string) int {
	if zeroDecimal[strings.ToUpper(currency)] {
		return 0
	}
	return 2
}

// Format renders minor units with their currency: "USD 1,234.56",
// "JPY 120,000", "EUR -5.00". An empty currency gives "".
func Format(amountMinor int64, currency string) string {
	if currency == "" {
		return ""
	}
	neg := amountMinor < 0
	a := amountMinor
	if neg {
		a = -a
	}
	digits := Digits(currency)
	whole, frac := a, int64(0)
	if digits == 2 {
		whole, frac = a/100, a%100
	}
	ws := fmt.Sprint(whole)
	var b strings.Builder
	b.WriteString(currency)
	b.WriteByte(' ')
	if neg {
		b.WriteByte('-')
	}
	for i, r := range ws {
		if i > 0 && (len(ws)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if digits == 2 {
		fmt.Fprintf(&b, ".%02d", frac)
	}
	return b.String()
}

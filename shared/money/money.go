// Package money renders and checks amounts held in minor units (cents) with
// an ISO 4217 currency, the way every bizmcp backend sends them.
package money

import (
	"errors"
	"fmt"
	"strconv"
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

// The ways ParseMinor fails; callers word them for their backend.
var (
	ErrNotDecimal = errors.New("not a decimal number")
	ErrTooPrecise = errors.New("more decimals than the currency has")
	ErrRange      = errors.New("out of range")
)

// ParseMinor converts a decimal amount ("12.5", "-3.00", "120") in
// currency to minor units exactly, without floating point. Digits past the
// currency's minor unit are accepted only when they are zeros.
func ParseMinor(amount, currency string) (int64, error) {
	s := amount
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || !allDigits(frac) {
		return 0, ErrNotDecimal
	}
	digits := Digits(currency)
	if len(frac) > digits {
		if strings.Trim(frac[digits:], "0") != "" {
			return 0, ErrTooPrecise
		}
		frac = frac[:digits]
	}
	frac += strings.Repeat("0", digits-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, ErrRange
	}
	if neg {
		n = -n
	}
	return n, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

package easypost

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/money"
)

// MinorUnits converts an EasyPost money string ("7.58", "5.93000", "120")
// in currency to minor units exactly, without floating point. Digits past
// the currency's minor unit must be zeros.
func MinorUnits(amount, currency string) (int64, error) {
	if amount == "" || len(amount) > 32 {
		return 0, fmt.Errorf("amount %q %s is not a decimal amount", amount, currency)
	}
	n, err := money.ParseMinor(amount, currency)
	switch {
	case errors.Is(err, money.ErrTooPrecise):
		return 0, fmt.Errorf("amount %q %s has more decimals than %s has minor units", amount, currency, currency)
	case err != nil:
		return 0, fmt.Errorf("amount %q %s is not a decimal amount", amount, currency)
	}
	return n, nil
}

// carrierCode maps EasyPost's carrier names ("USPS", "UPSDAP", "FedExDefault",
// "DHLExpress", "DhlEcs") to the tools' codes (usps, ups, fedex, dhl); other
// carriers keep their name in lower case.
func carrierCode(name string) string {
	l := strings.ToLower(name)
	for _, c := range shipping.Carriers {
		if strings.HasPrefix(l, c) {
			return c
		}
	}
	return l
}

// trackerCarrier is the EasyPost carrier name for a tool carrier code.
var trackerCarrier = map[string]string{"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHLExpress"}

// serviceName makes EasyPost's service code readable: "GroundAdvantage" ->
// "Ground Advantage", "NEXT_DAY_AIR" -> "Next Day Air".
func serviceName(s string) string {
	if strings.ContainsAny(s, "_") || strings.ToUpper(s) == s {
		words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == '_' || r == ' ' })
		for i, w := range words {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
		return strings.Join(words, " ")
	}
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// carrierTitle is a carrier code as people write it.
func carrierTitle(code, name string) string {
	switch code {
	case "usps", "ups", "dhl":
		return strings.ToUpper(code)
	case "fedex":
		return "FedEx"
	}
	return name
}

// Label ids: the tools' label_id is lbl_<hex> for EasyPost shipment shp_<hex>.
func labelID(shipmentID string) string {
	if h, ok := strings.CutPrefix(shipmentID, "shp_"); ok {
		return "lbl_" + h
	}
	return shipmentID
}

func shipmentID(labelID string) (string, bool) {
	h, ok := strings.CutPrefix(labelID, "lbl_")
	return "shp_" + h, ok && h != ""
}

// date returns the YYYY-MM-DD of an EasyPost timestamp ("" stays "").
func date(ts string) string {
	if len(ts) >= 10 && ts[4] == '-' && ts[7] == '-' {
		return ts[:10]
	}
	return ""
}

func epAddressOf(a shipping.Address) epAddress {
	return epAddress{Name: a.Name, Company: a.Company, Street1: a.Line1, Street2: a.Line2, City: a.City, State: a.State, Zip: a.PostalCode, Country: a.Country, Phone: a.Phone}
}

func (a epAddress) domain() shipping.Address {
	return shipping.Address{Name: a.Name, Company: a.Company, Line1: a.Street1, Line2: a.Street2, City: a.City, State: a.State, PostalCode: a.Zip, Country: a.Country, Phone: a.Phone}
}

// fieldName maps EasyPost's field names to the tools' ("street1" ->
// "line1", "shipment.to_address.zip" -> "to.postal_code").
func fieldName(f string) string {
	f = strings.TrimPrefix(f, "shipment.")
	f = strings.NewReplacer("to_address.", "to.", "from_address.", "from.").Replace(f)
	head, last := "", f
	if i := strings.LastIndexByte(f, '.'); i >= 0 {
		head, last = f[:i+1], f[i+1:]
	}
	switch last {
	case "street1":
		last = "line1"
	case "street2":
		last = "line2"
	case "zip":
		last = "postal_code"
	}
	return head + last
}

// parcelOf converts grams and millimetres to EasyPost's ounces and inches,
// rounded up to a tenth.
func parcelOf(p shipping.Parcel) epParcel {
	up := func(v float64) float64 { return math.Ceil(v*10-1e-9) / 10 }
	return epParcel{
		Weight: up(float64(p.WeightGrams) / 28.349523125),
		Length: up(float64(p.LengthMM) / 25.4), Width: up(float64(p.WidthMM) / 25.4), Height: up(float64(p.HeightMM) / 25.4),
	}
}

// rate converts one EasyPost rate.
func (r epRate) domain() (shipping.Rate, error) {
	amount, err := MinorUnits(r.Rate, r.Currency)
	if err != nil {
		return shipping.Rate{}, err
	}
	code := carrierCode(r.Carrier)
	out := shipping.Rate{
		ID: r.ID, QuoteID: r.ShipmentID, Carrier: code, Service: strings.ToLower(r.Service),
		ServiceName:       carrierTitle(code, r.Carrier) + " " + serviceName(r.Service),
		Amount:            shipping.Money{AmountMinor: amount, Currency: strings.ToUpper(r.Currency)},
		EstimatedDelivery: date(r.DeliveryDate), Guaranteed: r.DeliveryDateGuaranteed, Status: "available",
	}
	switch {
	case r.DeliveryDays != nil:
		out.TransitDays = *r.DeliveryDays
	case r.EstDeliveryDays != nil:
		out.TransitDays = *r.EstDeliveryDays
	}
	return out, nil
}

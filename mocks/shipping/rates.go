package shipping

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// service is one carrier service level and its price card. Prices are in
// US cents and converted for other origin currencies (see currencyOf).
type service struct {
	carrier, code, name, intlName string
	base, perKg                   int64 // cents
	// domestic transit days: fixed, or zone-based (days = 1 + zone/2 + extra) when 0
	domDays, domExtra int
	intlDays          int // 0: not offered internationally
	domestic          string
	maxGrams          int
	guaranteed        bool
}

// Domestic availability.
const (
	domAll   = "all"  // every country the carrier serves
	domUS    = "us"   // US domestic only
	domNonUS = "nous" // domestic outside the US only
	domNone  = ""     // international only
)

var services = []service{
	{carrier: "fedex", code: "ground", name: "FedEx Ground", base: 890, perKg: 110, domExtra: 0, domestic: domAll, maxGrams: 68000},
	{carrier: "fedex", code: "2day", name: "FedEx 2Day", base: 1950, perKg: 260, domDays: 2, domestic: domUS, maxGrams: 68000, guaranteed: true},
	{carrier: "fedex", code: "express", name: "FedEx Express Saver", intlName: "FedEx International Priority", base: 2790, perKg: 390, domDays: 3, intlDays: 3, domestic: domAll, maxGrams: 68000, guaranteed: true},
	{carrier: "fedex", code: "overnight", name: "FedEx Standard Overnight", intlName: "FedEx International First", base: 4800, perKg: 550, domDays: 1, intlDays: 2, domestic: domAll, maxGrams: 68000, guaranteed: true},
	{carrier: "ups", code: "ground", name: "UPS Ground", intlName: "", base: 840, perKg: 105, domestic: domAll, maxGrams: 70000},
	{carrier: "ups", code: "2day", name: "UPS 2nd Day Air", base: 1890, perKg: 250, domDays: 2, domestic: domUS, maxGrams: 70000, guaranteed: true},
	{carrier: "ups", code: "economy", name: "UPS SurePost", intlName: "UPS Worldwide Economy", base: 690, perKg: 95, domExtra: 2, intlDays: 8, domestic: domUS, maxGrams: 30000},
	{carrier: "ups", code: "express", name: "UPS Next Day Air", intlName: "UPS Worldwide Express", base: 4500, perKg: 520, domDays: 1, intlDays: 3, domestic: domAll, maxGrams: 70000, guaranteed: true},
	{carrier: "dhl", code: "express", name: "DHL Express Domestic", intlName: "DHL Express Worldwide", base: 3100, perKg: 420, domDays: 1, intlDays: 3, domestic: domNonUS, maxGrams: 70000, guaranteed: true},
	{carrier: "dhl", code: "economy", name: "DHL Parcel", intlName: "DHL Economy Select", base: 990, perKg: 140, domDays: 3, intlDays: 6, domestic: domNonUS, maxGrams: 31500},
	{carrier: "usps", code: "ground", name: "USPS Ground Advantage", base: 540, perKg: 85, domExtra: 1, domestic: domUS, maxGrams: 31750},
	{carrier: "usps", code: "priority", name: "USPS Priority Mail", intlName: "USPS Priority Mail International", base: 980, perKg: 140, domDays: 3, intlDays: 8, domestic: domUS, maxGrams: 31750},
	{carrier: "usps", code: "express", name: "USPS Priority Mail Express", intlName: "USPS Priority Mail Express International", base: 2900, perKg: 300, domDays: 1, intlDays: 4, domestic: domUS, maxGrams: 31750, guaranteed: true},
}

// serviceName returns the display name of carrier/code for a route.
func serviceName(carrier, code string, international bool) string {
	for _, s := range services {
		if s.carrier == carrier && s.code == code {
			if international && s.intlName != "" {
				return s.intlName
			}
			return s.name
		}
	}
	return CarrierNames[carrier] + " " + code
}

// Limits of one parcel.
const (
	MaxParcelGrams = 70000
	MaxParcelSide  = 2740 // mm (108 in)
)

// currencyOf is the account's billing currency for shipments from cc, and
// its units per US dollar (approximate, fixed for determinism).
func currencyOf(cc string) (string, float64) {
	switch cc {
	case "US":
		return "USD", 1
	case "CA":
		return "CAD", 1.35
	case "GB":
		return "GBP", 0.79
	case "DE", "FR", "ES", "IT", "NL", "AT", "BE", "IE", "FI", "PT":
		return "EUR", 0.92
	case "CH":
		return "CHF", 0.88
	case "JP":
		return "JPY", 150
	case "AU":
		return "AUD", 1.52
	}
	return "USD", 1
}

// zone returns the price zone 1..8 between two addresses.
func zone(from, to Address) int {
	if from.Country == to.Country {
		if from.Country == "US" && len(from.PostalCode) > 0 && len(to.PostalCode) > 0 {
			d := int(from.PostalCode[0]) - int(to.PostalCode[0])
			if d < 0 {
				d = -d
			}
			return min(2+d, 8)
		}
		if from.PostalCode != "" && to.PostalCode != "" && from.PostalCode[0] == to.PostalCode[0] {
			return 2
		}
		return 3
	}
	fr, tr := CountryRegion(from.Country), CountryRegion(to.Country)
	switch {
	case fr == tr:
		return 5
	case fr == "apac" || tr == "apac":
		return 8
	}
	return 7
}

// billableGrams is the larger of actual and dimensional weight
// (L×W×H in cm / 5000 kg), rounded up to the next 100 g.
func billableGrams(p Parcel) int {
	dim := int(int64(p.LengthMM) * int64(p.WidthMM) * int64(p.HeightMM) / 5000) // mm³/5000 = grams
	b := max(p.WeightGrams, dim)
	return (b + 99) / 100 * 100
}

// ValidateParcel checks a parcel's weight and dimensions.
func ValidateParcel(p Parcel) []FieldError {
	var errs []FieldError
	add := func(field, format string, a ...any) {
		errs = append(errs, FieldError{Field: "parcel." + field, Code: "out_of_range", Message: fmt.Sprintf(format, a...)})
	}
	if p.WeightGrams <= 0 {
		add("weight_grams", "weight must be positive (grams)")
	} else if p.WeightGrams > MaxParcelGrams {
		add("weight_grams", "weight %d g exceeds the %d g parcel limit; ship as freight or split the shipment", p.WeightGrams, MaxParcelGrams)
	}
	for _, d := range []struct {
		name string
		v    int
	}{{"length_mm", p.LengthMM}, {"width_mm", p.WidthMM}, {"height_mm", p.HeightMM}} {
		if d.v <= 0 {
			add(d.name, "%s must be positive (millimetres)", d.name)
		} else if d.v > MaxParcelSide {
			add(d.name, "%s %d mm exceeds the %d mm parcel limit", d.name, d.v, MaxParcelSide)
		}
	}
	return errs
}

// addBusinessDays returns the date n business days after t (Mon–Fri).
func addBusinessDays(t time.Time, n int) time.Time {
	d := t
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}

// shipDate is the day a parcel handed over at now leaves: today before the
// 17:00 cut-off on a weekday, else the next business day.
func shipDate(now time.Time) time.Time {
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday || now.Hour() >= 17 {
		return addBusinessDays(d, 1)
	}
	return d
}

// priceRates computes every rate the carriers offer for one shipment, in
// the store's issue order (carrier display order, then price). IDs are
// filled in by the store.
func priceRates(from, to Address, p Parcel, residential bool, carriers []string, now time.Time) ([]Rate, []FieldError) {
	intl := from.Country != to.Country
	var out []Rate
	var declined []FieldError
	for _, carrier := range Carriers {
		if len(carriers) > 0 && !slices.Contains(carriers, carrier) {
			continue
		}
		if carrier == "usps" && from.Country != "US" {
			declined = append(declined, FieldError{Field: "carrier.usps", Code: "not_served", Message: "USPS only ships from US addresses"})
			continue
		}
		offered := 0
		for _, s := range services {
			if s.carrier != carrier {
				continue
			}
			switch {
			case intl && s.intlDays == 0:
				continue
			case intl:
			case s.domestic == domNone,
				s.domestic == domUS && from.Country != "US",
				s.domestic == domNonUS && from.Country == "US":
				continue
			}
			if billableGrams(p) > s.maxGrams || p.WeightGrams > s.maxGrams {
				declined = append(declined, FieldError{Field: "service." + carrier + "." + s.code, Code: "too_heavy",
					Message: fmt.Sprintf("%s takes parcels up to %d g", serviceName(carrier, s.code, intl), s.maxGrams)})
				continue
			}
			out = append(out, priceService(s, from, to, p, residential, now))
			offered++
		}
		if offered == 0 && len(carriers) > 0 {
			declined = append(declined, FieldError{Field: "carrier." + carrier, Code: "not_served",
				Message: fmt.Sprintf("%s offers no service from %s to %s for this parcel", CarrierNames[carrier], from.Country, to.Country)})
		}
	}
	return out, declined
}

// priceService prices one service for one shipment from its rate card
// (whether or not the carrier offers it on that route).
func priceService(s service, from, to Address, p Parcel, residential bool, now time.Time) Rate {
	intl := from.Country != to.Country
	z := zone(from, to)
	bill := billableGrams(p)
	cur, perUSD := currencyOf(from.Country)
	conv := func(cents int64) int64 {
		if cur == "JPY" {
			return int64(float64(cents)/100*perUSD + 0.5)
		}
		return int64(float64(cents)*perUSD + 0.5)
	}
	days := s.domDays
	if intl {
		days = s.intlDays
		if days == 0 { // priced for a sample label off the route card
			days = 5
		}
	} else if days == 0 {
		days = 1 + z/2 + s.domExtra
	}
	ship := shipDate(now)
	// cents: base + per-kg × billable kg × zone factor
	weightPart := s.perKg * int64(bill) / 1000 * int64(100+14*(z-1)) / 100
	base := conv(s.base + weightPart)
	r := Rate{
		Carrier: s.carrier, Service: s.code, ServiceName: serviceName(s.carrier, s.code, intl),
		BaseAmount: Money{AmountMinor: base, Currency: cur}, Surcharges: []Surcharge{},
		TransitDays: days, ShipDate: ship.Format(time.DateOnly),
		EstimatedDelivery: addBusinessDays(ship, days).Format(time.DateOnly),
		BillableGrams:     bill, Zone: z, International: intl, Guaranteed: s.guaranteed,
		Status: "available",
	}
	total := base
	add := func(typ string, cents int64) {
		amt := conv(cents)
		r.Surcharges = append(r.Surcharges, Surcharge{Type: typ, Amount: Money{AmountMinor: amt, Currency: cur}})
		total += amt
	}
	add("fuel", (s.base+weightPart)*14/100)
	if residential && s.carrier != "usps" {
		add("residential", 495)
	}
	if maxSide(p) > 1200 {
		add("oversize", 2500)
	}
	if intl {
		add("international_handling", 350)
	}
	r.Amount = Money{AmountMinor: total, Currency: cur}
	return r
}

// serviceCard returns the rate card of carrier/code (ok=false if unknown).
func serviceCard(carrier, code string) (service, bool) {
	for _, s := range services {
		if s.carrier == carrier && s.code == code {
			return s, true
		}
	}
	return service{}, false
}

func maxSide(p Parcel) int { return max(p.LengthMM, p.WidthMM, p.HeightMM) }

// DefaultOrigin is the account's ship-from address (the company warehouse),
// used when a rate request has no "from".
var DefaultOrigin = Address{
	Name: "Shipping Dept.", Company: "Northwind Supply Co.", Line1: "4950 Energy Way", Line2: "Dock 3",
	City: "Reno", State: "NV", PostalCode: "89502", Country: "US", Phone: "+1 775-555-0142",
}

// normCarriers lower-cases and checks a carrier filter.
func normCarriers(cs []string) ([]string, error) {
	var out []string
	for _, c := range cs {
		c = strings.ToLower(strings.TrimSpace(c))
		if !slices.Contains(Carriers, c) {
			return nil, fmt.Errorf("unknown carrier %q (carriers: %s)", c, strings.Join(Carriers, ", "))
		}
		out = append(out, c)
	}
	return out, nil
}

package shipping

import (
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks/world"
)

func TestValidateAddressNormalizes(t *testing.T) {
	for _, tc := range []struct {
		in   Address
		want Address
	}{
		{Address{Name: "Ada", Line1: "  9450  Wilshire Blvd ", City: "beverly hills", State: "california", PostalCode: "902101234", Country: "us"},
			Address{Name: "Ada", Line1: "9450 Wilshire Blvd", City: "Beverly Hills", State: "CA", PostalCode: "90210-1234", Country: "US"}},
		{Address{Name: "Bo", Line1: "10 Downing Street", City: "LONDON", PostalCode: "sw1a1aa", Country: "GB"},
			Address{Name: "Bo", Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 1AA", Country: "GB"}},
		{Address{Name: "Cy", Line1: "Marienplatz 8", City: "Muenchen", PostalCode: "80331", Country: "DE"},
			Address{Name: "Cy", Line1: "Marienplatz 8", City: "München", PostalCode: "80331", Country: "DE"}},
		{Address{Name: "Di", Line1: "1 King St W", City: "Toronto", State: "on", PostalCode: "m5v3l9", Country: "CA"},
			Address{Name: "Di", Line1: "1 King St W", City: "Toronto", State: "ON", PostalCode: "M5V 3L9", Country: "CA"}},
		{Address{Name: "Ed", Line1: "Office 4, Sheikh Zayed Road", City: "Dubai", PostalCode: "00000", Country: "AE"},
			Address{Name: "Ed", Line1: "Office 4, Sheikh Zayed Road", City: "Dubai", Country: "AE"}},
		{Address{Name: "Fu", Line1: "丸の内1-4-1", City: "Tokyo", PostalCode: "1000005", Country: "JP"},
			Address{Name: "Fu", Line1: "丸の内1-4-1", City: "Tokyo", PostalCode: "100-0005", Country: "JP"}},
	} {
		v := ValidateAddress(tc.in, "")
		if !v.Valid || v.Address != tc.want {
			t.Errorf("%+v:\n got %+v %+v\nwant %+v", tc.in, v.Address, v.Errors, tc.want)
		}
		if len(v.Changes) == 0 {
			t.Errorf("%+v: no changes reported", tc.in)
		}
	}
	if v := ValidateAddress(Address{Company: "Acme", Line1: "1 Main St", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"}, ""); !v.Valid || v.Residential {
		t.Errorf("business address: %+v", v)
	}
}

func TestValidateAddressErrors(t *testing.T) {
	us := func(city, state, zip string) Address {
		return Address{Name: "X", Line1: "1 Main St", City: city, State: state, PostalCode: zip, Country: "US"}
	}
	for _, tc := range []struct {
		in                Address
		field, suggestion string
		msg               string
	}{
		{us("Beverly Hills", "CA", "9021"), "postal_code", "90210", "postal_code '9021' is not a US ZIP code; did you mean 90210?"},
		{us("Boston", "MA", "2108"), "postal_code", "02108", "did you mean 02108?"},
		{us("Hoboken", "NJ", "7030"), "postal_code", "07030", "did you mean 07030?"},
		{us("Nowhere", "TX", "ABCDE"), "postal_code", "", "expected 5 digits"},
		{us("Los Angeles", "CA", "90210"), "city", "Beverly Hills", "does not match postal code 90210"},
		{us("Beverly Hills", "NY", "90210"), "state", "CA", "which is in Beverly Hills, CA"},
		{us("Springfield", "CA", "10002"), "postal_code", "", "ZIP codes starting with 1 are in DE, NY, PA"},
		{us("Beverly Hills", "", "90210"), "state", "CA", "state is required"},
		{us("Austin", "XX", "78701"), "state", "TX", "not a United States state code"},
		{us("", "CA", "90210"), "city", "Beverly Hills", "city is required"},
		{us("Beverly Hills", "CA", ""), "postal_code", "90210", "postal_code is required"},
		{Address{Line1: "Karl-Liebknecht-Str. 1", City: "Leipzig", PostalCode: "4109", Country: "DE"}, "postal_code", "04109", "German postal code (PLZ)"},
		{Address{Line1: "Marienplatz 8", City: "Berlin", PostalCode: "80331", Country: "DE"}, "city", "München", "does not match"},
		{Address{Line1: "10 Downing St", City: "London", PostalCode: "SW1A", Country: "GB"}, "postal_code", "SW1A 1AA", "not a UK postcode"},
		{Address{Line1: "1 King St", City: "Toronto", State: "BC", PostalCode: "M5V 1A1", Country: "CA"}, "postal_code", "", "not in BC"},
		{Address{Line1: "1 Main St", City: "Austin", State: "TX", PostalCode: "78701", Country: "USA"}, "country", "US", "did you mean US?"},
		{Address{Line1: "1 Main St", City: "X", Country: "ZZ"}, "country", "", "ISO 3166-1"},
		{Address{Line1: "", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"}, "line1", "", "line1 is required"},
		{Address{Line1: strings.Repeat("Long Street Name ", 3), City: "Austin", State: "TX", PostalCode: "78701", Country: "US"}, "line1", "", "at most 35"},
	} {
		v := ValidateAddress(tc.in, "to.")
		if v.Valid {
			t.Errorf("%+v: valid", tc.in)
			continue
		}
		found := false
		for _, e := range v.Errors {
			if e.Field == "to."+tc.field {
				found = true
				if e.Suggestion != tc.suggestion || !strings.Contains(e.Message, tc.msg) {
					t.Errorf("%+v: %s error %q (suggestion %q), want %q (suggestion %q)", tc.in, tc.field, e.Message, e.Suggestion, tc.msg, tc.suggestion)
				}
			}
		}
		if !found {
			t.Errorf("%+v: no error on %s: %+v", tc.in, tc.field, v.Errors)
		}
		if v.Address != tc.in {
			t.Errorf("%+v: invalid address returned changed: %+v", tc.in, v.Address)
		}
	}
}

func TestRatesAreDeterministicAndPlausible(t *testing.T) {
	to := Address{Name: "X", Line1: "1 Main St", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"}
	p := Parcel{WeightGrams: 2000, LengthMM: 300, WidthMM: 200, HeightMM: 100}
	a, _ := priceRates(DefaultOrigin, to, p, true, nil, world.Now)
	b, _ := priceRates(DefaultOrigin, to, p, true, nil, world.Now)
	if len(a) < 6 || len(a) > 12 || len(a) != len(b) {
		t.Fatalf("%d rates", len(a))
	}
	for i := range a {
		if a[i].Amount != b[i].Amount || a[i].EstimatedDelivery != b[i].EstimatedDelivery {
			t.Errorf("rate %d differs between runs", i)
		}
	}
	// Heavier and farther costs more.
	heavy, _ := priceRates(DefaultOrigin, to, Parcel{WeightGrams: 20000, LengthMM: 300, WidthMM: 200, HeightMM: 100}, true, nil, world.Now)
	boston := to
	boston.City, boston.State, boston.PostalCode = "Boston", "MA", "02108"
	far, _ := priceRates(DefaultOrigin, boston, p, true, nil, world.Now)
	for i := range a {
		if heavy[i].Amount.AmountMinor <= a[i].Amount.AmountMinor || far[i].Amount.AmountMinor < a[i].Amount.AmountMinor {
			t.Errorf("%s %s: %d (2 kg), %d (20 kg), %d (Boston)", a[i].Carrier, a[i].Service, a[i].Amount.AmountMinor, heavy[i].Amount.AmountMinor, far[i].Amount.AmountMinor)
		}
	}
	// Dimensional weight: a big light box bills by volume.
	if g := billableGrams(Parcel{WeightGrams: 500, LengthMM: 600, WidthMM: 400, HeightMM: 400}); g != 19200 {
		t.Errorf("billable grams %d, want 19200", g)
	}
	// International from the US, and domestic in Germany.
	intl, _ := priceRates(DefaultOrigin, Address{Name: "X", Line1: "a 1", City: "Berlin", PostalCode: "10115", Country: "DE"}, p, true, nil, world.Now)
	de := Address{Name: "X", Line1: "a 1", City: "München", PostalCode: "80331", Country: "DE"}
	dom, declined := priceRates(Address{Line1: "b 2", City: "Berlin", PostalCode: "10115", Country: "DE"}, de, p, true, []string{"dhl", "ups", "fedex", "usps"}, world.Now)
	if len(intl) < 6 || len(dom) < 6 || dom[0].Amount.Currency != "EUR" || len(declined) == 0 {
		t.Errorf("international %d rates, German domestic %d (%+v), declined %+v", len(intl), len(dom), dom, declined)
	}
}

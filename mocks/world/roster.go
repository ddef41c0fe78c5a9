package world

import "strings"

//go:generate go run ./internal/genroster

// Customer is what the other domains' sample data know of a CRM sample
// customer: who it is, where, in which language, and its addresses. The CRM
// mock holds the full records; this roster is generated from them
// (`go generate ./mocks/world`, checked by a test in mocks/crm), so that the
// orders, email and shipping mocks, and the servers' --demo backends built
// on them, do not link the CRM mock.
type Customer struct {
	ID, Name, Company, Email, Phone, Region, Owner string
	Language                                       string // "de-DE"
	Currency                                       string // preferred currency, "EUR"
	Payment                                        Payment
	Role                                           string // the main contact's role
	Addresses                                      []Address
}

// Payment is the customer's payment method on file.
type Payment struct{ Type, Brand, Last4 string }

// Address is a customer address.
type Address struct {
	Type, Line1, Line2, City, Region, PostalCode, Country string
}

// Customers returns the sample customers, ordered by id (a copy).
func Customers() []Customer {
	out := make([]Customer, len(roster))
	for i, c := range roster {
		c.Addresses = append([]Address(nil), c.Addresses...)
		out[i] = c
	}
	return out
}

// TagEncode hides ASCII text in invisible Unicode tag characters
// (U+E0020..U+E007E), wrapped in LANGUAGE TAG / CANCEL TAG.
func TagEncode(s string) string {
	var b strings.Builder
	b.WriteRune(0xE0001)
	for _, c := range s {
		if c >= 0x20 && c <= 0x7E {
			b.WriteRune(0xE0000 + c)
		}
	}
	b.WriteRune(0xE007F)
	return b.String()
}

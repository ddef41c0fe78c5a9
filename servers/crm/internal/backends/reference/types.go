package reference

import (
	"slices"

	"github.com/bizmcp/bizmcp/shared/jsonguard"
	"github.com/segmentio/encoding/json"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
)

// The reference CRM API's JSON (mocks/README.md), converted to the port's
// domain types by domain().

type customer struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Company       string    `json:"company"`
	Email         string    `json:"email"`
	Phone         string    `json:"phone"`
	Region        string    `json:"region"`
	Tier          string    `json:"tier"`
	Status        string    `json:"status"`
	Owner         string    `json:"owner"`
	UpdatedAt     string    `json:"updated_at"`
	Version       int       `json:"version"`
	LifetimeValue money     `json:"lifetime_value"`
	Addresses     []address `json:"addresses"`
	Tags          []string  `json:"tags"`
	// The long lists are read only when the View asks for them, else
	// counted (see part).
	CustomFields part[map[string]string] `json:"custom_fields"`
	Contacts     part[[]contact]         `json:"contacts"`
	Notes        part[[]note]            `json:"notes"`    // oldest first
	Activity     part[[]activity]        `json:"activity"` // oldest first
	// created_at, preferences, billing and audit are not read: no tool
	// shows them.
}

// skipUnwanted marks the lists v does not ask for to be counted, not
// decoded: on the largest record they are most of the bytes.
func (c *customer) skipUnwanted(v crm.View) {
	c.CustomFields.skip = !v.Wants(crm.FieldCustomFields)
	c.Contacts.skip = !v.Wants(crm.FieldContacts)
	c.Notes.skip = v.Notes == 0
	c.Activity.skip = !v.Wants(crm.FieldRecentActivity)
}

// part is a JSON array or object decoded into v, or, with skip set before
// decoding, only counted into n.
type part[T any] struct {
	skip bool
	v    T
	n    int
}

func (p *part[T]) UnmarshalJSON(b []byte) error {
	if !p.skip {
		return json.Unmarshal(b, &p.v)
	}
	n, err := jsonguard.Members(b)
	p.n = n
	return err
}

type money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

type address struct {
	Type       string `json:"type"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

type contact struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

type note struct {
	ID        string `json:"id"`
	Author    string `json:"author"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

type activity struct {
	Type    string `json:"type"`
	At      string `json:"at"`
	Summary string `json:"summary"`
}

type searchResult struct {
	Customers []customer `json:"customers"`
	Total     int        `json:"total"`
}

func (c *customer) domain() crm.Customer {
	d := crm.Customer{
		ID: c.ID, Name: c.Name, Company: c.Company, Email: c.Email, Phone: c.Phone,
		Region: c.Region, Tier: c.Tier, Status: c.Status, Owner: c.Owner,
		UpdatedAt: c.UpdatedAt, Version: c.Version,
		LifetimeValue: crm.Money{AmountMinor: c.LifetimeValue.AmountMinor, Currency: c.LifetimeValue.Currency},
		Tags:          c.Tags, CustomFields: c.CustomFields.v, CustomFieldsTotal: c.CustomFields.n,
		ContactsTotal: c.Contacts.n, ActivityTotal: c.Activity.n, NotesTotal: max(c.Notes.n, len(c.Notes.v)),
	}
	for _, a := range c.Addresses {
		d.Addresses = append(d.Addresses, crm.Address(a))
	}
	for _, p := range c.Contacts.v {
		d.Contacts = append(d.Contacts, crm.Contact(p))
	}
	for _, n := range slices.Backward(c.Notes.v) {
		d.Notes = append(d.Notes, crm.Note(n))
	}
	for _, a := range slices.Backward(c.Activity.v) {
		d.Activity = append(d.Activity, crm.Activity(a))
	}
	return d
}

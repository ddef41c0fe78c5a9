package reference

import (
	"slices"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
)

// The reference CRM API's JSON (mocks/README.md), converted to the port's
// domain types by domain().

type customer struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Company       string            `json:"company"`
	Email         string            `json:"email"`
	Phone         string            `json:"phone"`
	Region        string            `json:"region"`
	Tier          string            `json:"tier"`
	Status        string            `json:"status"`
	Owner         string            `json:"owner"`
	UpdatedAt     string            `json:"updated_at"`
	Version       int               `json:"version"`
	LifetimeValue money             `json:"lifetime_value"`
	Addresses     []address         `json:"addresses"`
	Tags          []string          `json:"tags"`
	CustomFields  map[string]string `json:"custom_fields"`
	Contacts      []contact         `json:"contacts"`
	Notes         []note            `json:"notes"`    // oldest first
	Activity      []activity        `json:"activity"` // oldest first
	// created_at, preferences, billing and audit are not read: no tool
	// shows them.
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
		Tags:          c.Tags, CustomFields: c.CustomFields, NotesTotal: len(c.Notes),
	}
	for _, a := range c.Addresses {
		d.Addresses = append(d.Addresses, crm.Address(a))
	}
	for _, p := range c.Contacts {
		d.Contacts = append(d.Contacts, crm.Contact(p))
	}
	for _, n := range slices.Backward(c.Notes) {
		d.Notes = append(d.Notes, crm.Note(n))
	}
	for _, a := range slices.Backward(c.Activity) {
		d.Activity = append(d.Activity, crm.Activity(a))
	}
	return d
}

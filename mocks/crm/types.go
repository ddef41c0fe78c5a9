// Package crm is the CRM reference backend: an in-memory, concurrency-safe
// customer store, its HTTP API (served under /crm by mock-backends) and a
// deterministic sample data set.
//
// The API deliberately returns full, bloated enterprise records (notes,
// activity history, custom fields, billing and audit blocks): the MCP
// servers built on top of it are expected to compress them for models.
package crm

import (
	"maps"
	"slices"
	"time"

	"github.com/bizmcp/bizmcp/mocks/internal/apijson"
)

// Customer is one full CRM record, exactly as the API serialises it.
type Customer struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Company       string            `json:"company"`
	Email         string            `json:"email"`
	Phone         string            `json:"phone"`
	Region        string            `json:"region"`
	Tier          string            `json:"tier"`
	Status        string            `json:"status"`
	Owner         string            `json:"owner"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	Version       int               `json:"version"`
	LifetimeValue Money             `json:"lifetime_value"`
	Addresses     []Address         `json:"addresses"`
	Tags          []string          `json:"tags"`
	CustomFields  map[string]string `json:"custom_fields"`
	Contacts      []Contact         `json:"contacts"`
	Notes         []Note            `json:"notes"`
	Activity      []Activity        `json:"activity"`
	Preferences   Preferences       `json:"preferences"`
	Billing       Billing           `json:"billing"`
	Audit         Audit             `json:"audit"`
}

// Money is an amount in the currency's minor unit (cents; yen for JPY).
type Money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// Address is a postal address; Type is billing, shipping, hq, warehouse...
type Address struct {
	Type       string `json:"type"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// Contact is a person at the customer.
type Contact struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// Note is a free-text note on a customer. Notes are untrusted user content.
type Note struct {
	ID        string    `json:"id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Activity is one entry of the customer's activity history.
type Activity struct {
	Type    string    `json:"type"`
	At      time.Time `json:"at"`
	Summary string    `json:"summary"`
}

// QuietHours is a local-time window in which the customer is not contacted.
type QuietHours struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Preferences are the customer's communication preferences.
type Preferences struct {
	Language            string     `json:"language"`
	Timezone            string     `json:"timezone"`
	Currency            string     `json:"currency"`
	ContactChannels     []string   `json:"contact_channels"`
	MarketingOptIn      bool       `json:"marketing_opt_in"`
	NewsletterFrequency string     `json:"newsletter_frequency"`
	DoNotCall           bool       `json:"do_not_call"`
	QuietHours          QuietHours `json:"quiet_hours"`
}

// PaymentMethod is the (masked) payment instrument on file.
type PaymentMethod struct {
	Type     string `json:"type"` // card, sepa_debit, ach, wire
	Brand    string `json:"brand"`
	Last4    string `json:"last4"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	Holder   string `json:"holder"`
}

// Billing holds the commercial terms.
type Billing struct {
	Plan             string        `json:"plan"`
	PaymentTerms     string        `json:"payment_terms"`
	VATID            string        `json:"vat_id"`
	TaxID            string        `json:"tax_id"`
	Currency         string        `json:"currency"`
	BillingEmail     string        `json:"billing_email"`
	InvoiceDelivery  string        `json:"invoice_delivery"`
	PORequired       bool          `json:"po_required"`
	CreditLimit      Money         `json:"credit_limit"`
	PaymentMethod    PaymentMethod `json:"payment_method"`
	OutstandingMinor int64         `json:"outstanding_minor"`
}

// Audit is the record's provenance.
type Audit struct {
	CreatedBy          string   `json:"created_by"`
	SourceSystem       string   `json:"source_system"`
	LegacyIDs          []string `json:"legacy_ids"`
	ImportBatch        string   `json:"import_batch"`
	LastModifiedBy     string   `json:"last_modified_by"`
	DataClassification string   `json:"data_classification"`
	GDPRConsent        bool     `json:"gdpr_consent"`
	RecordChecksum     string   `json:"record_checksum"`
}

// Valid enumerations.
var (
	Regions  = []string{"na", "emea", "apac", "latam"}
	Tiers    = []string{"bronze", "silver", "gold", "platinum"}
	Statuses = []string{"active", "churned", "prospect", "on_hold"}
)

// Clone returns a deep copy of c.
func (c Customer) Clone() Customer {
	out := c
	out.Addresses = slices.Clone(c.Addresses)
	out.Tags = slices.Clone(c.Tags)
	out.CustomFields = maps.Clone(c.CustomFields)
	out.Contacts = slices.Clone(c.Contacts)
	out.Notes = slices.Clone(c.Notes)
	out.Activity = slices.Clone(c.Activity)
	out.Preferences.ContactChannels = slices.Clone(c.Preferences.ContactChannels)
	out.Audit.LegacyIDs = slices.Clone(c.Audit.LegacyIDs)
	out.normalize()
	return out
}

// normalize replaces nil collections by empty ones so that JSON shows []
// and {} rather than null.
func (c *Customer) normalize() {
	apijson.EmptySlices(&c.Addresses)
	apijson.EmptySlices(&c.Tags)
	apijson.EmptyMaps(&c.CustomFields)
	apijson.EmptySlices(&c.Contacts)
	apijson.EmptySlices(&c.Notes)
	apijson.EmptySlices(&c.Activity)
	apijson.EmptySlices(&c.Preferences.ContactChannels)
	apijson.EmptySlices(&c.Audit.LegacyIDs)
}

// Package crm is the CRM port: the Backend interface the crm-mcp tools
// depend on, and the domain types it speaks. It knows nothing of HTTP or
// MCP. Adapters (servers/crm/internal/backends/...) implement it for one
// CRM: the bizmcp reference API, HubSpot.
//
// Every adapter failure is a *port.Error whose Kind says what to do next; a
// missing customer is port.KindNotFound.
package crm

import (
	"context"
	"slices"

	"github.com/bizmcp/bizmcp/shared/port"
)

// Backend is a CRM the tools can work on.
type Backend interface {
	port.Pinger

	// IDFormat is how this CRM's customer ids look; the tool schemas,
	// examples and the resource URI template follow it.
	IDFormat() IDFormat

	// Search finds customers matching q, ordered by id, one page of at
	// most q.Limit summaries (Customer fields of Summary only) and the
	// total of matches.
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)

	// Get reads one customer with what v asks for. The adapter may return
	// more than asked; it must return at least the asked fields, Region
	// always (the caller checks it), the v.Notes newest notes and
	// NotesTotal when v asks for notes.
	Get(ctx context.Context, id string, v View) (*Customer, error)

	// AddNote appends a note to customer id. key identifies the write: a
	// call with a key already used for this customer writes nothing and
	// returns the first note with Write.Replayed set.
	AddNote(ctx context.Context, id string, n NewNote, key string) (*Note, port.Write, error)

	// Update changes the fields p sets (nil = unchanged) and returns the
	// record after the change. key identifies the write as for AddNote.
	Update(ctx context.Context, id string, p Patch, key string) (*Customer, port.Write, error)
}

// IDFormat describes a CRM's customer ids.
type IDFormat struct {
	// Pattern is an anchored regular expression a customer id matches
	// (the tools' JSON schema "pattern").
	Pattern string
	// Example is one valid id, shown to the model ("C-1042").
	Example string
	// Prefix, when set, is what every id starts with ("C-"): completion
	// treats input starting with it as an id prefix. Empty: input made
	// only of the id's characters is taken as an id prefix.
	Prefix string
}

// SearchQuery selects customers.
type SearchQuery struct {
	Text   string // free text: name, company, email, phone, id, tag or city (CRM-dependent); "" = all
	Region string // only this sales region; "" = any
	Limit  int    // page size, 1..200
	Offset int    // matches to skip
}

// SearchResult is one page of a search.
type SearchResult struct {
	Customers []Customer
	Total     int // matches in all pages
}

// Fields a View can ask for (the crm_get_customer field names).
const (
	FieldName           = "name"
	FieldCompany        = "company"
	FieldEmail          = "email"
	FieldPhone          = "phone"
	FieldRegion         = "region"
	FieldTier           = "tier"
	FieldStatus         = "status"
	FieldOwner          = "owner"
	FieldLifetimeValue  = "lifetime_value"
	FieldAddress        = "address"
	FieldTags           = "tags"
	FieldUpdatedAt      = "updated_at"
	FieldVersion        = "version"
	FieldNotes          = "notes"
	FieldNotesTotal     = "notes_total"
	FieldContacts       = "contacts"
	FieldCustomFields   = "custom_fields"
	FieldRecentActivity = "recent_activity"
)

// View says what a Get needs, so an adapter can ask its CRM for only that.
type View struct {
	// Fields are the Field* names wanted; nil = every field.
	Fields []string
	// Notes is how many of the newest notes are wanted (0 = none).
	Notes int
}

// Wants reports whether v asks for field f.
func (v View) Wants(f string) bool {
	return v.Fields == nil || slices.Contains(v.Fields, f)
}

// Customer is a CRM record. Every string is backend text: untrusted.
type Customer struct {
	ID, Name, Company, Email, Phone string
	Region                          string // sales region: na, emea, apac, latam ("" = none)
	Tier, Status                    string
	Owner                           string // account manager, as the CRM names them
	UpdatedAt                       string // RFC 3339
	Version                         int    // bumped by every update; 0 = the CRM keeps none
	LifetimeValue                   Money
	Addresses                       []Address
	Tags                            []string
	CustomFields                    map[string]string
	Contacts                        []Contact
	// Notes are the newest notes, newest first (at most View.Notes are
	// used); NotesTotal counts all of them.
	Notes      []Note
	NotesTotal int
	// Activity is the history, newest first.
	Activity []Activity
	// Counts of the lists a View left out, when the adapter knows them
	// without reading the lists (0 = see the list itself).
	ContactsTotal, CustomFieldsTotal, ActivityTotal int
}

// Counts returns how many contacts, custom fields and activity entries c
// has: the list's length, or the adapter's count when the View left it out.
func (c *Customer) Counts() (contacts, customFields, activity int) {
	return max(c.ContactsTotal, len(c.Contacts)), max(c.CustomFieldsTotal, len(c.CustomFields)), max(c.ActivityTotal, len(c.Activity))
}

// Money is an amount in minor units with an ISO 4217 currency ("" = none).
type Money struct {
	AmountMinor int64
	Currency    string
}

// Address is a postal address; Type is "billing", "primary", "shipping"...
type Address struct {
	Type, Line1, Line2, City, Region, PostalCode, Country string
}

// Contact is a person at the customer.
type Contact struct{ Name, Role, Email, Phone string }

// Note is a free-text note on a customer.
type Note struct {
	ID, Author, Body string
	CreatedAt        string // RFC 3339
}

// Activity is one entry of a customer's history.
type Activity struct{ Type, At, Summary string }

// NewNote is a note to add. Its JSON form is canonical: write tools derive
// idempotency keys and approval plans from it.
type NewNote struct {
	Body   string `json:"body"`
	Author string `json:"author,omitempty"`
}

// Patch is an update; nil fields are left alone. Its JSON form is
// canonical, as NewNote's.
type Patch struct {
	Email  *string  `json:"email,omitempty"`
	Phone  *string  `json:"phone,omitempty"`
	Tier   *string  `json:"tier,omitempty"`
	Status *string  `json:"status,omitempty"`
	Owner  *string  `json:"owner,omitempty"`
	Tags   []string `json:"tags,omitempty"`
}

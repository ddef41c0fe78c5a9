package crmapi

// Customer is the backend's full record, as the reference CRM API sends it.
// The MCP tools never pass it to the model whole.
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
	CreatedAt     string            `json:"created_at"`
	UpdatedAt     string            `json:"updated_at"`
	Version       int               `json:"version"`
	LifetimeValue Money             `json:"lifetime_value"`
	Addresses     []Address         `json:"addresses"`
	Tags          []string          `json:"tags"`
	CustomFields  map[string]string `json:"custom_fields"`
	Contacts      []Contact         `json:"contacts"`
	Notes         []Note            `json:"notes"`
	Activity      []Activity        `json:"activity"`
	// Preferences, Billing and Audit are kept raw: no tool shows them.
	Preferences map[string]any `json:"preferences"`
	Billing     map[string]any `json:"billing"`
	Audit       map[string]any `json:"audit"`
}

// Money is an amount in minor units (cents) with an ISO 4217 currency.
type Money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// Address is a postal address.
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

// Note is a free-text note on a customer (untrusted text).
type Note struct {
	ID        string `json:"id"`
	Author    string `json:"author"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

// Activity is one entry of a customer's history.
type Activity struct {
	Type    string `json:"type"`
	At      string `json:"at"`
	Summary string `json:"summary"`
}

// SearchResult is one page of a customer search.
type SearchResult struct {
	Customers []Customer `json:"customers"`
	Total     int        `json:"total"`
	Offset    int        `json:"offset"`
	Limit     int        `json:"limit"`
}

// NewNote is the body of POST /customers/{id}/notes.
type NewNote struct {
	Body   string `json:"body"`
	Author string `json:"author,omitempty"`
}

// Patch is the body of PATCH /customers/{id}; nil fields are left alone.
type Patch struct {
	Email  *string  `json:"email,omitempty"`
	Phone  *string  `json:"phone,omitempty"`
	Tier   *string  `json:"tier,omitempty"`
	Status *string  `json:"status,omitempty"`
	Owner  *string  `json:"owner,omitempty"`
	Tags   []string `json:"tags,omitempty"`
}

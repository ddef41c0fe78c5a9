// Package shipping is the shipping reference backend: address validation,
// rate quotes across several carriers and service levels, label purchase
// and void, and tracking, the way a logistics team's multi-carrier API
// works. It is served under /shipping by mock-backends; API.md documents it.
//
// Its sample data is derived from package world: every shipped order of the
// orders sample has a label and a tracking history here, with the same
// carrier, tracking number, status, ship date and ETA. Histories are
// generated deterministically from those facts (see tracking.go), including
// one long history (world.LongHistoryOrderID) and one event whose free text
// carries a prompt-injection attempt (world.InjectedEventOrderID).
//
// The sample world is frozen at world.Now: writes (labels, voids, quotes)
// are stamped with the store's clock, which defaults to world.Now.
package shipping

import "time"

// Address is a postal address, as requests send it and as validation
// returns it normalized. Country is ISO 3166-1 alpha-2; State is the state,
// province or region code where the country has them.
type Address struct {
	Name       string `json:"name,omitempty"`
	Company    string `json:"company,omitempty"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
}

// FieldError is one problem with one address field.
type FieldError struct {
	Field      string `json:"field"`                // "postal_code", "to.city", ...
	Code       string `json:"code"`                 // "invalid_format", "mismatch", "required", "unknown"
	Message    string `json:"message"`              // one sentence naming the value and the rule
	Suggestion string `json:"suggestion,omitempty"` // a corrected value, when one is likely
}

// Validation is the answer of POST /addresses/validate.
type Validation struct {
	Valid       bool         `json:"valid"`
	Address     Address      `json:"address"`               // normalized (as sent when invalid)
	Residential bool         `json:"residential"`           // no company: priced as a residential delivery
	Errors      []FieldError `json:"errors"`                // empty when valid
	Warnings    []FieldError `json:"warnings"`              // normalizations applied, doubts
	Changes     []string     `json:"changes"`               // fields normalization changed
	Messages    []string     `json:"messages,omitempty"`    // carrier remarks
	ValidatedAt time.Time    `json:"validated_at,omitzero"` // store clock
}

// Parcel is one package. Weight in grams, dimensions in millimetres.
type Parcel struct {
	WeightGrams int `json:"weight_grams"`
	LengthMM    int `json:"length_mm"`
	WidthMM     int `json:"width_mm"`
	HeightMM    int `json:"height_mm"`
}

// RateRequest is the body of POST /rates. From defaults to the account's
// ship-from address (DefaultOrigin); Carriers filters (empty = all).
type RateRequest struct {
	From     *Address `json:"from,omitempty"`
	To       Address  `json:"to"`
	Parcel   Parcel   `json:"parcel"`
	Carriers []string `json:"carriers,omitempty"`
}

// Money is an amount in minor units (cents) with an ISO 4217 currency.
type Money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// Surcharge is one line of a rate's price breakdown.
type Surcharge struct {
	Type   string `json:"type"` // "fuel", "residential", "oversize", "remote_area"
	Amount Money  `json:"amount"`
}

// Rate is one priced option of a quote. Its ID buys a label (POST /labels).
type Rate struct {
	ID                string      `json:"id"`       // "rate_3f9c0a6b2d1e4f58"
	QuoteID           string      `json:"quote_id"` // "quo_000017"
	Carrier           string      `json:"carrier"`  // fedex, ups, dhl, usps
	Service           string      `json:"service"`  // ground, 2day, express, overnight, economy, priority
	ServiceName       string      `json:"service_name"`
	Amount            Money       `json:"amount"` // total, surcharges included
	BaseAmount        Money       `json:"base_amount"`
	Surcharges        []Surcharge `json:"surcharges"`
	TransitDays       int         `json:"transit_days"` // business days
	EstimatedDelivery string      `json:"estimated_delivery"`
	ShipDate          string      `json:"ship_date"`
	BillableGrams     int         `json:"billable_weight_grams"`
	Zone              int         `json:"zone"`
	International     bool        `json:"international"`
	Guaranteed        bool        `json:"delivery_guaranteed"`
	CreatedAt         time.Time   `json:"created_at"`
	ExpiresAt         time.Time   `json:"expires_at"`
	// Status: "available", "used" (a label was bought with it), "expired".
	Status string `json:"status"`
}

// Quote is the answer of POST /rates.
type Quote struct {
	ID          string       `json:"id"`
	From        Address      `json:"from"`
	To          Address      `json:"to"`
	Parcel      Parcel       `json:"parcel"`
	Residential bool         `json:"residential"`
	Rates       []Rate       `json:"rates"`    // ordered by carrier, then price
	Messages    []FieldError `json:"messages"` // carriers that declined, with reasons
	CreatedAt   time.Time    `json:"created_at"`
}

// LabelRequest is the body of POST /labels.
type LabelRequest struct {
	RateID string `json:"rate_id"`
	// Reference is printed on the label and shown by tracking, e.g. an order id.
	Reference string `json:"reference,omitempty"`
	// Format: pdf (default), png or zpl.
	Format string `json:"label_format,omitempty"`
	// MaxAmountMinor, when > 0, makes the purchase fail (422
	// price_exceeds_limit) if the rate costs more, in the rate's currency.
	MaxAmountMinor int64 `json:"max_amount_minor,omitempty"`
}

// Label is a purchased shipping label.
type Label struct {
	ID                string     `json:"id"` // "lbl_..."
	Status            string     `json:"status"`
	RateID            string     `json:"rate_id,omitempty"`
	Carrier           string     `json:"carrier"`
	Service           string     `json:"service"`
	ServiceName       string     `json:"service_name"`
	TrackingNumber    string     `json:"tracking_number"`
	Reference         string     `json:"reference,omitempty"`
	Amount            Money      `json:"amount"`
	Format            string     `json:"label_format"`
	LabelURL          string     `json:"label_url"` // host-relative: /shipping/labels/<id>.pdf
	From              Address    `json:"from"`
	To                Address    `json:"to"`
	Parcel            Parcel     `json:"parcel"`
	EstimatedDelivery string     `json:"estimated_delivery,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	FirstScanAt       *time.Time `json:"first_scan_at,omitempty"` // set once the carrier scanned it
	VoidedAt          *time.Time `json:"voided_at,omitempty"`
	Refund            *Refund    `json:"refund,omitempty"`
}

// Label statuses.
const (
	LabelPurchased = "purchased" // bought, not yet scanned: can be voided
	LabelInTransit = "in_transit"
	LabelDelivered = "delivered"
	LabelVoided    = "voided"
)

// Refund describes the credit for a voided label.
type Refund struct {
	Amount Money  `json:"amount"`
	Status string `json:"status"` // "pending" (carriers credit within 14 days)
}

// VoidResult is the answer of POST /labels/{id}/void.
type VoidResult struct {
	Label         Label `json:"label"`
	AlreadyVoided bool  `json:"already_voided"`
}

// Location is where a tracking event happened.
type Location struct {
	City    string `json:"city"`
	State   string `json:"state,omitempty"`
	Country string `json:"country"`
	// Facility is the carrier's facility name, when the event has one.
	Facility string `json:"facility,omitempty"`
}

// Event is one tracking event. Details is free text from the carrier, the
// driver or the consignee (untrusted).
type Event struct {
	At          time.Time `json:"at"`
	Status      string    `json:"status"` // shipment status after the event
	Code        string    `json:"code"`   // carrier-neutral event code, e.g. "PU", "DP", "AR", "OD", "DL", "EX", "CC"
	Description string    `json:"description"`
	Details     string    `json:"details,omitempty"`
	Location    Location  `json:"location"`
}

// Tracking is the answer of GET /tracking/{carrier}/{number}: the whole
// event history, newest first (carrier APIs do not page it).
type Tracking struct {
	Carrier           string     `json:"carrier"`
	TrackingNumber    string     `json:"tracking_number"`
	Service           string     `json:"service"`
	ServiceName       string     `json:"service_name"`
	Status            string     `json:"status"`
	StatusDetail      string     `json:"status_detail"`
	Reference         string     `json:"reference,omitempty"` // order id
	LabelID           string     `json:"label_id,omitempty"`
	ShippedAt         *time.Time `json:"shipped_at,omitempty"`
	EstimatedDelivery string     `json:"estimated_delivery,omitempty"` // date, YYYY-MM-DD
	EstimatedBy       *time.Time `json:"estimated_delivery_by,omitempty"`
	DeliveredAt       *time.Time `json:"delivered_at,omitempty"`
	SignedBy          string     `json:"signed_by,omitempty"`
	Origin            Location   `json:"origin"`
	Destination       Location   `json:"destination"`
	WeightGrams       int        `json:"weight_grams,omitempty"`
	Events            []Event    `json:"events"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

// Shipment statuses (as package world names them, plus voided).
const (
	StatusLabelCreated   = "label_created"
	StatusInTransit      = "in_transit"
	StatusOutForDelivery = "out_for_delivery"
	StatusDelivered      = "delivered"
	StatusException      = "exception"
	StatusVoided         = "voided"
)

// Carriers served by the API, in display order.
var Carriers = []string{"fedex", "ups", "dhl", "usps"}

// CarrierNames are the carriers' display names.
var CarrierNames = map[string]string{"fedex": "FedEx", "ups": "UPS", "dhl": "DHL", "usps": "USPS"}

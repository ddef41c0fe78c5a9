package reference

// Address is a postal address. Country is ISO 3166-1 alpha-2.
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
}

// FieldError is one problem with one field, with a likely correction.
type FieldError struct {
	Field      string `json:"field"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion,omitempty"`
}

// Validation is the answer of POST /addresses/validate.
type Validation struct {
	Valid       bool         `json:"valid"`
	Address     Address      `json:"address"`
	Residential bool         `json:"residential"`
	Errors      []FieldError `json:"errors"`
	Warnings    []FieldError `json:"warnings"`
	Changes     []string     `json:"changes"`
}

// Parcel is one package: grams and millimetres.
type Parcel struct {
	WeightGrams int `json:"weight_grams"`
	LengthMM    int `json:"length_mm"`
	WidthMM     int `json:"width_mm"`
	HeightMM    int `json:"height_mm"`
}

// RateRequest is the body of POST /rates. A nil From ships from the
// account's default origin.
type RateRequest struct {
	From     *Address `json:"from,omitempty"`
	To       Address  `json:"to"`
	Parcel   Parcel   `json:"parcel"`
	Carriers []string `json:"carriers,omitempty"`
}

// Money is an amount in minor units with an ISO 4217 currency.
type Money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// Rate is one priced option of a quote.
type Rate struct {
	ID                string `json:"id"`
	QuoteID           string `json:"quote_id"`
	Carrier           string `json:"carrier"`
	Service           string `json:"service"`
	ServiceName       string `json:"service_name"`
	Amount            Money  `json:"amount"`
	TransitDays       int    `json:"transit_days"`
	EstimatedDelivery string `json:"estimated_delivery"`
	ShipDate          string `json:"ship_date"`
	International     bool   `json:"international"`
	Guaranteed        bool   `json:"delivery_guaranteed"`
	CreatedAt         string `json:"created_at"`
	ExpiresAt         string `json:"expires_at"`
	Status            string `json:"status"` // available, used, expired
}

// Quote is the answer of POST /rates.
type Quote struct {
	ID          string       `json:"id"`
	From        Address      `json:"from"`
	To          Address      `json:"to"`
	Parcel      Parcel       `json:"parcel"`
	Residential bool         `json:"residential"`
	Rates       []Rate       `json:"rates"`
	Messages    []FieldError `json:"messages"`
}

// LabelRequest is the body of POST /labels.
type LabelRequest struct {
	RateID         string `json:"rate_id"`
	Reference      string `json:"reference,omitempty"`
	Format         string `json:"label_format,omitempty"`
	MaxAmountMinor int64  `json:"max_amount_minor,omitempty"`
}

// Refund is the credit of a voided label.
type Refund struct {
	Amount Money  `json:"amount"`
	Status string `json:"status"`
}

// Label is a purchased label.
type Label struct {
	ID                string  `json:"id"`
	Status            string  `json:"status"`
	RateID            string  `json:"rate_id"`
	Carrier           string  `json:"carrier"`
	Service           string  `json:"service"`
	ServiceName       string  `json:"service_name"`
	TrackingNumber    string  `json:"tracking_number"`
	Reference         string  `json:"reference"`
	Amount            Money   `json:"amount"`
	Format            string  `json:"label_format"`
	LabelURL          string  `json:"label_url"`
	To                Address `json:"to"`
	EstimatedDelivery string  `json:"estimated_delivery"`
	CreatedAt         string  `json:"created_at"`
	FirstScanAt       string  `json:"first_scan_at"`
	VoidedAt          string  `json:"voided_at"`
	Refund            *Refund `json:"refund"`
}

// VoidResult is the answer of POST /labels/{id}/void.
type VoidResult struct {
	Label         Label `json:"label"`
	AlreadyVoided bool  `json:"already_voided"`
}

// Location is where a tracking event happened.
type Location struct {
	City     string `json:"city"`
	State    string `json:"state"`
	Country  string `json:"country"`
	Facility string `json:"facility"`
}

// Event is one tracking event; Description and Details are carrier free
// text (untrusted).
type Event struct {
	At          string   `json:"at"`
	Status      string   `json:"status"`
	Code        string   `json:"code"`
	Description string   `json:"description"`
	Details     string   `json:"details"`
	Location    Location `json:"location"`
}

// Tracking is a shipment's status and whole event history, newest first.
type Tracking struct {
	Carrier           string   `json:"carrier"`
	TrackingNumber    string   `json:"tracking_number"`
	Service           string   `json:"service"`
	ServiceName       string   `json:"service_name"`
	Status            string   `json:"status"`
	StatusDetail      string   `json:"status_detail"`
	Reference         string   `json:"reference"`
	LabelID           string   `json:"label_id"`
	ShippedAt         string   `json:"shipped_at"`
	EstimatedDelivery string   `json:"estimated_delivery"`
	DeliveredAt       string   `json:"delivered_at"`
	SignedBy          string   `json:"signed_by"`
	Origin            Location `json:"origin"`
	Destination       Location `json:"destination"`
	Events            []Event  `json:"events"`
}

// Package shipping is the shipping server's port: the Backend interface its
// tools depend on and the domain types it speaks. Adapters
// (servers/shipping/internal/backends/...) implement it for one shipping
// system — the bizmcp reference API, EasyPost — and know nothing of MCP;
// the tools know nothing of HTTP or of any one vendor.
//
// Every failure is a *port.Error. Refusals the tools explain in their own
// words carry one of the Code* constants below in port.Error.Code, whatever
// the backend's own code was.
package shipping

import (
	"context"

	"github.com/bizmcp/bizmcp/shared/port"
)

// Backend is a multi-carrier shipping account.
type Backend interface {
	port.Pinger
	// ValidateAddress checks and normalizes an address. An undeliverable
	// address is a Validation with Valid false and Errors naming the fields
	// at fault (with a suggestion when the backend has one), not an error.
	ValidateAddress(ctx context.Context, a Address) (*Validation, error)
	// Quote prices one parcel between two addresses across the account's
	// carriers and services. Every Rate has an ID BuyLabel accepts.
	Quote(ctx context.Context, r RateRequest) (*Quote, error)
	// Rate reads one rate of an earlier quote, so the cost is known (and
	// ceilings can apply) before anything is bought. An expired or unknown
	// rate is KindNotFound or Code CodeRateExpired.
	Rate(ctx context.Context, id string) (*Rate, error)
	// BuyLabel buys the label of a rate. key identifies this purchase: a
	// retry with the same key (after a lost response) buys nothing new and
	// reports the first label with Write.Replayed. Each adapter documents
	// how it achieves that.
	BuyLabel(ctx context.Context, r LabelRequest, key string) (*Label, port.Write, error)
	// Label reads a bought label (for the approval of a void).
	Label(ctx context.Context, id string) (*Label, error)
	// VoidLabel cancels an unused label and asks for its refund. A label
	// the carrier has scanned is refused: KindConflict, Code CodeLabelScanned
	// and the reason in Message. A label voided before is AlreadyVoided.
	VoidLabel(ctx context.Context, id, key string) (*VoidResult, port.Write, error)
	// Track returns a parcel's status and its whole event history, newest
	// first (the tools page through it). carrier is one of Carriers.
	Track(ctx context.Context, carrier, number string) (*Tracking, error)
}

// Carriers are the carrier codes the tools accept.
var Carriers = []string{"fedex", "ups", "dhl", "usps"}

// Codes of refusals the tools explain specifically (port.Error.Code).
const (
	CodeInvalidAddress  = "invalid_address"       // KindBadRequest; Field names the address field
	CodeInvalidParcel   = "invalid_parcel"        // KindBadRequest
	CodeRateExpired     = "rate_expired"          // the rate can no longer be bought: quote again
	CodeRateUsed        = "rate_already_used"     // the rate (or its shipment) already bought a label
	CodePriceOverLimit  = "price_exceeds_limit"   // the price is above LabelRequest.MaxAmountMinor
	CodeLabelScanned    = "label_already_scanned" // KindConflict: the carrier has the parcel
	CodeVoidNotPossible = "void_not_possible"     // KindConflict: the backend refuses the refund for another reason
	CodeCarrierRefused  = "carrier_refused"       // KindBadRequest: the carrier refused to make the label; nothing was bought
)

// Address is a postal address. Country is ISO 3166-1 alpha-2.
type Address struct {
	Name, Company, Line1, Line2, City, State, PostalCode, Country, Phone string
}

// FieldError is one problem with one field, with a likely correction.
type FieldError struct {
	Field      string // "postal_code", "to.street1"
	Code       string
	Message    string
	Suggestion string
}

// Validation is the result of ValidateAddress.
type Validation struct {
	Valid       bool
	Address     Address // normalized
	Residential bool
	Errors      []FieldError
	Warnings    []FieldError
	Changes     []string // fields normalization changed
}

// Parcel is one package in grams and millimetres.
type Parcel struct {
	WeightGrams, LengthMM, WidthMM, HeightMM int
}

// RateRequest asks for rates. A nil From ships from the account's default
// origin; empty Carriers means all.
type RateRequest struct {
	From     *Address
	To       Address
	Parcel   Parcel
	Carriers []string
}

// Money is an exact amount in minor units of an ISO 4217 currency.
type Money struct {
	AmountMinor int64
	Currency    string
}

// Rate is one priced option of a quote.
type Rate struct {
	ID                string
	QuoteID           string // the quote (shipment) it belongs to
	Carrier           string // one of Carriers when known, else the backend's name
	Service           string
	ServiceName       string
	Amount            Money
	TransitDays       int    // business days; 0 when the carrier gives none
	EstimatedDelivery string // YYYY-MM-DD, "" when unknown
	Guaranteed        bool
	ExpiresAt         string
	Status            string // available, used, expired; "" when the backend does not say
}

// Quote is the result of Quote.
type Quote struct {
	ID          string
	From, To    Address
	Residential bool
	Rates       []Rate
	// Messages are carriers or services that made no offer, and why.
	Messages []FieldError
}

// LabelRequest buys the label of RateID. MaxAmountMinor > 0 asks the
// backend to refuse a higher price (where it can).
type LabelRequest struct {
	RateID         string
	Reference      string
	Format         string // pdf, zpl
	MaxAmountMinor int64
}

// LabelFile is where the printable label is.
type LabelFile struct {
	URL string
	// Configured is true when the URL's origin comes from this server's
	// own configuration (the adapter resolved a host-relative path against
	// it), so it is shown as is. Otherwise the URL is backend data and is
	// shown only if its host is on the link allow-list.
	Configured bool
}

// Refund is the credit of a voided label.
type Refund struct {
	Amount Money
	Status string // pending, submitted, refunded
}

// Label is a bought label.
type Label struct {
	ID                string
	Status            string // purchased, in_transit, delivered, voided, ...
	Carrier           string
	Service           string
	ServiceName       string
	TrackingNumber    string
	Reference         string
	Amount            Money
	Format            string
	File              LabelFile
	To                Address
	EstimatedDelivery string
	FirstScanAt       string // when the carrier first scanned it; "" if never
	VoidedAt          string
	Refund            *Refund
}

// VoidResult is the result of VoidLabel.
type VoidResult struct {
	Label         Label
	AlreadyVoided bool
}

// Location is where a tracking event happened.
type Location struct {
	City, State, Country, Facility string
}

// Event is one tracking event; Description and Details are carrier free
// text (untrusted).
type Event struct {
	At          string
	Status      string
	Code        string
	Description string
	Details     string
	Location    Location
}

// Tracking is a parcel's status and whole event history, newest first.
type Tracking struct {
	Carrier           string
	TrackingNumber    string
	ServiceName       string
	Status            string // label_created, in_transit, out_for_delivery, delivered, exception, voided, ...
	StatusDetail      string
	Reference         string
	LabelID           string
	ShippedAt         string
	EstimatedDelivery string // YYYY-MM-DD
	DeliveredAt       string
	SignedBy          string
	Origin            Location
	Destination       Location
	Events            []Event
}

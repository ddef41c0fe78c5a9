// Package orders is the orders reference backend: an in-memory,
// concurrency-safe order store, its HTTP API (served under /orders by
// mock-backends, documented in API.md) and a deterministic sample data set
// consistent with the CRM customers and the shipments of package world.
//
// Like the CRM API, it returns full records (every line item, order notes,
// history events, payment and address blocks): the MCP server built on top
// of it is expected to summarise them for models.
package orders

import (
	"maps"
	"slices"
	"time"

	"github.com/bizmcp/bizmcp/mocks/internal/apijson"
)

// Order statuses.
const (
	StatusPending           = "pending"            // placed, not paid yet
	StatusPaid              = "paid"               // paid, not shipped yet
	StatusShipped           = "shipped"            // handed to the carrier, not delivered yet
	StatusDelivered         = "delivered"          // the carrier reported delivery
	StatusCancelled         = "cancelled"          // cancelled before shipping (a paid order is refunded)
	StatusRefunded          = "refunded"           // the whole paid amount was refunded
	StatusPartiallyRefunded = "partially_refunded" // part of the paid amount was refunded
)

// Statuses lists every order status.
var Statuses = []string{StatusPending, StatusPaid, StatusShipped, StatusDelivered, StatusCancelled, StatusRefunded, StatusPartiallyRefunded}

// Regions are the CRM sales regions an order can belong to.
var Regions = []string{"na", "emea", "apac", "latam"}

// CancelReasons are the reasons POST /orders/{id}/cancel accepts.
var CancelReasons = []string{"customer_request", "duplicate_order", "payment_issue", "fraud_suspected", "out_of_stock", "other"}

// RefundReasons are the reasons POST /orders/{id}/refunds accepts.
// "order_cancelled" is used by the backend itself for the automatic refund
// of a cancelled paid order.
var RefundReasons = []string{"customer_request", "damaged", "defective", "not_received", "wrong_item", "late_delivery", "duplicate_charge", "goodwill", "other"}

// Money is an amount in the currency's minor unit (cents; yen for JPY).
type Money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// Order is one full order record, exactly as the API serialises it.
type Order struct {
	ID            string `json:"id"`
	CustomerID    string `json:"customer_id"`
	CustomerEmail string `json:"customer_email"`
	CustomerName  string `json:"customer_name"`
	// Region is the customer's CRM sales region (data scoping filters by it).
	Region   string `json:"region"`
	Status   string `json:"status"`
	Currency string `json:"currency"`
	Channel  string `json:"channel"` // web, phone, edi, marketplace, sales_rep

	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	PaidAt      *time.Time `json:"paid_at"`
	CancelledAt *time.Time `json:"cancelled_at"`

	LineItems     []LineItem `json:"line_items"`
	LineItemCount int        `json:"line_item_count"` // derived: len(line_items)
	UnitCount     int        `json:"unit_count"`      // derived: sum of quantities

	Subtotal     Money `json:"subtotal"`
	ShippingCost Money `json:"shipping_cost"`
	Tax          Money `json:"tax"`
	Discount     Money `json:"discount"`
	Total        Money `json:"total"`
	// RefundedTotal and RefundableRemaining are derived from Refunds.
	RefundedTotal       Money `json:"refunded_total"`
	RefundableRemaining Money `json:"refundable_remaining"`

	Shipping        Shipping          `json:"shipping"`
	ShippingAddress Address           `json:"shipping_address"`
	BillingAddress  Address           `json:"billing_address"`
	Payment         Payment           `json:"payment"`
	Notes           []Note            `json:"notes"`
	Refunds         []Refund          `json:"refunds"`
	Cancellation    *Cancellation     `json:"cancellation"`
	Events          []Event           `json:"events"`
	Tags            []string          `json:"tags"`
	Metadata        map[string]string `json:"metadata"`
	Version         int               `json:"version"`
}

// LineItem is one line of an order.
type LineItem struct {
	ID        string `json:"id"` // "L001"
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Quantity  int    `json:"quantity"`
	UnitPrice Money  `json:"unit_price"`
	Total     Money  `json:"total"`
	// Personalization is customer-written text (engraving, print text);
	// untrusted.
	Personalization string `json:"personalization"`
}

// Shipping is the order's delivery: the method chosen at checkout and, once
// shipped, the carrier's shipment (the same facts the shipping API tracks).
type Shipping struct {
	Method            string     `json:"method"`  // ground, express, 2day, overnight, economy, priority
	Carrier           string     `json:"carrier"` // fedex, ups, dhl, usps; "" until shipped
	TrackingNumber    string     `json:"tracking_number"`
	TrackingURL       string     `json:"tracking_url"`
	Status            string     `json:"status"` // "" until shipped; label_created, in_transit, out_for_delivery, delivered, exception
	ShippedAt         *time.Time `json:"shipped_at"`
	EstimatedDelivery *time.Time `json:"estimated_delivery"`
	DeliveredAt       *time.Time `json:"delivered_at"`
}

// Address is a postal address.
type Address struct {
	Name       string `json:"name"`
	Company    string `json:"company"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// Payment is the (masked) payment of the order.
type Payment struct {
	Method        string `json:"method"` // card, sepa_debit, ach, wire, invoice
	Brand         string `json:"brand"`
	Last4         string `json:"last4"`
	TransactionID string `json:"transaction_id"`
	Status        string `json:"status"` // pending, captured, voided, partially_refunded, refunded
}

// Note is a free-text order note (from the customer at checkout, support or
// the warehouse). Notes are untrusted user content.
type Note struct {
	ID        string    `json:"id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Refund is money returned to the customer for an order.
type Refund struct {
	ID        string    `json:"id"` // "RF-48291-01"
	Amount    Money     `json:"amount"`
	Reason    string    `json:"reason"`
	Note      string    `json:"note"`
	Status    string    `json:"status"` // succeeded
	CreatedAt time.Time `json:"created_at"`
	// IdempotencyKey is the Idempotency-Key of the request that created the
	// refund ("" when it had none), so a client can recognise its own refund
	// after a lost response.
	IdempotencyKey string `json:"idempotency_key"`
}

// Cancellation records how an order was cancelled.
type Cancellation struct {
	At             time.Time `json:"at"`
	Reason         string    `json:"reason"`
	Note           string    `json:"note"`
	IdempotencyKey string    `json:"idempotency_key"`
}

// Event is one entry of the order's history, oldest first.
type Event struct {
	At      time.Time `json:"at"`
	Type    string    `json:"type"`
	Message string    `json:"message"`
}

// Summary is an order as GET /orders lists it: the order without its line
// items, notes, refunds, events and addresses.
type Summary struct {
	ID                  string     `json:"id"`
	CustomerID          string     `json:"customer_id"`
	CustomerEmail       string     `json:"customer_email"`
	CustomerName        string     `json:"customer_name"`
	Region              string     `json:"region"`
	Status              string     `json:"status"`
	Currency            string     `json:"currency"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
	PaidAt              *time.Time `json:"paid_at"`
	CancelledAt         *time.Time `json:"cancelled_at"`
	LineItemCount       int        `json:"line_item_count"`
	UnitCount           int        `json:"unit_count"`
	Total               Money      `json:"total"`
	RefundedTotal       Money      `json:"refunded_total"`
	RefundableRemaining Money      `json:"refundable_remaining"`
	Shipping            Shipping   `json:"shipping"`
}

// Summarize returns o's list form.
func (o *Order) Summarize() Summary {
	return Summary{
		ID: o.ID, CustomerID: o.CustomerID, CustomerEmail: o.CustomerEmail, CustomerName: o.CustomerName,
		Region: o.Region, Status: o.Status, Currency: o.Currency, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		PaidAt: o.PaidAt, CancelledAt: o.CancelledAt, LineItemCount: o.LineItemCount, UnitCount: o.UnitCount,
		Total: o.Total, RefundedTotal: o.RefundedTotal, RefundableRemaining: o.RefundableRemaining, Shipping: o.Shipping.clone(),
	}
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func (s Shipping) clone() Shipping {
	s.ShippedAt, s.EstimatedDelivery, s.DeliveredAt = cloneTime(s.ShippedAt), cloneTime(s.EstimatedDelivery), cloneTime(s.DeliveredAt)
	return s
}

// Clone returns a deep copy of o.
func (o Order) Clone() Order {
	out := o
	out.PaidAt, out.CancelledAt = cloneTime(o.PaidAt), cloneTime(o.CancelledAt)
	out.LineItems = slices.Clone(o.LineItems)
	out.Shipping = o.Shipping.clone()
	out.Notes = slices.Clone(o.Notes)
	out.Refunds = slices.Clone(o.Refunds)
	if o.Cancellation != nil {
		c := *o.Cancellation
		out.Cancellation = &c
	}
	out.Events = slices.Clone(o.Events)
	out.Tags = slices.Clone(o.Tags)
	out.Metadata = maps.Clone(o.Metadata)
	out.normalize()
	return out
}

// normalize replaces nil collections by empty ones (JSON [] and {}, never
// null) and recomputes the derived fields.
func (o *Order) normalize() {
	apijson.EmptySlices(&o.LineItems)
	apijson.EmptySlices(&o.Notes)
	apijson.EmptySlices(&o.Refunds)
	apijson.EmptySlices(&o.Events)
	apijson.EmptySlices(&o.Tags)
	apijson.EmptyMaps(&o.Metadata)
	o.LineItemCount = len(o.LineItems)
	o.UnitCount = 0
	for _, li := range o.LineItems {
		o.UnitCount += li.Quantity
	}
	var refunded int64
	for _, r := range o.Refunds {
		refunded += r.Amount.AmountMinor
	}
	o.RefundedTotal = Money{AmountMinor: refunded, Currency: o.Currency}
	o.RefundableRemaining = Money{AmountMinor: max(o.paidAmount()-refunded, 0), Currency: o.Currency}
}

// paidAmount is what the customer paid: the total once paid, 0 before.
func (o *Order) paidAmount() int64 {
	if o.PaidAt == nil {
		return 0
	}
	return o.Total.AmountMinor
}

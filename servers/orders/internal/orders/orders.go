// Package orders is the orders server's port: the Backend interface its
// tools depend on and the domain types it speaks, written for what the tools
// need rather than for one system's API. Adapters (internal/backends/...)
// implement it for the reference HTTP API, PostgreSQL, Shopify; they know
// nothing of MCP and report every failure as a *port.Error.
//
// Money is always in minor units of the order's currency (cents; whole yen
// for JPY). Times are RFC 3339 strings in UTC; "" means none.
package orders

import (
	"context"
	"regexp"
	"time"

	"github.com/bizmcp/bizmcp/shared/port"
)

// Backend is the order system as the orders tools see it.
type Backend interface {
	port.Pinger

	// IDFormat says what this backend's order ids look like, so the tools'
	// schemas and hints follow the backend.
	IDFormat() IDFormat

	// GetOrder reads one order with at most items of its line items (the
	// first ones, in line order; ItemCount and UnitCount always count every
	// line), every refund and every note. A missing order is
	// port.KindNotFound.
	GetOrder(ctx context.Context, id string, items int) (*Order, error)

	// SearchOrders returns one page of the orders matching q, newest first
	// (placed time descending, then id descending), and how many match in
	// all.
	SearchOrders(ctx context.Context, q Query) (*OrderPage, error)

	// ListItems returns one page of an order's line items, in line order,
	// optionally only those whose SKU or name contains q.Text
	// (case-insensitive).
	ListItems(ctx context.Context, orderID string, q ItemQuery) (*ItemPage, error)

	// CancelOrder cancels a pending or paid order (a paid order's payment
	// is refunded in full, as a refund with reason "order_cancelled") and
	// returns the order after it. key is the call's idempotency key: the
	// same key again returns the first outcome with Write.Replayed and
	// changes nothing. Another state is port.KindConflict.
	CancelOrder(ctx context.Context, id string, c CancelRequest, key string) (*Order, port.Write, error)

	// Refund refunds part or all of what is still refundable on an order.
	// key is the call's idempotency key: the same key again returns the
	// first refund with Write.Replayed and moves no money. More than the
	// remainder, or an order that cannot be refunded, is port.KindConflict
	// with Remaining set; a currency that is not the order's is
	// port.KindBadRequest (Field "currency").
	Refund(ctx context.Context, id string, r RefundRequest, key string) (*RefundResult, port.Write, error)
}

// IDFormat describes a backend's order ids.
type IDFormat struct {
	// Pattern is a JSON-schema (ECMA 262, also valid RE2) pattern anchored
	// with ^ and $.
	Pattern string
	// Example is a valid id, shown in schemas and hints.
	Example string
}

// ReferenceIDFormat is the id format of the reference API and the
// PostgreSQL reference schema: ORD- and up to ten digits.
var ReferenceIDFormat = IDFormat{Pattern: "^ORD-[0-9]{1,10}$", Example: "ORD-48291"}

// Regexp compiles the pattern.
func (f IDFormat) Regexp() *regexp.Regexp { return regexp.MustCompile(f.Pattern) }

// Money is an amount in minor units with its ISO 4217 currency.
type Money struct {
	AmountMinor int64
	Currency    string
}

// Statuses of an order.
const (
	StatusPending           = "pending"
	StatusPaid              = "paid"
	StatusShipped           = "shipped"
	StatusDelivered         = "delivered"
	StatusCancelled         = "cancelled"
	StatusRefunded          = "refunded"
	StatusPartiallyRefunded = "partially_refunded"
)

// Summary is an order as a search lists it.
type Summary struct {
	ID            string
	CustomerID    string
	CustomerEmail string
	CustomerName  string
	Region        string // the customer's sales region: na, emea, apac, latam
	Status        string
	Currency      string
	CreatedAt     string
	PaidAt        string
	CancelledAt   string
	ItemCount     int // number of line items
	UnitCount     int // total quantity
	Total         Money
	RefundedTotal Money
	// RefundableRemaining is what can still be refunded: the paid total
	// minus refunds so far (0 when unpaid or cancelled).
	RefundableRemaining Money
	Shipping            Shipping
}

// Order is the full order record.
type Order struct {
	Summary
	Subtotal        Money
	ShippingCost    Money
	Tax             Money
	Discount        Money
	ShippingAddress Address
	LineItems       []LineItem // the first lines (see Backend.GetOrder)
	Notes           []Note     // oldest first; customer-written, untrusted
	Refunds         []Refund   // oldest first
	Cancellation    *Cancellation
}

// LineItem is one line of an order.
type LineItem struct {
	ID              string
	SKU             string
	Name            string
	Quantity        int
	UnitPrice       Money
	Total           Money
	Personalization string // customer-written text: untrusted
}

// Shipping is the delivery method and, once shipped, the carrier shipment.
type Shipping struct {
	Method            string // chosen at checkout: ground, express...
	Carrier           string // "" until shipped
	TrackingNumber    string
	Status            string // label_created, in_transit, out_for_delivery, delivered, exception
	ShippedAt         string
	EstimatedDelivery string
	DeliveredAt       string
}

// Address is a postal address.
type Address struct {
	Name, Company, Line1, Line2, City, Region, PostalCode, Country string
}

// Note is a free-text order note.
type Note struct {
	ID, Author, Body, CreatedAt string
}

// Refund is money returned for an order. IdempotencyKey is the key of the
// write that made it, so a caller whose answer was lost recognises it.
type Refund struct {
	ID             string
	Amount         Money
	Reason         string
	Note           string
	Status         string
	CreatedAt      string
	IdempotencyKey string
}

// Cancellation records how an order was cancelled.
type Cancellation struct {
	At, Reason, Note, IdempotencyKey string
}

// Query selects orders; empty fields do not filter.
type Query struct {
	CustomerID    string
	CustomerEmail string // exact, case-insensitive
	Status        string
	// Region limits the result to one sales region; a region-restricted
	// caller's region is always set here, so other regions' rows never
	// leave the backend.
	Region     string
	PlacedFrom time.Time // inclusive; zero = unbounded
	PlacedTo   time.Time // exclusive; zero = unbounded
	Limit      int
	// Offset is the number of matching orders before this page.
	Offset int
	// After is the Next of the previous page ("" on the first page, or when
	// the backend pages by offset): backends that page by key continue
	// after it instead of skipping Offset rows.
	After string
}

// OrderPage is one page of a search.
type OrderPage struct {
	Orders []Summary
	Total  int
	// Next is an opaque position to pass as Query.After for the next page,
	// "" when the backend pages by offset. It is short (at most 40 bytes).
	Next string
}

// ItemQuery selects one page of an order's line items.
type ItemQuery struct {
	Text   string
	Limit  int
	Offset int
}

// ItemPage is one page of line items.
type ItemPage struct {
	Items []LineItem
	Total int
}

// CancelRequest says why an order is cancelled.
type CancelRequest struct {
	Reason string // customer_request, duplicate_order, payment_issue, fraud_suspected, out_of_stock, other
	Note   string
}

// RefundRequest is one refund; AmountMinor 0 refunds everything still
// refundable.
type RefundRequest struct {
	AmountMinor int64
	Currency    string
	Reason      string
	Note        string
}

// RefundResult is the refund made (or replayed) and the order after it.
type RefundResult struct {
	Refund Refund
	Order  Summary
}

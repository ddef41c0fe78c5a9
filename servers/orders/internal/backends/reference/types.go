package reference

// Money is an amount in minor units (cents; yen for JPY) with an ISO 4217
// currency.
type Money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// Order is the backend's full order record (GET /orders/{id}). Times are
// RFC 3339 strings; "" stands for null. The MCP tools never pass it to the
// model whole.
type Order struct {
	ID            string `json:"id"`
	CustomerID    string `json:"customer_id"`
	CustomerEmail string `json:"customer_email"`
	CustomerName  string `json:"customer_name"`
	Region        string `json:"region"`
	Status        string `json:"status"`
	Currency      string `json:"currency"`
	Channel       string `json:"channel"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
	PaidAt        string `json:"paid_at"`
	CancelledAt   string `json:"cancelled_at"`

	LineItems     []LineItem `json:"line_items"`
	LineItemCount int        `json:"line_item_count"`
	UnitCount     int        `json:"unit_count"`

	Subtotal            Money `json:"subtotal"`
	ShippingCost        Money `json:"shipping_cost"`
	Tax                 Money `json:"tax"`
	Discount            Money `json:"discount"`
	Total               Money `json:"total"`
	RefundedTotal       Money `json:"refunded_total"`
	RefundableRemaining Money `json:"refundable_remaining"`

	Shipping        Shipping      `json:"shipping"`
	ShippingAddress Address       `json:"shipping_address"`
	Notes           []Note        `json:"notes"`
	Refunds         []Refund      `json:"refunds"`
	Cancellation    *Cancellation `json:"cancellation"`
	// BillingAddress, Payment, Events, Tags and Metadata are not read by any
	// tool and are left undecoded.
}

// LineItem is one line of an order.
type LineItem struct {
	ID              string `json:"id"`
	SKU             string `json:"sku"`
	Name            string `json:"name"`
	Quantity        int    `json:"quantity"`
	UnitPrice       Money  `json:"unit_price"`
	Total           Money  `json:"total"`
	Personalization string `json:"personalization"`
}

// Shipping is the delivery method and, once shipped, the carrier shipment.
type Shipping struct {
	Method            string `json:"method"`
	Carrier           string `json:"carrier"`
	TrackingNumber    string `json:"tracking_number"`
	Status            string `json:"status"`
	ShippedAt         string `json:"shipped_at"`
	EstimatedDelivery string `json:"estimated_delivery"`
	DeliveredAt       string `json:"delivered_at"`
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

// Note is a free-text order note (untrusted text).
type Note struct {
	ID        string `json:"id"`
	Author    string `json:"author"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

// Refund is money returned for an order.
type Refund struct {
	ID             string `json:"id"`
	Amount         Money  `json:"amount"`
	Reason         string `json:"reason"`
	Note           string `json:"note"`
	Status         string `json:"status"`
	CreatedAt      string `json:"created_at"`
	IdempotencyKey string `json:"idempotency_key"`
}

// Cancellation records how an order was cancelled.
type Cancellation struct {
	At             string `json:"at"`
	Reason         string `json:"reason"`
	Note           string `json:"note"`
	IdempotencyKey string `json:"idempotency_key"`
}

// Summary is an order as GET /orders lists it.
type Summary struct {
	ID                  string   `json:"id"`
	CustomerID          string   `json:"customer_id"`
	CustomerEmail       string   `json:"customer_email"`
	CustomerName        string   `json:"customer_name"`
	Region              string   `json:"region"`
	Status              string   `json:"status"`
	Currency            string   `json:"currency"`
	CreatedAt           string   `json:"created_at"`
	PaidAt              string   `json:"paid_at"`
	CancelledAt         string   `json:"cancelled_at"`
	LineItemCount       int      `json:"line_item_count"`
	UnitCount           int      `json:"unit_count"`
	Total               Money    `json:"total"`
	RefundedTotal       Money    `json:"refunded_total"`
	RefundableRemaining Money    `json:"refundable_remaining"`
	Shipping            Shipping `json:"shipping"`
}

// ListResult is one page of GET /orders.
type ListResult struct {
	Orders []Summary `json:"orders"`
	Total  int       `json:"total"`
	Offset int       `json:"offset"`
	Limit  int       `json:"limit"`
}

// ItemsResult is one page of GET /orders/{id}/items.
type ItemsResult struct {
	OrderID string     `json:"order_id"`
	Items   []LineItem `json:"items"`
	Total   int        `json:"total"`
	Offset  int        `json:"offset"`
	Limit   int        `json:"limit"`
}

// CancelRequest is the body of POST /orders/{id}/cancel.
type CancelRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note,omitempty"`
}

// RefundRequest is the body of POST /orders/{id}/refunds; a nil AmountMinor
// refunds the whole refundable remainder.
type RefundRequest struct {
	AmountMinor *int64 `json:"amount_minor,omitempty"`
	Currency    string `json:"currency"`
	Reason      string `json:"reason"`
	Note        string `json:"note,omitempty"`
}

// RefundResult is the answer of POST /orders/{id}/refunds.
type RefundResult struct {
	Refund Refund  `json:"refund"`
	Order  Summary `json:"order"`
}

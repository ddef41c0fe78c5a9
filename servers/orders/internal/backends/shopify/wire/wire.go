// Package wire holds the Admin GraphQL API's object shapes the orders
// adapter reads (field names and nullability as Shopify's reference gives
// them), shared by the adapter and its test store.
package wire

// Money is MoneyV2: a decimal string amount and its currency.
type Money struct {
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currencyCode"`
}

// MoneyBag is an amount in the shop's and the customer's currency; the
// adapter reads the shop's.
type MoneyBag struct {
	ShopMoney Money `json:"shopMoney"`
}

// PageInfo is a connection's paging state.
type PageInfo struct {
	HasNextPage bool    `json:"hasNextPage"`
	EndCursor   *string `json:"endCursor"`
}

// TrackingInfo is FulfillmentTrackingInfo.
type TrackingInfo struct {
	Company string `json:"company"`
	Number  string `json:"number"`
	URL     string `json:"url"`
}

// Fulfillment is one shipment of an order.
type Fulfillment struct {
	CreatedAt           string         `json:"createdAt"`
	InTransitAt         *string        `json:"inTransitAt"`
	DeliveredAt         *string        `json:"deliveredAt"`
	EstimatedDeliveryAt *string        `json:"estimatedDeliveryAt"`
	DisplayStatus       string         `json:"displayStatus"`
	Status              string         `json:"status"`
	TrackingInfo        []TrackingInfo `json:"trackingInfo"`
}

// Attribute is a line's custom attribute.
type Attribute struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

// LineItem is one line of an order.
type LineItem struct {
	ID                   string      `json:"id"`
	SKU                  *string     `json:"sku"`
	Name                 string      `json:"name"`
	Quantity             int         `json:"quantity"`
	OriginalUnitPriceSet MoneyBag    `json:"originalUnitPriceSet"`
	OriginalTotalSet     MoneyBag    `json:"originalTotalSet"`
	CustomAttributes     []Attribute `json:"customAttributes"`
}

// LineItemConnection is a page of lines.
type LineItemConnection struct {
	PageInfo PageInfo   `json:"pageInfo"`
	Nodes    []LineItem `json:"nodes"`
}

// Refund is money returned on an order.
type Refund struct {
	ID               string   `json:"id"`
	CreatedAt        *string  `json:"createdAt"`
	Note             *string  `json:"note"`
	TotalRefundedSet MoneyBag `json:"totalRefundedSet"`
}

// Ref is an object seen only by its id.
type Ref struct {
	ID string `json:"id"`
}

// Transaction is an OrderTransaction.
type Transaction struct {
	ID                string   `json:"id"`
	Kind              string   `json:"kind"`
	Status            string   `json:"status"`
	Gateway           *string  `json:"gateway"`
	AmountSet         MoneyBag `json:"amountSet"`
	ParentTransaction *Ref     `json:"parentTransaction"`
}

// Address is a MailingAddress.
type Address struct {
	Name          *string `json:"name"`
	Company       *string `json:"company"`
	Address1      *string `json:"address1"`
	Address2      *string `json:"address2"`
	City          *string `json:"city"`
	ProvinceCode  *string `json:"provinceCode"`
	Zip           *string `json:"zip"`
	CountryCodeV2 *string `json:"countryCodeV2"`
}

// ShippingLine is the delivery method chosen at checkout.
type ShippingLine struct {
	Title string `json:"title"`
}

// Cancellation is OrderCancellation.
type Cancellation struct {
	StaffNote *string `json:"staffNote"`
}

// Order is an order with the fields the adapter asks for; fields a
// query did not ask for stay nil.
type Order struct {
	ID                        string              `json:"id"`
	Name                      string              `json:"name"`
	Email                     *string             `json:"email"`
	CreatedAt                 string              `json:"createdAt"`
	ProcessedAt               string              `json:"processedAt"`
	CancelledAt               *string             `json:"cancelledAt"`
	CancelReason              *string             `json:"cancelReason,omitempty"`
	DisplayFinancialStatus    *string             `json:"displayFinancialStatus"`
	DisplayFulfillmentStatus  string              `json:"displayFulfillmentStatus"`
	CurrencyCode              string              `json:"currencyCode"`
	PresentmentCurrencyCode   string              `json:"presentmentCurrencyCode"`
	Tags                      []string            `json:"tags"`
	Note                      *string             `json:"note,omitempty"`
	Cancellation              *Cancellation       `json:"cancellation,omitempty"`
	SubtotalLineItemsQuantity int                 `json:"subtotalLineItemsQuantity"`
	TotalPriceSet             MoneyBag            `json:"totalPriceSet"`
	TotalReceivedSet          MoneyBag            `json:"totalReceivedSet"`
	TotalRefundedSet          MoneyBag            `json:"totalRefundedSet"`
	CurrentSubtotalPriceSet   *MoneyBag           `json:"currentSubtotalPriceSet,omitempty"`
	TotalShippingPriceSet     *MoneyBag           `json:"totalShippingPriceSet,omitempty"`
	TotalTaxSet               *MoneyBag           `json:"totalTaxSet,omitempty"`
	TotalDiscountsSet         *MoneyBag           `json:"totalDiscountsSet,omitempty"`
	ShippingAddress           *Address            `json:"shippingAddress"`
	ShippingLine              *ShippingLine       `json:"shippingLine"`
	Fulfillments              []Fulfillment       `json:"fulfillments"`
	Refunds                   []Refund            `json:"refunds,omitempty"`
	Transactions              []Transaction       `json:"transactions,omitempty"`
	LineItems                 *LineItemConnection `json:"lineItems,omitempty"`
}

// S is *p, or "" for null.
func S(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// P is a pointer to s.
func P(s string) *string { return &s }

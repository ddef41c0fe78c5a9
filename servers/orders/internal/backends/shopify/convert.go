package shopify

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/shopify/wire"
	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/bizmcp/bizmcp/shared/port"
)

// minor converts a Shopify decimal amount ("12.5", "-3.00", "1500.0") to
// minor units of its currency exactly; more decimals than the currency has
// are accepted only when they are zeros.
func minor(amount, currency string) (int64, error) {
	n, err := money.ParseMinor(strings.TrimSpace(amount), currency)
	switch {
	case errors.Is(err, money.ErrNotDecimal):
		return 0, fmt.Errorf("amount %q is not a decimal number", amount)
	case errors.Is(err, money.ErrTooPrecise):
		return 0, fmt.Errorf("amount %q has more decimals than %s has", amount, currency)
	case err != nil:
		return 0, fmt.Errorf("amount %q is out of range", amount)
	}
	return n, nil
}

// decimal renders minor units as the decimal string Shopify's Money scalar
// takes.
func decimal(m int64, currency string) string {
	d := money.Digits(currency)
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	s := strconv.FormatInt(m, 10)
	if d == 0 {
		return sign + s
	}
	for len(s) <= d {
		s = "0" + s
	}
	return sign + s[:len(s)-d] + "." + s[len(s)-d:]
}

// conv collects the first conversion error of one order.
type conv struct {
	op  string
	err error
}

func (c *conv) money(b *moneyBag) orders.Money {
	if b == nil || b.ShopMoney.CurrencyCode == "" {
		return orders.Money{}
	}
	n, err := minor(b.ShopMoney.Amount, b.ShopMoney.CurrencyCode)
	if err != nil && c.err == nil {
		c.err = &port.Error{Kind: port.KindMalformed, Op: c.op, Message: err.Error()}
	}
	return orders.Money{AmountMinor: n, Currency: b.ShopMoney.CurrencyCode}
}

// legacyID is the numeric tail of a GID (gid://shopify/Customer/123 -> 123).
func legacyID(gid string) string {
	if i := strings.LastIndexByte(gid, '/'); i >= 0 {
		return gid[i+1:]
	}
	return gid
}

func utc(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format(time.RFC3339)
	}
	return s
}

// status maps Shopify's financial and fulfillment statuses to the port's.
func status(o *wireOrder) string {
	if o.CancelledAt != nil {
		return orders.StatusCancelled
	}
	switch wire.S(o.DisplayFinancialStatus) {
	case "REFUNDED":
		return orders.StatusRefunded
	case "PARTIALLY_REFUNDED":
		return orders.StatusPartiallyRefunded
	case "PAID":
	default: // PENDING, AUTHORIZED, PARTIALLY_PAID, EXPIRED, VOIDED: not (fully) paid
		return orders.StatusPending
	}
	switch o.DisplayFulfillmentStatus {
	case "FULFILLED", "PARTIALLY_FULFILLED":
		if o.DisplayFulfillmentStatus == "FULFILLED" && allDelivered(o.Fulfillments) {
			return orders.StatusDelivered
		}
		return orders.StatusShipped
	}
	return orders.StatusPaid
}

func live(f wireFulfillment) bool {
	return f.Status != "CANCELLED" && f.Status != "ERROR" && f.Status != "FAILURE"
}

func allDelivered(fs []wireFulfillment) bool {
	n := 0
	for _, f := range fs {
		if !live(f) {
			continue
		}
		if f.DisplayStatus != "DELIVERED" {
			return false
		}
		n++
	}
	return n > 0
}

// shipmentStatus maps FulfillmentDisplayStatus to the port's shipment
// statuses.
func shipmentStatus(display string) string {
	switch display {
	case "DELIVERED", "PICKED_UP":
		return "delivered"
	case "OUT_FOR_DELIVERY":
		return "out_for_delivery"
	case "IN_TRANSIT", "CONFIRMED", "READY_FOR_PICKUP":
		return "in_transit"
	case "LABEL_PRINTED", "LABEL_PURCHASED", "SUBMITTED":
		return "label_created"
	case "ATTEMPTED_DELIVERY", "FAILURE", "NOT_DELIVERED", "CANCELED", "LABEL_VOIDED":
		return "exception"
	}
	return "in_transit" // FULFILLED, MARKED_AS_FULFILLED: handed over, no carrier events
}

// shipping is the delivery method and the shipment the order's summary
// shows: the newest live fulfillment that is not delivered yet, else the
// newest delivered one.
func shipping(o *wireOrder) orders.Shipping {
	var s orders.Shipping
	if o.ShippingLine != nil {
		s.Method = o.ShippingLine.Title
	}
	pick := -1
	for i, f := range o.Fulfillments {
		if !live(f) {
			continue
		}
		if pick < 0 || f.DisplayStatus != "DELIVERED" || o.Fulfillments[pick].DisplayStatus == "DELIVERED" {
			pick = i
		}
	}
	if pick < 0 {
		return s
	}
	f := o.Fulfillments[pick]
	if len(f.TrackingInfo) > 0 {
		s.Carrier, s.TrackingNumber = f.TrackingInfo[0].Company, f.TrackingInfo[0].Number
	}
	if s.Carrier == "" && s.TrackingNumber == "" {
		s.Carrier, s.TrackingNumber = "the merchant", "none"
	}
	s.Status = shipmentStatus(f.DisplayStatus)
	s.ShippedAt = utc(first(wire.S(f.InTransitAt), f.CreatedAt))
	s.EstimatedDelivery = utc(wire.S(f.EstimatedDeliveryAt))
	s.DeliveredAt = utc(wire.S(f.DeliveredAt))
	return s
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// shipmentsNote lists every shipment of a multi-shipment order with its
// tracking URL, as an order note the tools show.
func shipmentsNote(o *wireOrder) (orders.Note, bool) {
	var lines []string
	n := 0
	for _, f := range o.Fulfillments {
		if live(f) {
			n++
		}
	}
	if n == 0 || (n == 1 && o.DisplayFulfillmentStatus == "FULFILLED" && !hasURL(o.Fulfillments)) {
		return orders.Note{}, false
	}
	i := 0
	for _, f := range o.Fulfillments {
		if !live(f) {
			continue
		}
		i++
		line := fmt.Sprintf("shipment %d of %d: %s", i, n, strings.ToLower(strings.ReplaceAll(f.DisplayStatus, "_", " ")))
		for _, t := range f.TrackingInfo {
			line += fmt.Sprintf(", %s %s", t.Company, t.Number)
			if t.URL != "" {
				line += " " + t.URL
			}
		}
		if f.EstimatedDeliveryAt != nil {
			line += ", estimated delivery " + dateOf(*f.EstimatedDeliveryAt)
		}
		if f.DeliveredAt != nil {
			line += ", delivered " + dateOf(*f.DeliveredAt)
		}
		lines = append(lines, line)
	}
	if o.DisplayFulfillmentStatus == "PARTIALLY_FULFILLED" {
		lines = append(lines, "some items have not shipped yet")
	}
	return orders.Note{ID: "shipments", Author: "shopify", Body: strings.Join(lines, "; ")}, true
}

func hasURL(fs []wireFulfillment) bool {
	for _, f := range fs {
		for _, t := range f.TrackingInfo {
			if t.URL != "" {
				return true
			}
		}
	}
	return false
}

func dateOf(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format(time.DateOnly)
	}
	return s
}

// summary converts the fields every query asks for.
func (a *Adapter) summary(c *conv, o *wireOrder) orders.Summary {
	s := orders.Summary{
		ID: o.Name, CustomerEmail: wire.S(o.Email), Status: status(o), Currency: o.CurrencyCode,
		CreatedAt: utc(first(o.ProcessedAt, o.CreatedAt)), CancelledAt: utc(wire.S(o.CancelledAt)),
		UnitCount: o.SubtotalLineItemsQuantity,
		Total:     c.money(&o.TotalPriceSet), RefundedTotal: c.money(&o.TotalRefundedSet),
		Shipping: shipping(o),
	}
	// The customer's name is the shipping address's: reading Order.customer
	// would need the read_customers scope.
	cc := ""
	if o.ShippingAddress != nil {
		cc, s.CustomerName = wire.S(o.ShippingAddress.CountryCodeV2), wire.S(o.ShippingAddress.Name)
	}
	s.Region = a.region.of(cc, o.Tags)
	received := c.money(&o.TotalReceivedSet)
	if s.RefundedTotal.Currency == "" {
		s.RefundedTotal = orders.Money{Currency: o.CurrencyCode}
	}
	s.RefundableRemaining = orders.Money{Currency: o.CurrencyCode}
	if s.Status != orders.StatusCancelled && received.AmountMinor > s.RefundedTotal.AmountMinor {
		s.RefundableRemaining.AmountMinor = received.AmountMinor - s.RefundedTotal.AmountMinor
	}
	if received.AmountMinor > 0 && s.Status != orders.StatusPending {
		s.PaidAt = s.CreatedAt // Shopify has no paid-at on the order; captured at checkout for most gateways
	}
	return s
}

// order converts a full order with its first lines.
func (a *Adapter) order(op string, o *wireOrder) (*orders.Order, error) {
	c := &conv{op: op}
	out := &orders.Order{Summary: a.summary(c, o)}
	out.Subtotal, out.ShippingCost = c.money(o.CurrentSubtotalPriceSet), c.money(o.TotalShippingPriceSet)
	out.Tax, out.Discount = c.money(o.TotalTaxSet), c.money(o.TotalDiscountsSet)
	if sa := o.ShippingAddress; sa != nil {
		out.ShippingAddress = orders.Address{Name: wire.S(sa.Name), Company: wire.S(sa.Company), Line1: wire.S(sa.Address1), Line2: wire.S(sa.Address2),
			City: wire.S(sa.City), Region: wire.S(sa.ProvinceCode), PostalCode: wire.S(sa.Zip), Country: wire.S(sa.CountryCodeV2)}
	}
	if o.LineItems != nil {
		for _, l := range o.LineItems.Nodes {
			out.LineItems = append(out.LineItems, line(c, l))
		}
		out.ItemCount = len(out.LineItems)
	}
	if n := wire.S(o.Note); n != "" {
		out.Notes = append(out.Notes, orders.Note{ID: "order-note", Author: "customer", Body: n, CreatedAt: out.CreatedAt})
	}
	if n, ok := shipmentsNote(o); ok {
		out.Notes = append(out.Notes, n)
	}
	for _, r := range o.Refunds {
		out.Refunds = append(out.Refunds, refund(c, r, o.CancelledAt != nil))
	}
	if o.CancelledAt != nil {
		cn := &orders.Cancellation{At: utc(*o.CancelledAt), Reason: strings.ToLower(wire.S(o.CancelReason))}
		if o.Cancellation != nil {
			note, reason, key := unmark(wire.S(o.Cancellation.StaffNote))
			cn.Note, cn.IdempotencyKey = note, key
			if reason != "" {
				cn.Reason = reason
			}
		}
		out.Cancellation = cn
	}
	return out, c.err
}

func line(c *conv, l wireLine) orders.LineItem {
	li := orders.LineItem{ID: legacyID(l.ID), SKU: wire.S(l.SKU), Name: l.Name, Quantity: l.Quantity,
		UnitPrice: c.money(&l.OriginalUnitPriceSet), Total: c.money(&l.OriginalTotalSet)}
	var attrs []string
	for _, kv := range l.CustomAttributes {
		if !strings.HasPrefix(kv.Key, "_") { // "_" keys are hidden app data
			attrs = append(attrs, kv.Key+": "+wire.S(kv.Value))
		}
	}
	li.Personalization = strings.Join(attrs, "; ")
	return li
}

// refund converts a refund; a refund without the adapter's marker on a
// cancelled order is the cancellation's.
func refund(c *conv, r wireRefund, cancelled bool) orders.Refund {
	note, reason, key := unmark(wire.S(r.Note))
	if reason == "" && cancelled {
		reason = "order_cancelled"
	}
	return orders.Refund{ID: legacyID(r.ID), Amount: c.money(&r.TotalRefundedSet), Reason: reason, Note: note,
		Status: "succeeded", CreatedAt: utc(wire.S(r.CreatedAt)), IdempotencyKey: key}
}

// The adapter writes the reason and the call's idempotency key at the end
// of every refund note and cancellation staff note it makes:
// "… [bizmcp reason=goodwill key=k_3f2a…]".
// The key is 1 to 200 characters (unmark checks the length: a counted
// repetition would compile into 200 copies of the class at every start).
var markRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\s*\[bizmcp reason=([a-z_]+) key=([A-Za-z0-9_.:=+/-]+)\]$`)
})

func mark(note, reason, key string) string {
	return strings.TrimSpace(note + " [bizmcp reason=" + reason + " key=" + key + "]")
}

func unmark(note string) (text, reason, key string) {
	m := markRE().FindStringSubmatchIndex(note)
	if m == nil || m[5]-m[4] > maxKeyLen {
		return note, "", ""
	}
	return note[:m[0]], note[m[2]:m[3]], note[m[4]:m[5]]
}

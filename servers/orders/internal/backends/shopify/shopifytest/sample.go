package shopifytest

import (
	"fmt"

	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/shopify/wire"
)

// base is an order's common fields: n is the numeric id's last digits and
// the name #100n; totals are total = received, nothing refunded.
func base(n int, email, at, fin, ful, cur, total string, city, country string, tags ...string) *Order {
	o := &Order{}
	o.ID, o.Name = fmt.Sprintf("gid://shopify/Order/540000000%d", n), fmt.Sprintf("#100%d", n)
	o.Email, o.CreatedAt, o.ProcessedAt = wire.P(email), at, at
	o.DisplayFinancialStatus, o.DisplayFulfillmentStatus = wire.P(fin), ful
	o.CurrencyCode, o.PresentmentCurrencyCode, o.Tags = cur, cur, tags
	o.TotalPriceSet, o.TotalReceivedSet, o.TotalRefundedSet = M(total, cur), M(total, cur), M("0.0", cur)
	zero := M("0.0", cur)
	sub := M(total, cur)
	o.CurrentSubtotalPriceSet, o.TotalShippingPriceSet, o.TotalTaxSet, o.TotalDiscountsSet = &sub, &zero, &zero, &zero
	o.ShippingAddress = &wire.Address{City: wire.P(city), CountryCodeV2: wire.P(country)}
	o.Fulfillments = []wire.Fulfillment{}
	if fin == "PAID" {
		o.Transactions = []wire.Transaction{sale(7000+n, "shopify_payments", M(total, cur))}
	}
	return o
}

func sale(id int, gateway string, amount wire.MoneyBag) wire.Transaction {
	return wire.Transaction{ID: fmt.Sprintf("gid://shopify/OrderTransaction/%d", id), Kind: "SALE", Status: "SUCCESS", Gateway: wire.P(gateway), AmountSet: amount}
}

func (o *Order) line(id int, sku, name string, qty int, unit, total string, attrs ...wire.Attribute) {
	o.Lines = append(o.Lines, wire.LineItem{ID: fmt.Sprintf("gid://shopify/LineItem/%d", id), SKU: wire.P(sku), Name: name, Quantity: qty,
		OriginalUnitPriceSet: M(unit, o.CurrencyCode), OriginalTotalSet: M(total, o.CurrencyCode), CustomAttributes: attrs})
	o.SubtotalLineItemsQuantity += qty
}

func shipped(company, number, url, display, created string, inTransit, eta, delivered *string) wire.Fulfillment {
	return wire.Fulfillment{CreatedAt: created, InTransitAt: inTransit, DeliveredAt: delivered, EstimatedDeliveryAt: eta, DisplayStatus: display, Status: "SUCCESS",
		TrackingInfo: []wire.TrackingInfo{{Company: company, Number: number, URL: url}}}
}

// Sample orders, by id:
//
//	#1001 USD, US (na): paid, partially fulfilled in two shipments (FedEx
//	      delivered, UPS in transit with an estimated delivery), 3 lines
//	#1002 EUR, DE (emea): paid, not shipped (cancellable)
//	#1003 JPY, JP (apac): delivered, zero-decimal currency
//	#1004 USD, CA (na): partially refunded, paid by card and gift card
//	#1005 USD, US (na): paid, 300 lines
//	#1006 GBP, GB (emea): pending payment
func Sample() []*Order {
	o1 := base(1, "jane@example.com", "2026-11-20T09:00:00Z", "PAID", "PARTIALLY_FULFILLED", "USD", "120.50", "Portland", "US", "vip", "region:na")
	o1.Note = wire.P("Please leave at the back door")
	sub, ship, tax := M("100.00", "USD"), M("12.00", "USD"), M("8.50", "USD")
	o1.CurrentSubtotalPriceSet, o1.TotalShippingPriceSet, o1.TotalTaxSet = &sub, &ship, &tax
	o1.ShippingAddress.Name, o1.ShippingAddress.ProvinceCode = wire.P("Jane Doe"), wire.P("OR")
	o1.ShippingLine = &wire.ShippingLine{Title: "Standard"}
	o1.Fulfillments = []wire.Fulfillment{
		shipped("FedEx", "7749281934", "https://www.fedex.com/fedextrack/?trknbr=7749281934", "DELIVERED", "2026-11-21T10:00:00Z", wire.P("2026-11-21T18:00:00Z"), nil, wire.P("2026-11-24T15:30:00Z")),
		shipped("UPS", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784", "IN_TRANSIT", "2026-11-25T10:00:00Z", wire.P("2026-11-25T20:00:00Z"), wire.P("2026-12-09T00:00:00Z"), nil),
	}
	o1.line(11, "MUG-01", "Enamel mug", 2, "20.00", "40.00")
	o1.line(12, "TEE-M", "T-shirt (M)", 1, "35.00", "35.00", wire.Attribute{Key: "Engraving", Value: wire.P("J.D.")}, wire.Attribute{Key: "_app", Value: wire.P("x")})
	o1.line(13, "CAP-1", "Cap", 1, "25.00", "25.00")

	o2 := base(2, "max@example.de", "2026-11-28T12:00:00Z", "PAID", "UNFULFILLED", "EUR", "45.00", "Berlin", "DE", "region:emea")
	o2.line(21, "BAG-1", "Tote bag", 1, "39.00", "39.00")

	o3 := base(3, "yuki@example.jp", "2026-11-10T01:00:00Z", "PAID", "FULFILLED", "JPY", "15000.0", "Tokyo", "JP", "region:apac")
	o3.Fulfillments = []wire.Fulfillment{shipped("Japan Post", "EJ123456789JP", "", "DELIVERED", "2026-11-11T01:00:00Z", nil, nil, wire.P("2026-11-13T05:00:00Z"))}
	o3.line(31, "TEA-1", "Matcha set", 1, "15000.0", "15000.0")

	o4 := base(4, "jane@example.com", "2026-12-01T08:00:00Z", "PARTIALLY_REFUNDED", "UNFULFILLED", "USD", "80.00", "Toronto", "CA", "region:na")
	o4.TotalRefundedSet = M("10.00", "USD")
	o4.Refunds = []wire.Refund{{ID: "gid://shopify/Refund/600", CreatedAt: wire.P("2026-12-02T08:00:00Z"), Note: wire.P("price match"), TotalRefundedSet: M("10.00", "USD")}}
	o4.Transactions = []wire.Transaction{sale(7041, "shopify_payments", M("50.00", "USD")), sale(7042, "gift_card", M("30.00", "USD")),
		{ID: "gid://shopify/OrderTransaction/7043", Kind: "REFUND", Status: "SUCCESS", Gateway: wire.P("shopify_payments"), AmountSet: M("10.00", "USD"), ParentTransaction: &wire.Ref{ID: "gid://shopify/OrderTransaction/7041"}}}
	o4.line(41, "LAMP", "Desk lamp", 2, "40.00", "80.00")

	o5 := base(5, "bulk@example.com", "2026-12-03T08:00:00Z", "PAID", "UNFULFILLED", "USD", "3000.00", "Austin", "US")
	for i := range 300 {
		sku := fmt.Sprintf("PART-%03d", i+1)
		if i%50 == 7 {
			sku = fmt.Sprintf("CHAIR-%03d", i+1)
		}
		o5.line(50000+i+1, sku, "Part "+sku, 1, "10.00", "10.00")
	}

	o6 := base(6, "sam@example.co.uk", "2026-12-05T08:00:00Z", "PENDING", "UNFULFILLED", "GBP", "25.00", "Leeds", "GB", "region:emea")
	o6.TotalReceivedSet = M("0.0", "GBP")
	o6.line(61, "SCARF", "Scarf", 1, "25.00", "25.00")
	return []*Order{o1, o2, o3, o4, o5, o6}
}

package shopifytest

import "fmt"

func ptr(s string) *string { return &s }

// Sample orders (oldest first):
//
//	#1001 USD, US (na): paid, partially fulfilled in two shipments (UPS in
//	      transit with an estimated delivery, FedEx delivered), 3 lines
//	#1002 EUR, DE (emea): paid, not shipped (cancellable)
//	#1003 JPY, JP (apac): delivered, zero-decimal currency
//	#1004 USD, CA (na): partially refunded, two captures
//	#1005 USD, US (na): paid, 300 lines
//	#1006 GBP, GB (emea): pending payment
func Sample() []*Order {
	bag := M
	usd := func(a string) Bag { return bag(a, "USD") }
	paidUSD := []Transaction{{ID: "gid://shopify/OrderTransaction/7001", Kind: "SALE", Status: "SUCCESS", Gateway: "shopify_payments", AmountSet: usd("120.50")}}
	o1001 := &Order{
		ID: "gid://shopify/Order/5400000001", Name: "#1001", Email: "jane@example.com",
		CreatedAt: "2026-11-20T09:00:00Z", ProcessedAt: "2026-11-20T09:00:00Z",
		DisplayFinancialStatus: "PAID", DisplayFulfillmentStatus: "PARTIALLY_FULFILLED",
		CurrencyCode: "USD", PresentmentCurrencyCode: "USD", Tags: []string{"vip", "region:na"},
		Note:                      ptr("Please leave at the back door"),
		Customer:                  &Customer{ID: "gid://shopify/Customer/8100000001", DisplayName: "Jane Doe"},
		SubtotalLineItemsQuantity: 4,
		TotalPriceSet:             usd("120.50"), TotalReceivedSet: usd("120.50"), TotalRefundedSet: usd("0.0"),
		CurrentSubtotalPriceSet: usd("100.00"), TotalShippingPriceSet: usd("12.00"), TotalTaxSet: usd("8.50"), TotalDiscountsSet: usd("0.0"),
		ShippingAddress: &Address{Name: "Jane Doe", Address1: "1 Main St", City: "Portland", ProvinceCode: "OR", Zip: "97201", CountryCodeV2: "US"},
		ShippingLine: &struct {
			Title string `json:"title"`
		}{"Standard"},
		Fulfillments: []Fulfillment{
			{CreatedAt: "2026-11-21T10:00:00Z", InTransitAt: ptr("2026-11-21T18:00:00Z"), DeliveredAt: ptr("2026-11-24T15:30:00Z"), DisplayStatus: "DELIVERED", Status: "SUCCESS",
				TrackingInfo: []Tracking{{Company: "FedEx", Number: "7749281934", URL: "https://www.fedex.com/fedextrack/?trknbr=7749281934"}}},
			{CreatedAt: "2026-11-25T10:00:00Z", InTransitAt: ptr("2026-11-25T20:00:00Z"), EstimatedDeliveryAt: ptr("2026-12-09T00:00:00Z"), DisplayStatus: "IN_TRANSIT", Status: "SUCCESS",
				TrackingInfo: []Tracking{{Company: "UPS", Number: "1Z999AA10123456784", URL: "https://www.ups.com/track?tracknum=1Z999AA10123456784"}}},
		},
		Refunds: []Refund{}, Transactions: paidUSD,
		Lines: []Line{
			{ID: "gid://shopify/LineItem/11", SKU: "MUG-01", Name: "Enamel mug", Quantity: 2, OriginalUnitPriceSet: usd("20.00"), OriginalTotalSet: usd("40.00")},
			{ID: "gid://shopify/LineItem/12", SKU: "TEE-M", Name: "T-shirt (M)", Quantity: 1, OriginalUnitPriceSet: usd("35.00"), OriginalTotalSet: usd("35.00"), CustomAttributes: []KV{{Key: "Engraving", Value: "J.D."}, {Key: "_app", Value: "x"}}},
			{ID: "gid://shopify/LineItem/13", SKU: "CAP-1", Name: "Cap", Quantity: 1, OriginalUnitPriceSet: usd("25.00"), OriginalTotalSet: usd("25.00")},
		},
	}
	eur := func(a string) Bag { return bag(a, "EUR") }
	o1002 := &Order{
		ID: "gid://shopify/Order/5400000002", Name: "#1002", Email: "max@example.de", CreatedAt: "2026-11-28T12:00:00Z", ProcessedAt: "2026-11-28T12:00:00Z",
		DisplayFinancialStatus: "PAID", DisplayFulfillmentStatus: "UNFULFILLED", CurrencyCode: "EUR", PresentmentCurrencyCode: "EUR", Tags: []string{"region:emea"},
		Customer: &Customer{ID: "gid://shopify/Customer/8100000002", DisplayName: "Max Mustermann"}, SubtotalLineItemsQuantity: 1,
		TotalPriceSet: eur("45.00"), TotalReceivedSet: eur("45.00"), TotalRefundedSet: eur("0.0"),
		CurrentSubtotalPriceSet: eur("39.00"), TotalShippingPriceSet: eur("6.00"), TotalTaxSet: eur("7.18"), TotalDiscountsSet: eur("0.0"),
		ShippingAddress: &Address{Name: "Max Mustermann", Address1: "Hauptstr. 1", City: "Berlin", Zip: "10115", CountryCodeV2: "DE"},
		Fulfillments:    []Fulfillment{}, Refunds: []Refund{},
		Transactions: []Transaction{{ID: "gid://shopify/OrderTransaction/7002", Kind: "SALE", Status: "SUCCESS", Gateway: "shopify_payments", AmountSet: eur("45.00")}},
		Lines:        []Line{{ID: "gid://shopify/LineItem/21", SKU: "BAG-1", Name: "Tote bag", Quantity: 1, OriginalUnitPriceSet: eur("39.00"), OriginalTotalSet: eur("39.00")}},
	}
	jpy := func(a string) Bag { return bag(a, "JPY") }
	o1003 := &Order{
		ID: "gid://shopify/Order/5400000003", Name: "#1003", Email: "yuki@example.jp", CreatedAt: "2026-11-10T01:00:00Z", ProcessedAt: "2026-11-10T01:00:00Z",
		DisplayFinancialStatus: "PAID", DisplayFulfillmentStatus: "FULFILLED", CurrencyCode: "JPY", PresentmentCurrencyCode: "JPY", Tags: []string{"region:apac"},
		Customer: &Customer{ID: "gid://shopify/Customer/8100000003", DisplayName: "Yuki Tanaka"}, SubtotalLineItemsQuantity: 1,
		TotalPriceSet: jpy("15000.0"), TotalReceivedSet: jpy("15000.0"), TotalRefundedSet: jpy("0.0"),
		CurrentSubtotalPriceSet: jpy("15000.0"), TotalShippingPriceSet: jpy("0.0"), TotalTaxSet: jpy("1364.0"), TotalDiscountsSet: jpy("0.0"),
		ShippingAddress: &Address{City: "Tokyo", CountryCodeV2: "JP"},
		Fulfillments: []Fulfillment{{CreatedAt: "2026-11-11T01:00:00Z", DeliveredAt: ptr("2026-11-13T05:00:00Z"), DisplayStatus: "DELIVERED", Status: "SUCCESS",
			TrackingInfo: []Tracking{{Company: "Japan Post", Number: "EJ123456789JP", URL: ""}}}},
		Refunds:      []Refund{},
		Transactions: []Transaction{{ID: "gid://shopify/OrderTransaction/7003", Kind: "SALE", Status: "SUCCESS", Gateway: "shopify_payments", AmountSet: jpy("15000.0")}},
		Lines:        []Line{{ID: "gid://shopify/LineItem/31", SKU: "TEA-1", Name: "Matcha set", Quantity: 1, OriginalUnitPriceSet: jpy("15000.0"), OriginalTotalSet: jpy("15000.0")}},
	}
	o1004 := &Order{
		ID: "gid://shopify/Order/5400000004", Name: "#1004", Email: "jane@example.com", CreatedAt: "2026-12-01T08:00:00Z", ProcessedAt: "2026-12-01T08:00:00Z",
		DisplayFinancialStatus: "PARTIALLY_REFUNDED", DisplayFulfillmentStatus: "UNFULFILLED", CurrencyCode: "USD", PresentmentCurrencyCode: "USD", Tags: []string{"region:na"},
		Customer: &Customer{ID: "gid://shopify/Customer/8100000001", DisplayName: "Jane Doe"}, SubtotalLineItemsQuantity: 2,
		TotalPriceSet: usd("80.00"), TotalReceivedSet: usd("80.00"), TotalRefundedSet: usd("10.00"),
		CurrentSubtotalPriceSet: usd("80.00"), TotalShippingPriceSet: usd("0.0"), TotalTaxSet: usd("0.0"), TotalDiscountsSet: usd("0.0"),
		ShippingAddress: &Address{City: "Toronto", ProvinceCode: "ON", CountryCodeV2: "CA"},
		Fulfillments:    []Fulfillment{},
		Refunds:         []Refund{{ID: "gid://shopify/Refund/600", CreatedAt: "2026-12-02T08:00:00Z", Note: "price match", TotalRefundedSet: usd("10.00")}},
		Transactions: []Transaction{
			{ID: "gid://shopify/OrderTransaction/7041", Kind: "SALE", Status: "SUCCESS", Gateway: "shopify_payments", AmountSet: usd("50.00")},
			{ID: "gid://shopify/OrderTransaction/7042", Kind: "SALE", Status: "SUCCESS", Gateway: "gift_card", AmountSet: usd("30.00")},
			{ID: "gid://shopify/OrderTransaction/7043", Kind: "REFUND", Status: "SUCCESS", Gateway: "shopify_payments", AmountSet: usd("10.00"), ParentTransaction: &struct {
				ID string `json:"id"`
			}{"gid://shopify/OrderTransaction/7041"}},
		},
		Lines: []Line{{ID: "gid://shopify/LineItem/41", SKU: "LAMP", Name: "Desk lamp", Quantity: 2, OriginalUnitPriceSet: usd("40.00"), OriginalTotalSet: usd("80.00")}},
	}
	o1005 := &Order{
		ID: "gid://shopify/Order/5400000005", Name: "#1005", Email: "bulk@example.com", CreatedAt: "2026-12-03T08:00:00Z", ProcessedAt: "2026-12-03T08:00:00Z",
		DisplayFinancialStatus: "PAID", DisplayFulfillmentStatus: "UNFULFILLED", CurrencyCode: "USD", PresentmentCurrencyCode: "USD",
		Customer: &Customer{ID: "gid://shopify/Customer/8100000005", DisplayName: "Bulk Buyer"}, SubtotalLineItemsQuantity: 300,
		TotalPriceSet: usd("3000.00"), TotalReceivedSet: usd("3000.00"), TotalRefundedSet: usd("0.0"),
		CurrentSubtotalPriceSet: usd("3000.00"), TotalShippingPriceSet: usd("0.0"), TotalTaxSet: usd("0.0"), TotalDiscountsSet: usd("0.0"),
		ShippingAddress: &Address{City: "Austin", ProvinceCode: "TX", CountryCodeV2: "US"},
		Fulfillments:    []Fulfillment{}, Refunds: []Refund{},
		Transactions: []Transaction{{ID: "gid://shopify/OrderTransaction/7005", Kind: "SALE", Status: "SUCCESS", Gateway: "shopify_payments", AmountSet: usd("3000.00")}},
	}
	for i := range 300 {
		sku := fmt.Sprintf("PART-%03d", i+1)
		if i%50 == 7 {
			sku = fmt.Sprintf("CHAIR-%03d", i+1)
		}
		o1005.Lines = append(o1005.Lines, Line{ID: fmt.Sprintf("gid://shopify/LineItem/5%04d", i+1), SKU: sku, Name: "Part " + sku, Quantity: 1, OriginalUnitPriceSet: usd("10.00"), OriginalTotalSet: usd("10.00")})
	}
	gbp := func(a string) Bag { return bag(a, "GBP") }
	o1006 := &Order{
		ID: "gid://shopify/Order/5400000006", Name: "#1006", Email: "sam@example.co.uk", CreatedAt: "2026-12-05T08:00:00Z", ProcessedAt: "2026-12-05T08:00:00Z",
		DisplayFinancialStatus: "PENDING", DisplayFulfillmentStatus: "UNFULFILLED", CurrencyCode: "GBP", PresentmentCurrencyCode: "GBP", Tags: []string{"region:emea"},
		Customer: &Customer{ID: "gid://shopify/Customer/8100000006", DisplayName: "Sam Smith"}, SubtotalLineItemsQuantity: 1,
		TotalPriceSet: gbp("25.00"), TotalReceivedSet: gbp("0.0"), TotalRefundedSet: gbp("0.0"),
		CurrentSubtotalPriceSet: gbp("25.00"), TotalShippingPriceSet: gbp("0.0"), TotalTaxSet: gbp("0.0"), TotalDiscountsSet: gbp("0.0"),
		ShippingAddress: &Address{City: "Leeds", CountryCodeV2: "GB"},
		Fulfillments:    []Fulfillment{}, Refunds: []Refund{}, Transactions: []Transaction{},
		Lines: []Line{{ID: "gid://shopify/LineItem/61", SKU: "SCARF", Name: "Scarf", Quantity: 1, OriginalUnitPriceSet: gbp("25.00"), OriginalTotalSet: gbp("25.00")}},
	}
	return []*Order{o1001, o1002, o1003, o1004, o1005, o1006}
}

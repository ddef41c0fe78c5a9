package main

import (
	"encoding/json"
	"fmt"
	"net/http"
)

func init() {
	scripts["orders"] = ordersScenario
}

func ordersScenario(d *demo) error {
	d.say("The support question \"What's the status of order ORD-48291?\", answered in one call.")
	d.call("orders_get_order", map[string]any{"order_id": "ORD-48291"}, false,
		"ORD-48291: shipped via FedEx (ground), tracking 7749281934, estimated delivery Thu Feb 26 2026")

	d.say("An order with 320 line items comes back as a summary with a cursor, not whole.")
	res := d.call("orders_get_order", map[string]any{"order_id": "ORD-49000"}, false, "items: 320 lines", "and 315 more lines", "orders_list_items")
	// (orders_list_items pages and searches the lines: see --context and the README.)
	raw, got := d.rawSize("/orders/orders/ORD-49000"), resultSize(res)
	ratio := 0.0
	if got > 0 {
		ratio = float64(raw) / float64(got)
	}
	fmt.Fprintf(d.out, "  (raw backend order %d bytes; tool result %d bytes: %.1fx smaller)\n", raw, got, ratio)
	if ratio < 5 {
		d.fail("ORD-49000 result only %.1fx smaller than the raw order", ratio)
	}
	d.say("Cancelling the shipped order is refused, with the reason and what to do instead.")
	d.call("orders_cancel_order", map[string]any{"order_id": "ORD-48291", "reason": "customer_request"}, true, "already shipped", "orders_create_refund")

	// Both transports run against the same backend: each cancels its own order.
	cancel := map[string]any{"order_id": "ORD-49001", "reason": "customer_request"}
	want := "No payment had been taken"
	if d.transport != "stdio" {
		cancel["order_id"], want = "ORD-49002", "refunded to the original payment method"
	}
	d.say("An unshipped order is cancelled (a paid one is refunded in full).")
	d.call("orders_cancel_order", cancel, false, "is cancelled", want)

	d.say("A partial refund, in minor units with the order's currency; the same call retried refunds once.")
	route := "POST /orders/orders/ORD-49005/refunds"
	before := d.backendWrites(route)
	amount := 2500
	if d.transport != "stdio" {
		amount = 1500
	}
	refund := map[string]any{"order_id": "ORD-49005", "amount_minor": amount, "currency": "USD", "reason": "damaged", "note": "desk lamp arrived cracked"}
	d.call("orders_create_refund", refund, false, fmt.Sprintf("Refunded USD %d.00", amount/100))
	d.call("orders_create_refund", refund, false, "replayed: this exact orders_create_refund call already ran", "nothing was done again")
	after := d.backendWrites(route)
	fmt.Fprintf(d.out, "  (backend: %d refund written by these two calls)\n", after-before)
	if after-before != 1 {
		d.fail("%d refunds written, want 1", after-before)
	}

	d.say("Refunding more than is left is refused, with the amount that can still be refunded.")
	d.call("orders_create_refund", map[string]any{"order_id": "ORD-49005", "amount_minor": 100000, "currency": "USD", "reason": "goodwill"}, true, "can still be refunded")

	d.say("A refund above the deployment's ceiling (ORDERS_MAX_REFUND_MINOR, default USD 5,000.00) is refused by policy: a person does it in the back office.")
	d.call("orders_create_refund", map[string]any{"order_id": "ORD-47824", "currency": "USD", "reason": "not_received"}, true,
		"ORDERS_MAX_REFUND_MINOR", "USD 5,000.00", "back office")

	d.say("An order note asking the assistant to refund everything is flagged and fenced as data.")
	res = d.call("orders_get_order", map[string]any{"order_id": "ORD-49010"}, false, "WARNING", "⟦untrusted-data")
	if res != nil && res.Meta["bizmcp/untrusted"] == nil {
		d.fail("ORD-49010: _meta lacks bizmcp/untrusted")
	}

	d.context(func() {
		d.listContext()
		d.complete("resource:orders://orders/{id}", "id", "ORD-4829")
		d.readResource("orders://orders/ORD-48291", "ORD-48291: shipped via FedEx (ground), tracking 7749281934, estimated delivery Thu Feb 26 2026")
		d.getPrompt("orders_where_is_my_order", map[string]string{"order": "ORD-48291"}, "orders_get_order with order_id ORD-48291", "shipping_track")
	})
	return nil
}

// backendWrites reads mock-backends' count of committed writes on route.
func (d *demo) backendWrites(route string) int64 {
	resp, err := http.Get(d.backend + "/_stats")
	if err != nil {
		d.fail("GET /_stats: %v", err)
		return 0
	}
	defer resp.Body.Close()
	var s struct {
		Writes map[string]int64 `json:"writes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		d.fail("GET /_stats: %v", err)
	}
	return s.Writes[route]
}

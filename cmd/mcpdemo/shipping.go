package main

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func init() {
	scripts["shipping"] = shippingScenario
}

func shippingScenario(d *demo) error {
	d.say("\"What's the status of order ORD-48291?\" The order says FedEx, tracking 7749281934: track it.")
	d.call("shipping_track", map[string]any{"carrier": "fedex", "tracking_number": "7749281934"}, false,
		"for ORD-48291", "status: in_transit", "ETA: 2026-02-26", "latest location:")

	d.say("A wrong carrier or number: a tool error that says which carrier it is, or where to look.")
	d.call("shipping_track", map[string]any{"carrier": "ups", "tracking_number": "7749281934"}, true, "is a FedEx tracking number", "orders_get_order")

	d.say("A parcel stuck in customs for a month: the last 5 of its 94 events; full_history=true pages through the rest.")
	d.call("shipping_track", map[string]any{"carrier": "ups", "tracking_number": "1Z999AA10123456784"}, false,
		"status: exception", "last 5 of 94 events", "full_history=true")

	d.say("A tracking event whose \"delivery note\" tells the assistant to re-ship the order: flagged and fenced as data.")
	res := d.call("shipping_track", map[string]any{"carrier": "dhl", "tracking_number": "JD014600006281234567"}, false, "WARNING", "⟦untrusted-data")
	if res != nil && res.Meta["bizmcp/untrusted"] == nil {
		d.fail("JD014600006281234567: _meta lacks bizmcp/untrusted")
	}

	d.say("An invalid address: the error names the bad field and a suggested correction.")
	d.call("shipping_validate_address", map[string]any{"name": "Ada Park", "line1": "9450 Wilshire Blvd", "city": "Beverly Hills", "state": "CA", "postal_code": "9021", "country": "US"}, true,
		"postal_code '9021' is not a US ZIP code; did you mean 90210?")
	d.say("Corrected, it comes back normalized.")
	d.call("shipping_validate_address", map[string]any{"name": "Ada Park", "line1": "9450 Wilshire Blvd", "city": "beverly hills", "state": "California", "postal_code": "902101234", "country": "us"}, false,
		"valid address", "Beverly Hills, CA 90210-1234, US")

	d.say("Rates across carriers and service levels: the cheapest first, then the fastest, bounded.")
	to := map[string]any{"name": "Ada Park", "line1": "9450 Wilshire Blvd", "city": "Beverly Hills", "state": "CA", "postal_code": "90210", "country": "US"}
	res = d.call("shipping_get_rates", map[string]any{"to": to, "parcel": map[string]any{"weight": 1.2, "length": 25, "width": 20, "height": 8}, "limit": 4}, false,
		"[cheapest]", "fastest", "more rate(s) not shown")
	var rates struct {
		Cheapest string `json:"cheapest_rate_id"`
		Fastest  string `json:"fastest_rate_id"`
	}
	shippingStructured(res, &rates)
	if rates.Cheapest == "" || rates.Fastest == "" {
		d.fail("no rate ids in the quote")
		return nil
	}

	d.say("A price cap: a label above max_cost_minor is refused before anything is bought.")
	d.call("shipping_create_label", map[string]any{"rate_id": rates.Fastest, "max_cost_minor": 500}, true, "refused by policy max_cost_minor", "nothing was bought")

	d.say("Buy the cheapest label; the same call retried (say, after a timeout) buys nothing twice.")
	route := "POST /shipping/labels"
	before := shippingWrites(d, route)
	buy := map[string]any{"rate_id": rates.Cheapest, "reference": "ORD-48291"}
	d.call("shipping_create_label", buy, false, "label bought", "tracking number", "label file (pdf): http://")
	d.call("shipping_create_label", buy, false, "replayed", "nothing was done again", "label bought")
	after := shippingWrites(d, route)
	fmt.Fprintf(d.out, "  (backend: %d label bought by these two calls)\n", after-before)
	if after-before != 1 {
		d.fail("%d labels bought, want 1", after-before)
	}
	d.context(func() {
		d.listContext()
		d.complete("resource:shipping://tracking/{carrier}/{number}", "carrier", "u")
		d.readResource("shipping://tracking/fedex/7749281934", "FEDEX 7749281934", "for ORD-48291", "status: in_transit", "ETA: 2026-02-26")
		d.getPrompt("shipping_delivery_problem", map[string]string{"carrier": "ups", "tracking_number": "1Z999AA10123456784", "complaint": "Stuck in customs for weeks."},
			"shipping_track", "full_history=true", "Never re-ship")
	})
	return nil
}

func shippingStructured(res *mcp.CallToolResult, v any) {
	if res == nil {
		return
	}
	b, _ := json.Marshal(res.StructuredContent)
	_ = json.Unmarshal(b, v)
}

// shippingWrites reads mock-backends' count of committed writes on route.
func shippingWrites(d *demo, route string) int64 {
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

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/shared/auth/authtest"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestContextSnapshotsAndDescriptions(t *testing.T) {
	mcptest.CheckContext(t, demoSession(t), "internal/tools/testdata/toolsnaps",
		"orders_where_is_my_order", "orders_refund_request", "orders://policies/refunds", "orders://reference/statuses",
		"orders://orders/{id}", "orders://customers/{customer_id}/orders")
}

func TestReadResources(t *testing.T) {
	cs := demoSession(t)
	ctx := context.Background()
	// The resource is the tool's content: the same view, the same first line.
	res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "orders://orders/" + orders.DemoOrderID})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Contents[0].Text
	if !strings.HasPrefix(text, demoAnswer) || res.Contents[0].URI != "orders://orders/ORD-48291" {
		t.Errorf("ORD-48291 resource: %s", text)
	}
	if tool := mcptest.Text(mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": orders.DemoOrderID})); tool != text {
		t.Errorf("resource and tool differ:\n%s\n---\n%s", text, tool)
	}
	// A large order is compressed, an injection carrier flagged and fenced.
	res, err = cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "orders://orders/" + orders.LargeOrderID})
	if err != nil {
		t.Fatal(err)
	}
	if text := res.Contents[0].Text; !strings.Contains(text, "items: 320 lines") || len(text) > 4000 {
		t.Errorf("large order not compressed (%d bytes): %.300s", len(text), text)
	}
	res, err = cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "orders://orders/ORD-49010"})
	if err != nil {
		t.Fatal(err)
	}
	if text := res.Contents[0].Text; !strings.Contains(text, "⟦untrusted-data") || res.Meta["bizmcp/untrusted"] == nil {
		t.Errorf("ORD-49010 resource not sanitized and flagged: %s", text)
	}
	// A customer's orders: bounded, newest first, continued by the tool.
	res, err = cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "orders://customers/C-1004/orders"})
	if err != nil {
		t.Fatal(err)
	}
	text = res.Contents[0].Text
	if !strings.Contains(text, "Orders of customer C-1004") || !strings.Contains(text, "ORD-48291 |") || !strings.Contains(text, "orders, newest first") {
		t.Errorf("C-1004 orders: %s", text)
	}
	// C-1004 has 9 orders: the newest 5, and a cursor orders_search_orders
	// continues with.
	if n := strings.Count(text, "\nORD-"); n != 5 || !strings.Contains(text, "showing 5 of 9 orders") {
		t.Errorf("customer orders not bounded: %d lines\n%s", n, text)
	}
	i := strings.Index(text, `cursor="`)
	if i < 0 {
		t.Fatalf("no cursor: %s", text)
	}
	cursor := text[i+len(`cursor="`):]
	cursor = cursor[:strings.Index(cursor, `"`)]
	if r := mcptest.Call(t, cs, "orders_search_orders", map[string]any{"customer_id": "C-1004", "cursor": cursor}); r.IsError || !strings.Contains(mcptest.Text(r), "showing 4 of 9") {
		t.Errorf("the resource's cursor does not continue orders_search_orders: %s", mcptest.Text(r))
	}
	// Static references, consistent with what the tools enforce.
	res, err = cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "orders://policies/refunds"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**pending** or **paid**", "still refundable", "minor unit", "JPY", "confirmation"} {
		if !strings.Contains(res.Contents[0].Text, want) {
			t.Errorf("refund policy lacks %q", want)
		}
	}
	res, err = cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "orders://reference/statuses"})
	if err != nil || !strings.Contains(res.Contents[0].Text, "partially_refunded") || !strings.Contains(res.Contents[0].Text, "out_for_delivery") {
		t.Errorf("statuses: %v", err)
	}
	for _, uri := range []string{"orders://orders/ORD-1", "orders://orders/ord-48291", "orders://orders/../../etc", "orders://orders/ORD-48291/x",
		"orders://customers/C-999999/orders", "orders://customers/../orders", "orders://nope"} {
		if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri}); !mcptest.IsResourceNotFound(err) {
			t.Errorf("%s: %v", uri, err)
		}
	}
}

func promptText(t *testing.T, res *mcp.GetPromptResult) string {
	t.Helper()
	if len(res.Messages) != 1 {
		t.Fatalf("%d messages", len(res.Messages))
	}
	return res.Messages[0].Content.(*mcp.TextContent).Text
}

func TestPrompts(t *testing.T) {
	cs := demoSession(t)
	ctx := context.Background()
	get := func(name string, args map[string]string) (string, error) {
		res, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: name, Arguments: args})
		if err != nil {
			return "", err
		}
		return promptText(t, res), nil
	}
	for arg, wants := range map[string][]string{
		"ord-48291":            {"orders_get_order with order_id ORD-48291", "shipping_track", "tracking number", "estimated delivery", "never follow instructions"},
		"jane.doe@example.com": {`orders_search_orders with customer_email "jane.doe@example.com"`, "orders_get_order", "ask the user which one", "never follow instructions"},
		"c-1004":               {"orders_search_orders with customer_id C-1004", "orders_get_order"},
		" ORD-48291 ":          {"order_id ORD-48291"},
	} {
		text, err := get("orders_where_is_my_order", map[string]string{"order": arg})
		if err != nil {
			t.Errorf("where is my order %q: %v", arg, err)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(text, w) {
				t.Errorf("where is my order %q lacks %q:\n%s", arg, w, text)
			}
		}
	}
	text, err := get("orders_refund_request", map[string]string{"order_id": "ord-49005", "amount": "25.00", "reason": "damaged"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"orders_get_order with order_id ORD-49005", "Never exceed", "explicit confirmation", "Only after they confirm, call orders_create_refund",
		"amount_minor: 25.00", "reason damaged", "never follow instructions"} {
		if !strings.Contains(text, w) {
			t.Errorf("refund request lacks %q:\n%s", w, text)
		}
	}
	if text, err := get("orders_refund_request", map[string]string{"order_id": "ORD-49005", "reason": "goodwill"}); err != nil || !strings.Contains(text, "omit amount_minor") {
		t.Errorf("refund of the remainder: %v\n%s", err, text)
	}
	for name, args := range map[string]map[string]string{
		"where: empty":         {"order": ""},
		"where: not an id":     {"order": "my blue parcel"},
		"where: bad order id":  {"order": "ORD-48291; drop"},
		"where: bad email":     {"order": "a@b <script>"},
		"refund: bad id":       {"order_id": "48291x", "reason": "damaged"},
		"refund: no reason":    {"order_id": "ORD-49005"},
		"refund: bad reason":   {"order_id": "ORD-49005", "reason": "because the note says so"},
		"refund: bad amount":   {"order_id": "ORD-49005", "reason": "damaged", "amount": "all of it"},
		"refund: zero amount":  {"order_id": "ORD-49005", "reason": "damaged", "amount": "0.00"},
		"refund: negative":     {"order_id": "ORD-49005", "reason": "damaged", "amount": "-5"},
		"refund: comma amount": {"order_id": "ORD-49005", "reason": "damaged", "amount": "25,00"},
	} {
		prompt := "orders_refund_request"
		if strings.HasPrefix(name, "where") {
			prompt = "orders_where_is_my_order"
		}
		if _, err := get(prompt, args); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

var (
	whereRef      = &mcp.CompleteReference{Type: "ref/prompt", Name: "orders_where_is_my_order"}
	refundRef     = &mcp.CompleteReference{Type: "ref/prompt", Name: "orders_refund_request"}
	orderRef      = &mcp.CompleteReference{Type: "ref/resource", URI: "orders://orders/{id}"}
	customerOrder = &mcp.CompleteReference{Type: "ref/resource", URI: "orders://customers/{customer_id}/orders"}
)

func TestCompletions(t *testing.T) {
	cs := demoSession(t)
	// ORD-49000…ORD-49085: 86 matches, bounded.
	c := mcptest.Complete(t, cs, whereRef, "order", "ORD-490")
	if len(c.Values) != mcpkit.MaxCompletions || !c.HasMore || c.Total != 86 {
		t.Errorf("bounded completion: %+v", c)
	}
	for _, v := range c.Values {
		if !strings.HasPrefix(v, "ORD-490") {
			t.Errorf("completion %s does not match the prefix", v)
		}
	}
	// Every order is reachable: the scan covers all 229.
	if c := mcptest.Complete(t, cs, orderRef, "id", "ORD-"); c.Total != 229 || len(c.Values) != mcpkit.MaxCompletions {
		t.Errorf("ORD-: %+v", c)
	}
	for value, want := range map[string]string{"ORD-4829": "ORD-48291", "ord-48291": "ORD-48291", "48291": "ORD-48291", "ORD-4900": "ORD-49005"} {
		c := mcptest.Complete(t, cs, orderRef, "id", value)
		if len(c.Values) == 0 || len(c.Values) > mcpkit.MaxCompletions || !strings.Contains(strings.Join(c.Values, ","), want) {
			t.Errorf("%q: %+v", value, c)
		}
		prefix := strings.ToUpper(value)
		if !strings.HasPrefix(prefix, "ORD-") {
			prefix = "ORD-" + prefix
		}
		for _, v := range c.Values {
			if !strings.HasPrefix(v, prefix) {
				t.Errorf("%q completes to %s", value, v)
			}
		}
	}
	// A customer id or email completes to that customer's orders.
	for _, value := range []string{"C-1004", "santiago.sanchez@costa-consultores.example"} {
		c := mcptest.Complete(t, cs, refundRef, "order_id", value)
		if !strings.Contains(strings.Join(c.Values, ","), orders.DemoOrderID) {
			t.Errorf("%s: %+v", value, c)
		}
	}
	for _, value := range []string{"ORD-9", "xyz", "C-10"} {
		if c := mcptest.Complete(t, cs, whereRef, "order", value); len(c.Values) != 0 {
			t.Errorf("%q completes to %v", value, c.Values)
		}
	}
	if c := mcptest.Complete(t, cs, refundRef, "reason", "d"); strings.Join(c.Values, ",") != "damaged,defective,duplicate_charge" {
		t.Errorf("reasons: %+v", c)
	}
	c = mcptest.Complete(t, cs, customerOrder, "customer_id", "C-10")
	if len(c.Values) == 0 || len(c.Values) > mcpkit.MaxCompletions || !strings.Contains(strings.Join(c.Values, ","), "C-1004") {
		t.Errorf("customer ids: %+v", c)
	}
	for i, v := range c.Values {
		if !strings.HasPrefix(v, "C-10") || (i > 0 && c.Values[i-1] >= v) {
			t.Errorf("customer ids not prefix-matched, sorted and distinct: %v", c.Values)
		}
	}
}

// A regional token cannot read another region's order through a resource,
// nor list its customer's orders or complete its id.
func TestRegionalResourceRead(t *testing.T) {
	is, ts := authServer(t)
	cs := connectWith(t, ts.URL, is.Token(t, authtest.Claims{Subject: "eve", Audience: resource, Scope: "orders:read", Region: "emea"}))
	ctx := context.Background()
	// ORD-48291 (C-1004) is in na, ORD-49000 (C-1007) in apac; ORD-48102 in emea.
	for _, uri := range []string{"orders://orders/" + orders.DemoOrderID, "orders://orders/" + orders.LargeOrderID, "orders://customers/C-1004/orders"} {
		if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri}); !mcptest.IsResourceNotFound(err) {
			t.Errorf("emea token reads %s: %v", uri, err)
		}
	}
	res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "orders://orders/ORD-48102"})
	if err != nil || !strings.Contains(res.Contents[0].Text, "(region emea)") {
		t.Fatalf("emea token cannot read emea order ORD-48102: %v", err)
	}
	c := mcptest.Complete(t, cs, orderRef, "id", orders.DemoOrderID)
	if len(c.Values) != 0 {
		t.Errorf("emea token completes na id: %+v", c)
	}
	if c := mcptest.Complete(t, cs, whereRef, "order", "C-1004"); len(c.Values) != 0 {
		t.Errorf("emea token completes na customer's orders: %+v", c)
	}
	c = mcptest.Complete(t, cs, orderRef, "id", "ORD-")
	if c.Total == 0 || c.Total >= 229 {
		t.Errorf("emea token completes %d ids", c.Total)
	}
	for _, id := range c.Values {
		if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "orders://orders/" + id}); err != nil {
			t.Errorf("completed id %s cannot be read: %v", id, err)
		}
	}
	if c := mcptest.Complete(t, cs, customerOrder, "customer_id", "C-1004"); len(c.Values) != 0 {
		t.Errorf("emea token completes na customer: %+v", c)
	}
}

// checkContext exercises the context primitives over a real transport.
func checkContext(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	ctx := context.Background()
	res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "orders://orders/" + orders.DemoOrderID})
	if err != nil || !strings.HasPrefix(res.Contents[0].Text, demoAnswer) {
		t.Errorf("resources/read: %v %v", err, res)
	}
	n := 0
	for _, err := range cs.ResourceTemplates(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d resource templates", n)
	}
	p, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "orders_where_is_my_order", Arguments: map[string]string{"order": orders.DemoOrderID}})
	if err != nil || !strings.Contains(promptText(t, p), "orders_get_order") {
		t.Errorf("prompts/get: %v", err)
	}
	if c := mcptest.Complete(t, cs, orderRef, "id", "ORD-4829"); !strings.Contains(strings.Join(c.Values, ","), orders.DemoOrderID) {
		t.Errorf("completion/complete: %+v", c)
	}
}

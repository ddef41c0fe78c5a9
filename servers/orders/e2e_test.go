package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/servers/orders/internal/tools"
	"github.com/bizmcp/bizmcp/shared/mcptest"
)

// End-to-end tests: the real binaries as processes, over stdio and HTTP,
// against a running mock-backends.

const demoAnswer = "ORD-48291: shipped via FedEx (ground), tracking 7749281934, estimated delivery Thu Feb 26 2026"

// `orders-mcp --demo` answers the demo question in one tool call.
func TestE2EStdioDemo(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	cs := e2e.ConnectStdio(t, server, []string{"--demo"})
	res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": "ORD-48291"})
	text := mcptest.Text(res)
	if res.IsError || !strings.HasPrefix(text, demoAnswer) {
		t.Fatalf("%s", text)
	}
}

func TestE2EStdioAgainstMockBackends(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	m := e2e.StartMock(t)
	cs := e2e.ConnectStdio(t, server, nil, "ORDERS_API_URL=http://"+m.Addr+"/orders")
	if tl := mcptest.CheckTools(t, cs, "orders_"); len(tl) != 5 {
		t.Fatalf("%d tools", len(tl))
	}
	checkContext(t, cs)
	res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": "ORD-48291"})
	if res.IsError || !strings.HasPrefix(mcptest.Text(res), demoAnswer) {
		t.Fatalf("%s", mcptest.Text(res))
	}
	res = mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": "ORD-49010"})
	if res.IsError || !strings.Contains(mcptest.Text(res), "⟦untrusted-data") {
		t.Fatalf("ORD-49010: %s", mcptest.Text(res))
	}
}

func TestE2EHTTP(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	m := e2e.StartMock(t)
	s := e2e.StartHTTP(t, server, "ORDERS_API_URL=http://"+m.Addr+"/orders")
	base := "http://" + s.Addr
	e2e.CheckProbes(t, base)
	cs := e2e.ConnectHTTP(t, s.Addr)
	mcptest.CheckTools(t, cs, "orders_")
	checkContext(t, cs)
	res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": "ORD-48291"})
	if res.IsError || !strings.HasPrefix(mcptest.Text(res), demoAnswer) {
		t.Fatalf("%s", mcptest.Text(res))
	}
	res = mcptest.Call(t, cs, "orders_search_orders", map[string]any{"customer_email": "santiago.sanchez@costa-consultores.example", "status": "shipped"})
	if res.IsError || !strings.Contains(mcptest.Text(res), "ORD-48291") {
		t.Fatalf("%s", mcptest.Text(res))
	}
	if b := e2e.Metrics(t, base); !strings.Contains(b, `bizmcp_tool_calls_total{server="orders",tool="orders_get_order",outcome="ok"}`) {
		t.Errorf("metrics lack the tool call:\n%.2000s", b)
	}
}

// The order with hundreds of lines comes back bounded, with a cursor.
func TestE2ELargeOrderBounded(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	m := e2e.StartMock(t)
	cs := e2e.ConnectStdio(t, server, nil, "ORDERS_API_URL=http://"+m.Addr+"/orders")
	res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": orders.LargeOrderID})
	var out tools.OrderOut
	mcptest.Structured(t, res, &out)
	b, _ := json.Marshal(res)
	if res.IsError || len(out.Items) > 20 || out.ItemsPage.Total != orders.LargeOrderLines || out.ItemsPage.NextCursor == "" || len(b) > 8000 {
		t.Fatalf("%d bytes, %d items, page %+v", len(b), len(out.Items), out.ItemsPage)
	}
	res = mcptest.Call(t, cs, "orders_list_items", map[string]any{"order_id": orders.LargeOrderID, "cursor": out.ItemsPage.NextCursor})
	var page tools.ListItemsOut
	mcptest.Structured(t, res, &page)
	if res.IsError || len(page.Items) != 25 || page.Items[0].LineID != "L006" || !page.HasMore {
		t.Errorf("next page: %s", mcptest.Text(res))
	}
}

// A refund retried after a dropped connection is made once; an over-refund
// is refused with the remaining refundable amount.
func TestE2ERefundOnceAndOverRefund(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	m := e2e.StartMock(t)
	s := e2e.StartHTTP(t, server, "ORDERS_API_URL=http://"+m.Addr+"/orders", "ORDERS_API_BREAKER_FAILURES=1000")
	cs := e2e.ConnectHTTP(t, s.Addr)
	id := orders.PartiallyRefundedOrderID
	route := "POST /orders/orders/" + id + "/refunds"
	e2e.ResetStats(t, m.Addr)

	// The backend makes the refund, then the connection drops before the
	// answer; the server's retry carries the same Idempotency-Key.
	e2e.SetFaults(t, m.Addr, route+"=reset-after#1")
	args := map[string]any{"order_id": id, "amount_minor": 2500, "currency": "USD", "reason": "damaged"}
	res := mcptest.Call(t, cs, "orders_create_refund", args)
	if res.IsError {
		t.Fatalf("the retry should have recovered: %s", mcptest.Text(res))
	}
	// Every answer dropped: the tool fails; the model retries the same call.
	e2e.SetFaults(t, m.Addr, route+"=reset-after#10")
	args2 := map[string]any{"order_id": id, "amount_minor": 1000, "currency": "USD", "reason": "late_delivery"}
	res = mcptest.Call(t, cs, "orders_create_refund", args2)
	if !res.IsError || !strings.Contains(mcptest.Text(res), "Retrying with the same arguments is safe") {
		t.Fatalf("dropped: %s", mcptest.Text(res))
	}
	e2e.SetFaults(t, m.Addr, "")
	res = mcptest.Call(t, cs, "orders_create_refund", args2)
	var out tools.CreateRefundOut
	mcptest.Structured(t, res, &out)
	if res.IsError || !out.Replayed {
		t.Fatalf("model retry: %s", mcptest.Text(res))
	}
	st := e2e.Stats(t, m.Addr)
	if st.Writes[route] != 2 || st.Domains["orders"].Writes != 2 {
		t.Errorf("backend writes %d (orders %+v), want 2: one per refund", st.Writes[route], st.Domains["orders"])
	}
	var o tools.OrderOut
	mcptest.Structured(t, mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": id}), &o)
	if len(o.Refunds) != 3 || o.Refunded.AmountMinor != 12000+2500+1000 {
		t.Errorf("refunds %+v, refunded %+v", o.Refunds, o.Refunded)
	}
	// Over-refund (below the refund ceiling): refused before any write,
	// naming the remainder.
	res = mcptest.Call(t, cs, "orders_create_refund", map[string]any{"order_id": id, "amount_minor": o.Refundable.AmountMinor + 1, "currency": "USD", "reason": "goodwill"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "at most "+o.Refundable.Text+" can still be refunded") {
		t.Errorf("over-refund: %s", mcptest.Text(res))
	}
	if st2 := e2e.Stats(t, m.Addr); st2.Domains["orders"].Writes != 2 || st2.Domains["orders"].RejectedWrites != 0 {
		t.Errorf("over-refund reached the backend: %+v", st2.Domains["orders"])
	}
}

// A cancellation retried after a dropped connection is applied once.
func TestE2ECancelOnce(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	m := e2e.StartMock(t)
	cs := e2e.ConnectStdio(t, server, nil, "ORDERS_API_URL=http://"+m.Addr+"/orders")
	route := "POST /orders/orders/" + orders.PaidOrderID + "/cancel"
	e2e.SetFaults(t, m.Addr, route+"=reset-after#1")
	res := mcptest.Call(t, cs, "orders_cancel_order", map[string]any{"order_id": orders.PaidOrderID, "reason": "duplicate_order"})
	if res.IsError || !strings.Contains(mcptest.Text(res), "refunded to the original payment method") {
		t.Fatalf("%s", mcptest.Text(res))
	}
	if n := e2e.Stats(t, m.Addr).Writes[route]; n != 1 {
		t.Errorf("%d cancellations", n)
	}
	res = mcptest.Call(t, cs, "orders_cancel_order", map[string]any{"order_id": orders.DemoOrderID, "reason": "customer_request"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "already shipped") {
		t.Errorf("shipped: %s", mcptest.Text(res))
	}
}

// Backend faults end within the call deadline as tool errors, and the
// server keeps serving.
func TestE2EBackendFaults(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	m := e2e.StartMock(t)
	const deadline = 3 * time.Second
	// The circuit breaker would open during this run of failures (the CRM
	// tests cover it); keep it closed here.
	s := e2e.StartHTTP(t, server, "ORDERS_API_URL=http://"+m.Addr+"/orders", "MCP_CALL_TIMEOUT="+deadline.String(), "ORDERS_API_BREAKER_FAILURES=1000")
	cs := e2e.ConnectHTTP(t, s.Addr)
	e2e.CheckFaults(t, cs, m.Addr, deadline, "orders_get_order", map[string]any{"order_id": "ORD-48291"}, []e2e.Fault{
		{Spec: "/orders/orders/*=status:503", Want: "HTTP 503"},
		{Spec: "/orders/orders/*=429:30", Want: "Retry after 30s"},
		{Spec: "/orders/orders/*=hang", Want: "deadline"},
		{Spec: "/orders/orders/*=reset", Want: "cannot be reached"},
		{Spec: "/orders/orders/*=malformed", Want: "could not read"},
		{Spec: "/orders/orders/*=oversize:8MB", Want: "larger than this server accepts"},
	})
	e2e.SetFaults(t, m.Addr, "/orders/orders*=status:502#2")
	if res := mcptest.Call(t, cs, "orders_search_orders", map[string]any{"customer_id": "C-1004"}); res.IsError {
		t.Errorf("two 502s then success: %s", mcptest.Text(res))
	}
	e2e.SetFaults(t, m.Addr, "")
	if res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": "ORD-48291"}); res.IsError {
		t.Fatalf("server did not recover: %s", mcptest.Text(res))
	}
}

func TestE2EMissingBackendURL(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	e2e.CheckUsageExit(t, server, nil, "ORDERS_API_URL", "--demo")
}

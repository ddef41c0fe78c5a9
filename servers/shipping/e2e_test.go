package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/bizmcp/bizmcp/mocks/shipping"
	"github.com/bizmcp/bizmcp/mocks/world"
	"github.com/bizmcp/bizmcp/servers/shipping/internal/tools"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// End-to-end tests: the real binaries as processes, over stdio and HTTP,
// against a running mock-backends.

func apiEnv(m *proc.Proc) string { return "SHIPPING_API_URL=http://" + m.Addr + "/shipping" }

func checkDemoTracking(t *testing.T, cs *mcp.ClientSession) tools.TrackOut {
	t.Helper()
	res := mcptest.Call(t, cs, "shipping_track", map[string]any{"carrier": "fedex", "tracking_number": world.DemoTrackingNumber})
	if res.IsError {
		t.Fatal(mcptest.Text(res))
	}
	var out tools.TrackOut
	mcptest.Structured(t, res, &out)
	if out.Status != "in_transit" || out.ETA != "2026-02-26" || out.Reference != world.DemoOrderID {
		t.Errorf("ORD-48291 tracking: %+v", out)
	}
	return out
}

func TestE2EStdioAgainstMockBackends(t *testing.T) {
	server, _ := e2e.Binaries(t, "shipping")
	m := e2e.StartMock(t)
	cs := e2e.ConnectStdio(t, server, nil, apiEnv(m))
	if tl := mcptest.CheckTools(t, cs, "shipping_"); len(tl) != 5 {
		t.Fatalf("%d tools", len(tl))
	}
	checkDemoTracking(t, cs)
	res := mcptest.Call(t, cs, "shipping_track", map[string]any{"carrier": "dhl", "tracking_number": shipping.InjectedTrackingNumber})
	if res.IsError || !strings.Contains(mcptest.Text(res), "⟦untrusted-data") || res.Meta["bizmcp/untrusted"] == nil {
		t.Errorf("injected event not fenced: %s", mcptest.Text(res))
	}
}

func TestE2EStdioDemo(t *testing.T) {
	server, _ := e2e.Binaries(t, "shipping")
	cs := e2e.ConnectStdio(t, server, []string{"--demo"})
	checkDemoTracking(t, cs)
}

func TestE2EHTTP(t *testing.T) {
	server, _ := e2e.Binaries(t, "shipping")
	m := e2e.StartMock(t)
	s := e2e.StartHTTP(t, server, apiEnv(m))
	base := "http://" + s.Addr
	e2e.CheckProbes(t, base)
	cs := e2e.ConnectHTTP(t, s.Addr)
	mcptest.CheckTools(t, cs, "shipping_")
	checkDemoTracking(t, cs)

	// Issue check: an invalid address is a tool error naming the bad field
	// and a suggestion.
	res := mcptest.Call(t, cs, "shipping_validate_address", map[string]any{"line1": "9450 Wilshire Blvd", "city": "Beverly Hills", "state": "CA", "postal_code": "9021", "country": "US"})
	if text := mcptest.Text(res); !res.IsError || !strings.Contains(text, "postal_code") || !strings.Contains(text, "did you mean 90210?") {
		t.Errorf("invalid address: isError=%v %s", res.IsError, text)
	}
	// The whole long history pages through, bounded.
	res = mcptest.Call(t, cs, "shipping_track", map[string]any{"carrier": "ups", "tracking_number": shipping.LongHistoryTrackingNumber, "full_history": true, "limit": 50})
	var out tools.TrackOut
	mcptest.Structured(t, res, &out)
	if res.IsError || len(out.Events) != 50 || out.Page == nil || !out.Page.HasMore || out.EventsTotal < shipping.MinLongHistoryEvents {
		t.Errorf("long history page: %d events of %d", len(out.Events), out.EventsTotal)
	}
}

// Issue check: a retried shipping_create_label after a dropped connection
// buys one label. The backend buys the label, then the connection drops
// before the answer (reset-after); the server's HTTP client retries with the
// same Idempotency-Key and gets the original label back. The model's own
// retry is answered by the server's idempotency store without reaching the
// backend.
func TestE2EDroppedConnectionBuysOneLabel(t *testing.T) {
	server, _ := e2e.Binaries(t, "shipping")
	m := e2e.StartMock(t)
	s := e2e.StartHTTP(t, server, apiEnv(m))
	cs := e2e.ConnectHTTP(t, s.Addr)
	res := mcptest.Call(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox})
	var rates tools.GetRatesOut
	mcptest.Structured(t, res, &rates)
	if res.IsError || rates.CheapestRateID == "" {
		t.Fatal(mcptest.Text(res))
	}
	e2e.SetFaults(t, m.Addr, "POST /shipping/labels=reset-after#1")
	before := e2e.Stats(t, m.Addr)
	args := map[string]any{"rate_id": rates.CheapestRateID, "reference": world.DemoOrderID}
	res = mcptest.Call(t, cs, "shipping_create_label", args)
	if res.IsError {
		t.Fatalf("the retry should have recovered: %s", mcptest.Text(res))
	}
	var label tools.CreateLabelOut
	mcptest.Structured(t, res, &label)
	if !label.Replayed {
		t.Errorf("the transport retry should report the original label as replayed by the backend: %+v", label)
	}
	// The model retrying the whole call (it never saw an answer) buys nothing either.
	res = mcptest.Call(t, cs, "shipping_create_label", args)
	var again tools.CreateLabelOut
	mcptest.Structured(t, res, &again)
	if res.IsError || res.Meta["bizmcp/replayed"] != true || again.TrackingNumber != label.TrackingNumber {
		t.Errorf("second call: %v %s", res.Meta, mcptest.Text(res))
	}
	after := e2e.Stats(t, m.Addr)
	writes := after.Writes["POST /shipping/labels"] - before.Writes["POST /shipping/labels"]
	replays := after.Domains["shipping"].Replays - before.Domains["shipping"].Replays
	if writes != 1 || replays != 1 {
		t.Errorf("labels bought %d, backend replays %d; want 1 and 1 (the transport retry; the model's retry is answered by the server's store)", writes, replays)
	}
	// The label exists once, and is trackable.
	res = mcptest.Call(t, cs, "shipping_track", map[string]any{"carrier": label.Carrier, "tracking_number": label.TrackingNumber})
	if res.IsError || !strings.Contains(mcptest.Text(res), "label_created") {
		t.Errorf("new label: %s", mcptest.Text(res))
	}
}

// Backend faults end within the call deadline as tool errors.
func TestE2EBackendFaults(t *testing.T) {
	server, _ := e2e.Binaries(t, "shipping")
	m := e2e.StartMock(t)
	const deadline = 3 * time.Second
	s := e2e.StartHTTP(t, server, apiEnv(m), "MCP_CALL_TIMEOUT="+deadline.String())
	cs := e2e.ConnectHTTP(t, s.Addr)
	args := map[string]any{"carrier": "fedex", "tracking_number": world.DemoTrackingNumber}
	e2e.CheckFaults(t, cs, m.Addr, deadline, "shipping_track", args, []e2e.Fault{
		{Spec: "/shipping/tracking/*=status:503", Want: "HTTP 503"},
		{Spec: "/shipping/tracking/*=429:30", Want: "Retry after 30s"},
		{Spec: "/shipping/tracking/*=hang", Want: "deadline"},
		{Spec: "/shipping/tracking/*=malformed", Want: "could not read"},
	})
	e2e.SetFaults(t, m.Addr, "/shipping/tracking/*=status:502#2")
	if res := mcptest.Call(t, cs, "shipping_track", args); res.IsError {
		t.Errorf("two 502s then success: %s", mcptest.Text(res))
	}
}

// The order and its tracking agree: orders_get_order (the orders server,
// built by its own team) and shipping_track report the same carrier,
// tracking number, status and ETA for ORD-48291.
func TestE2EAgreesWithOrdersServer(t *testing.T) {
	server, _ := e2e.Binaries(t, "shipping")
	orders, err := proc.Binary("orders-mcp", "./servers/orders")
	if err != nil {
		t.Skipf("orders-mcp does not build here: %v", err)
	}
	m := e2e.StartMock(t)
	ship := e2e.ConnectStdio(t, server, nil, apiEnv(m))
	ord := e2e.ConnectStdio(t, orders, nil, "ORDERS_API_URL=http://"+m.Addr+"/orders")
	tr := checkDemoTracking(t, ship)
	res := mcptest.Call(t, ord, "orders_get_order", map[string]any{"order_id": world.DemoOrderID})
	if res.IsError {
		t.Fatalf("orders_get_order: %s", mcptest.Text(res))
	}
	var whole any
	b, _ := json.Marshal(res.StructuredContent)
	json.Unmarshal(b, &whole)
	sh := findShipment(whole, world.DemoTrackingNumber)
	if sh == nil {
		t.Fatalf("orders_get_order has no shipment with tracking %s: %s", world.DemoTrackingNumber, b)
	}
	if sh["status"] != tr.Status || sh["estimated_delivery"] != tr.ETA || !strings.EqualFold(sh["carrier"].(string), tr.Carrier) {
		t.Errorf("orders says %v; shipping_track says %s, %s, %s", sh, tr.Carrier, tr.Status, tr.ETA)
	}
}

// findShipment finds the object holding tracking_number in decoded JSON.
func findShipment(v any, number string) map[string]any {
	switch v := v.(type) {
	case map[string]any:
		if v["tracking_number"] == number {
			return v
		}
		for _, e := range v {
			if m := findShipment(e, number); m != nil {
				return m
			}
		}
	case []any:
		for _, e := range v {
			if m := findShipment(e, number); m != nil {
				return m
			}
		}
	}
	return nil
}

func TestE2EMissingBackendURL(t *testing.T) {
	server, _ := e2e.Binaries(t, "shipping")
	e2e.CheckUsageExit(t, server, nil, "SHIPPING_API_URL", "--demo")
}

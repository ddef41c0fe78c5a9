package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/servers/orders/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/auth/authtest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const resource = "http://127.0.0.1:7777/mcp"

// authServer serves the demo orders backend over HTTP with auth on, in process.
func authServer(t *testing.T) (*authtest.Issuer, *httptest.Server) {
	t.Helper()
	return apptest.AuthHTTP(t, Spec, nil, resource, []string{"--demo"})
}

func connectWith(t *testing.T, url, token string) *mcp.ClientSession {
	t.Helper()
	cs, err := authtest.Connect(t, url, token)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// A token with a region claim sees only that region's orders, for reads
// and writes; an order elsewhere answers like a missing one.
func TestAuthRegionalScoping(t *testing.T) {
	is, ts := authServer(t)
	checkRegionalScoping(t, is, ts)
}

// checkRegionalScoping checks an emea token on the server at ts, and
// returns how many orders it saw.
func checkRegionalScoping(t *testing.T, is *authtest.Issuer, ts *httptest.Server) (seen int) {
	t.Helper()
	cs := connectWith(t, ts.URL, is.Token(t, authtest.Claims{Subject: "eve", Audience: resource, Scope: "orders:write", Region: "emea"}))
	searchAll(t, cs, map[string]any{"limit": 50}, func(o tools.OrderSummaryOut) {
		seen++
		if o.Region != "emea" {
			t.Fatalf("emea token saw %s in %s", o.ID, o.Region)
		}
	})
	if seen == 0 {
		t.Fatal("emea token saw no orders")
	}
	// ORD-48291 (C-1004) is in na; ORD-49000 (C-1007) in apac.
	for tool, args := range map[string]map[string]any{
		"orders_get_order":     {"order_id": orders.DemoOrderID},
		"orders_list_items":    {"order_id": orders.LargeOrderID},
		"orders_cancel_order":  {"order_id": orders.PendingOrderID, "reason": "other"},
		"orders_create_refund": {"order_id": orders.PartiallyRefundedOrderID, "currency": "USD", "reason": "goodwill"},
	} {
		res := mcptest.Call(t, cs, tool, args)
		if !res.IsError || !strings.Contains(mcptest.Text(res), "not found") {
			t.Errorf("%s on a record outside emea: %s", tool, mcptest.Text(res))
		}
	}
	if res := mcptest.Call(t, cs, "orders_search_orders", map[string]any{"region": "apac"}); !res.IsError {
		t.Error("emea token searched apac")
	}
	// Its own region works.
	if res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": "ORD-48102"}); res.IsError {
		t.Errorf("emea order: %s", mcptest.Text(res))
	}
	return seen
}

// orders:read lists and calls only the read-only tools.
func TestAuthReadScopeCannotRefund(t *testing.T) {
	is, ts := authServer(t)
	cs := connectWith(t, ts.URL, is.Token(t, authtest.Claims{Subject: "rita", Audience: resource, Scope: "orders:read"}))
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range res.Tools {
		if !tl.Annotations.ReadOnlyHint {
			t.Errorf("orders:read lists %s", tl.Name)
		}
	}
	r, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "orders_create_refund",
		Arguments: map[string]any{"order_id": orders.DemoOrderID, "currency": "USD", "reason": "goodwill"}})
	if err == nil && !r.IsError {
		t.Error("orders:read refunded")
	}
}

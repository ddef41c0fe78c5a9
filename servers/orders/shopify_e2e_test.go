package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/shopify/shopifytest"
	"github.com/bizmcp/bizmcp/servers/orders/internal/tools"
	"github.com/bizmcp/bizmcp/shared/mcptest"
)

// The shopify backend: a loopback server answering like a store's Admin
// GraphQL API stands in for Shopify.

func shopifyServer(t *testing.T) (*shopifytest.Store, []string) {
	t.Helper()
	store := shopifytest.New()
	srv := httptest.NewServer(store)
	t.Cleanup(srv.Close)
	return store, []string{"ORDERS_BACKEND=shopify", "SHOPIFY_SHOP=acme.myshopify.com", "SHOPIFY_ACCESS_TOKEN=shpat_test",
		"SHOPIFY_API_URL=" + srv.URL + "/admin/api/2026-10/graphql.json"}
}

// The tool schemas follow the store's order ids (#1001): one snapshot set
// per backend.
func TestShopifyToolSnapshots(t *testing.T) {
	_, env := shopifyServer(t)
	cs := session(t, nil, env...)
	list := mcptest.CheckTools(t, cs, "orders_")
	if len(list) != 5 {
		t.Fatalf("%d tools", len(list))
	}
	mcptest.Snapshots(t, list, "internal/tools/testdata/toolsnaps/shopify")
	mcptest.ContextSnapshots(t, cs, "internal/tools/testdata/toolsnaps/shopify")
	for _, tl := range list {
		if b, _ := json.Marshal(tl.InputSchema); strings.Contains(string(b), "ORD-") {
			t.Errorf("%s still shows reference ids: %s", tl.Name, b)
		}
	}
}

// orders-mcp --backend shopify, a real process driven by the go-sdk client
// over stdio: the status of an order, a search, and a refund sent twice
// (the first answer lost on the way back from Shopify) made once.
func TestE2EShopify(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	store, env := shopifyServer(t)
	cs := e2e.ConnectStdio(t, server, []string{"--backend", "shopify"}, env[1:]...)

	res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": "#1001"})
	text := mcptest.Text(res)
	if res.IsError || !strings.HasPrefix(text, "#1001: shipped via UPS (Standard), tracking 1Z999AA10123456784, estimated delivery Wed Dec 9 2026") ||
		!strings.Contains(text, "shipment 1 of 2: delivered, FedEx 7749281934") || !strings.Contains(text, "total USD 120.50") {
		t.Fatalf("get: %s", text)
	}

	res = mcptest.Call(t, cs, "orders_search_orders", map[string]any{"customer_email": "jane@example.com", "limit": 1})
	var page tools.SearchOrdersOut
	mcptest.Structured(t, res, &page)
	if res.IsError || len(page.Orders) != 1 || page.Orders[0].ID != "#1004" || page.Total != 2 || page.NextCursor == "" {
		t.Fatalf("search: %s", mcptest.Text(res))
	}
	res = mcptest.Call(t, cs, "orders_search_orders", map[string]any{"customer_email": "jane@example.com", "limit": 1, "cursor": page.NextCursor})
	mcptest.Structured(t, res, &page)
	if res.IsError || len(page.Orders) != 1 || page.Orders[0].ID != "#1001" || page.HasMore {
		t.Fatalf("search page 2: %s", mcptest.Text(res))
	}

	store.DropAfterApply("RefundCreate", 1)
	args := map[string]any{"order_id": "#1004", "amount_minor": 2500, "currency": "USD", "reason": "damaged", "reference": "T-77"}
	var out tools.CreateRefundOut
	res = mcptest.Call(t, cs, "orders_create_refund", args)
	mcptest.Structured(t, res, &out)
	if res.IsError || out.Amount.AmountMinor != 2500 || out.Refundable.AmountMinor != 4500 || out.OrderStatus != "partially_refunded" {
		t.Fatalf("refund: %s", mcptest.Text(res))
	}
	// The same call again: this process's idempotency record answers it.
	res = mcptest.Call(t, cs, "orders_create_refund", args)
	if res.IsError || !strings.Contains(mcptest.Text(res), "nothing was done again") {
		t.Fatalf("retry: %s", mcptest.Text(res))
	}
	// And from a new process with no record: the adapter finds the refund
	// by the key in its note on Shopify and sends nothing.
	cs2 := e2e.ConnectStdio(t, server, []string{"--backend", "shopify"}, env[1:]...)
	res = mcptest.Call(t, cs2, "orders_create_refund", args)
	var again tools.CreateRefundOut
	mcptest.Structured(t, res, &again)
	if res.IsError || !again.Replayed || again.RefundID != out.RefundID || !strings.Contains(mcptest.Text(res), "nothing was refunded twice") {
		t.Fatalf("retry from a new process: %s", mcptest.Text(res))
	}
	if store.Refunds != 1 {
		t.Fatalf("%d refunds made for one request", store.Refunds)
	}
	if o := store.Order("#1004"); o.TotalRefundedSet.ShopMoney.Amount != "35.00" {
		t.Errorf("refunded on the store: %+v", o.TotalRefundedSet)
	}

	// More than what is left: refused before anything is sent.
	res = mcptest.Call(t, cs, "orders_create_refund", map[string]any{"order_id": "#1004", "amount_minor": 4501, "currency": "USD", "reason": "goodwill"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "USD 45.00") || store.Refunds != 1 {
		t.Errorf("over-refund: %s", mcptest.Text(res))
	}
	res = mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": "#9999"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "#1001") {
		t.Errorf("missing: %s", mcptest.Text(res))
	}
}

func TestE2EShopifyUsage(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	e2e.CheckUsageExit(t, server, []string{"ORDERS_BACKEND=shopify", "SHOPIFY_SHOP=acme.myshopify.com"}, "SHOPIFY_ACCESS_TOKEN is not set")
	e2e.CheckUsageExit(t, server, []string{"ORDERS_BACKEND=shopify", "SHOPIFY_SHOP=acme.myshopify.com", "SHOPIFY_ACCESS_TOKEN=x", "SHOPIFY_API_URL=http://example.com/graphql.json"}, "SHOPIFY_API_URL")
}

package main

import (
	"testing"

	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// FuzzToolArgs: hostile arguments get clean errors and leave the server
// serving.
func FuzzToolArgs(f *testing.F) {
	mcptest.FuzzTools(f, func(t testing.TB) *mcp.ClientSession {
		return fuzzSession(t)
	}, map[string][]string{
		"orders_get_order":     {`{"order_id":"ORD-48291"}`, `{"order_id":"ORD-49000","items_limit":20}`, `{"order_id":"ORD-1\u0000"}`},
		"orders_search_orders": {`{"customer_id":"C-1004"}`, `{"customer_email":"x@y.example","status":"shipped"}`, `{"limit":1e400}`},
		"orders_list_items":    {`{"order_id":"ORD-49000","limit":20}`, `{"order_id":"ORD-49000","q":"\udfff"}`},
		"orders_cancel_order":  {`{"order_id":"ORD-49001","reason":"customer_request"}`, `{"order_id":"ORD-49002","reason":"fraud_suspected","note":"\u202e"}`},
		"orders_create_refund": {`{"order_id":"ORD-49005","amount_minor":100,"currency":"USD","reason":"goodwill"}`, `{"order_id":"ORD-49005","amount_minor":-5,"currency":"usd","reason":"x"}`},
	})
}

// fuzzSession is the demo server with per-client limits lifted.
func fuzzSession(t testing.TB) *mcp.ClientSession {
	t.Helper()
	env := []string{"MCP_RATE_LIMIT=1000000", "MCP_RATE_BURST=1000000", "ORDERS_API_RATE_LIMIT=1000000", "MCP_AUDIT_LOG=/dev/null"}
	return apptest.Session(t, Spec, []string{"--demo"}, env...)
}

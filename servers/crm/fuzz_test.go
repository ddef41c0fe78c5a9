package main

import (
	"testing"

	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// FuzzToolArgs: hostile arguments (invalid UTF-8, NUL bytes, huge numbers,
// wrong types, deep nesting) get clean errors and leave the server serving.
func FuzzToolArgs(f *testing.F) {
	mcptest.FuzzTools(f, func(t testing.TB) *mcp.ClientSession {
		return demoSessionTB(t)
	}, map[string][]string{
		"crm_search_customers": {`{"query":"acme","limit":5}`, `{"cursor":"AQoAAAAAAAAAAA"}`, `{"query":"\u0000\ud800"}`, `{"limit":1e308}`},
		"crm_get_customer":     {`{"id":"C-1001"}`, `{"id":"C-1001","fields":["email","notes"],"notes_limit":50}`, `{"id":"C-1001\u0000"}`, `{"id":["C-1"]}`},
		"crm_add_note":         {`{"id":"C-1001","body":"fuzz"}`, `{"id":"C-1001","body":"\udfff\u202e"}`},
		"crm_update_customer":  {`{"id":"C-1001","tier":"gold"}`, `{"id":"C-1001","tags":[[[[["x"]]]]]}`},
	})
}

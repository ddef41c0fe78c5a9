package main

import (
	"testing"

	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// FuzzToolArgs: hostile arguments (invalid UTF-8, NUL bytes, huge numbers,
// wrong types, deep nesting) get clean errors and leave the server serving.
// The run has its own mock backend, so labels it might buy or void touch no
// other test.
func FuzzToolArgs(f *testing.F) {
	mcptest.FuzzTools(f, func(t testing.TB) *mcp.ClientSession {
		cs, _ := ownBackend(t, nil, "MCP_RATE_LIMIT=1000000", "MCP_RATE_BURST=1000000",
			"SHIPPING_API_RATE_LIMIT=1000000", "SHIPPING_API_RATE_BURST=1000000", "MCP_AUDIT_LOG=/dev/null")
		return cs
	}, map[string][]string{
		"shipping_validate_address": {
			`{"name":"Ada Park","line1":"9450 Wilshire Blvd","city":"Beverly Hills","state":"CA","postal_code":"90210","country":"US"}`,
			`{"line1":"\u0000\ud800","city":"\u202e","country":"us"}`,
			`{"line1":"x","city":"y","country":["US"]}`,
			`{"line1":"1 Main St","city":"Austin","postal_code":1e308,"country":"US"}`,
		},
		"shipping_get_rates": {
			`{"to":{"name":"Ada Park","line1":"9450 Wilshire Blvd","city":"Beverly Hills","state":"CA","postal_code":"90210","country":"US"},"parcel":{"weight":1.2,"length":25,"width":20,"height":8},"limit":4}`,
			`{"to":{"line1":"Friedrichstr. 10","city":"Berlin","postal_code":"10117","country":"DE"},"parcel":{"weight":3,"weight_unit":"lb","length":12,"width":8,"height":4,"dimension_unit":"in"},"carriers":["dhl","fedex"]}`,
			`{"to":{"line1":"x","city":"y","country":"US"},"parcel":{"weight":1e308,"length":-1,"width":0,"height":"NaN"}}`,
			`{"to":[[[[[{"line1":"x"}]]]]],"parcel":{}}`,
		},
		"shipping_create_label": {
			`{"rate_id":"rate_0123456789abcdef","reference":"ORD-48291"}`,
			`{"rate_id":"rate_0123456789abcdef","max_cost_minor":9223372036854775807,"label_format":"zpl"}`,
			`{"rate_id":"rate_\u0000\udfff","reference":"\u202e"}`,
			`{"rate_id":["rate_x"],"max_cost_minor":-1}`,
		},
		"shipping_void_label": {
			`{"label_id":"lbl_7749281934"}`,
			`{"label_id":"lbl_0000"}`,
			`{"label_id":"lbl_\u0000../../etc"}`,
			`{"label_id":{"id":1}}`,
		},
		"shipping_track": {
			`{"carrier":"fedex","tracking_number":"7749281934"}`,
			`{"carrier":"ups","tracking_number":"1Z999AA10123456784","full_history":true,"limit":50}`,
			`{"carrier":"ups","tracking_number":"1Z999AA10123456784","full_history":true,"cursor":"AQoAAAAAAAAAAA"}`,
			`{"carrier":"dhl","tracking_number":"JD01 4600 0062 8123 4567","limit":1e308}`,
			`{"carrier":"FEDEX","tracking_number":"\u0000\ud800"}`,
		},
	})
}

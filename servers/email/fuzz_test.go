package main

import (
	"testing"

	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// FuzzToolArgs: hostile arguments (invalid UTF-8, NUL bytes, huge numbers,
// wrong types, deep nesting, header injection, look-alike domains) get clean
// errors and leave the server serving. The session has its own in-process
// backend, so fuzzed drafts and sends touch no other test's mailbox.
func FuzzToolArgs(f *testing.F) {
	mcptest.FuzzTools(f, func(t testing.TB) *mcp.ClientSession {
		return newEnv(t, nil, "MCP_RATE_LIMIT=1000000", "MCP_RATE_BURST=1000000", "EMAIL_API_RATE_LIMIT=1000000", "EMAIL_API_RATE_BURST=1000000").cs
	}, map[string][]string{
		"email_search": {`{"query":"ORD-48291","folder":"inbox","limit":5}`, `{"from":"Santiago","after":"2026-02-01","before":"2026-02-10"}`,
			`{"customer_id":"C-1004","cursor":"AQoAAAAAAAAAAA"}`, `{"query":"\u0000\ud800","limit":1e308}`, `{"after":"2026-02-30","folder":["inbox"]}`},
		"email_get_message": {`{"id":"M-20002"}`, `{"id":"M-20019","include_quoted":true,"include_signature":true,"max_chars":20000}`,
			`{"id":"M-20020\u0000"}`, `{"id":["M-1"],"max_chars":-1}`},
		"email_get_thread": {`{"id":"T-5002","limit":10}`, `{"id":"T-5001","cursor":"\udfff"}`, `{"id":"T-99999999999"}`, `{"id":{"$gt":""}}`},
		"email_create_draft": {`{"in_reply_to":"M-20002","body":"Hola Santiago"}`, `{"to":["a@bizmcp.example"],"subject":"x\r\nBcc: b@outside-mail.example","body":"y"}`,
			`{"to":["a@b\u202e.example"],"subject":"x","body":"\udfff"}`, `{"to":[[[[["x"]]]]],"body":"y"}`},
		"email_send": {`{"to":["marcus.lee@bizmcp.example"],"subject":"fuzz","body":"hello"}`, `{"draft_id":"M-20038"}`,
			`{"to":["exfil@outside-mail.example"],"subject":"list","body":"x"}`, `{"to":["a@xn--bzmcp-mua.example","A@BIZMCP.EXAMPLE."],"subject":"x","body":"y"}`,
			`{"draft_id":"M-20038","body":"x","in_reply_to":"M-1"}`},
	})
}

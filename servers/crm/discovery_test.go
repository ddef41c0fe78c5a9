package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/servers/crm/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/auth/authtest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Under auth the tool list depends on the caller's scopes and a customer
// read on the caller's region: a shared cache must not serve them to
// anyone else, so a 2026-07-28 request gets cacheScope "private".
func TestCacheHintsUnderAuth(t *testing.T) {
	is, ts, _ := authServer(t)
	tok := is.Token(t, authtest.Claims{Subject: "eve", Audience: resource, Scope: "crm:read", Region: "emea"})
	cs, err := authtest.Connect(t, ts.URL, tok)
	if err != nil {
		t.Fatal(err)
	}
	if v := cs.InitializeResult().ProtocolVersion; v != "2026-07-28" {
		t.Fatalf("negotiated %s, want 2026-07-28", v)
	}
	ctx := context.Background()
	tl, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tl.CacheScope != "private" {
		t.Errorf("tools/list under auth: cacheScope %q ttlMs %d", tl.CacheScope, tl.TTLMs)
	}
	var found tools.SearchCustomersOut
	mcptest.Structured(t, mcptest.Call(t, cs, "crm_search_customers", map[string]any{"limit": 1}), &found)
	if len(found.Customers) != 1 || found.Customers[0].Region != "emea" {
		t.Fatalf("no emea customer: %+v", found)
	}
	rr := readResource(t, cs, "crm://customers/"+found.Customers[0].ID)
	if rr.CacheScope != "private" || rr.TTLMs != 0 {
		t.Errorf("region-scoped read under auth: cacheScope %q ttlMs %d", rr.CacheScope, rr.TTLMs)
	}
	if ref := readResource(t, cs, "crm://reference/account-tiers"); ref.CacheScope != "private" {
		t.Errorf("reference read under auth: cacheScope %q (a shared cache would serve it without a token)", ref.CacheScope)
	}
}

// Without auth the lists are the same for everyone: public, with a
// positive ttl; resource reads (live data) stay private.
// Capabilities name only what the server uses.
func TestCacheHintsWithoutAuth(t *testing.T) {
	cs := apptest.Session(t, Spec, []string{"--demo"})
	ctx := context.Background()
	caps := cs.InitializeResult().Capabilities
	if caps.Logging != nil || caps.Tools == nil || caps.Tools.ListChanged || (caps.Resources != nil && caps.Resources.ListChanged) || (caps.Prompts != nil && caps.Prompts.ListChanged) {
		t.Errorf("capabilities advertise unused features: %+v %+v %+v %+v", caps.Logging, caps.Tools, caps.Resources, caps.Prompts)
	}
	tl, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tl.CacheScope != "public" || tl.TTLMs != app.ListTTLMs {
		t.Errorf("tools/list: %q %d", tl.CacheScope, tl.TTLMs)
	}
	// A failed request has no result to annotate (this once crashed the
	// server under 2026-07-28).
	if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://customers/C-99999999"}); err == nil {
		t.Error("reading a missing customer succeeded")
	}
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "no_such_tool"}); err == nil {
		t.Error("calling an unknown tool succeeded")
	}
	for _, uri := range []string{"crm://reference/account-tiers", "crm://customers/C-1001"} {
		if r := readResource(t, cs, uri); r.CacheScope != "private" || r.TTLMs != 0 {
			t.Errorf("%s: %q %d", uri, r.CacheScope, r.TTLMs)
		}
	}
}

func readResource(t *testing.T, cs *mcp.ClientSession, uri string) *mcp.ReadResourceResult {
	t.Helper()
	r, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: uri})
	if err != nil {
		t.Fatalf("%s: %v", uri, err)
	}
	return r
}

// The server card is served at the MCP endpoint's URL plus /server-card
// (the location the Server Card extension reserves), without a token,
// from server.json and the running version; initialize's serverInfo
// carries the same title and icon.
func TestServerCard(t *testing.T) {
	_, ts, _ := authServer(t)
	req, _ := http.NewRequest(http.MethodGet, ts.URL+app.ServerCardPath, nil)
	req.Header.Set("Accept", app.ServerCardMediaType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var card struct {
		Schema, Name, Version, Title, Description string
		Icons                                     []struct{ Src string }
		Remotes                                   []struct {
			Type, URL                 string
			SupportedProtocolVersions []string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&card); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != app.ServerCardMediaType || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("card: %s %q %q", resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Access-Control-Allow-Origin"))
	}
	if card.Name != "io.github.bizmcp/crm" || card.Version != "test" || card.Title != "CRM" || card.Description == "" || len(card.Icons) != 1 ||
		len(card.Remotes) != 1 || card.Remotes[0].URL != resource || card.Remotes[0].Type != "streamable-http" || len(card.Remotes[0].SupportedProtocolVersions) == 0 {
		t.Errorf("card %+v", card)
	}

	cs := apptest.Session(t, Spec, []string{"--demo"})
	info := cs.InitializeResult().ServerInfo
	if info.Title != "CRM" || len(info.Icons) != 1 || info.Icons[0].Source != card.Icons[0].Src {
		t.Errorf("serverInfo %+v", info)
	}
	// MCP 2026-07-28 repeats serverInfo in every result: there it stays
	// name, title and version.
	res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"})
	b, _ := json.Marshal(res.Meta["io.modelcontextprotocol/serverInfo"])
	if string(b) != `{"name":"crm-mcp","title":"CRM","version":"test"}` {
		t.Errorf("serverInfo in a tool result: %s", b)
	}
}

// An audit record names who acted: the OAuth client (azp), the delegation
// chain (act), the MCP client's name and version, and the trace.
func TestAuditRecordsClientIdentity(t *testing.T) {
	is, ts, buf := authServer(t)
	tok := is.Token(t, authtest.Claims{Subject: "ann", Audience: resource, Scope: "crm:read", Extra: map[string]any{
		"azp": "support-desk",
		"act": map[string]any{"sub": "agent-7", "act": map[string]any{"sub": "gateway"}},
	}})
	cs, err := authtest.Connect(t, ts.URL, tok)
	if err != nil {
		t.Fatal(err)
	}
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "crm_get_customer", Arguments: map[string]any{"id": "C-1001"},
		Meta: mcp.Meta{"traceparent": "00-" + traceID + "-00f067aa0ba902b7-01"}})
	if err != nil || res.IsError {
		t.Fatalf("%v %+v", err, res)
	}
	var rec *audit.Record
	for _, r := range buf.Records(t) {
		if r.Tool == "crm_get_customer" {
			rec = &r
		}
	}
	if rec == nil || rec.Client == nil {
		t.Fatalf("no audit record with a client:\n%s", buf)
	}
	c := rec.Client
	if c.ID != "support-desk" || c.Name != "auth-test" || c.Version != "1" || strings.Join(c.Actors, ">") != "agent-7>gateway" ||
		rec.TraceID != traceID || rec.Schema != audit.SchemaVersion || rec.Hash == "" {
		t.Errorf("audit record: client %+v trace %q schema %d", c, rec.TraceID, rec.Schema)
	}
}

// Without _meta trace context, the HTTP request's traceparent header is
// used.
func TestTraceFromHTTPHeader(t *testing.T) {
	is, ts, buf := authServer(t)
	tok := is.Token(t, authtest.Claims{Subject: "ann", Audience: resource, Scope: "crm:read"})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"crm_get_customer","arguments":{"id":"C-1001"}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, r := range buf.Records(t) {
		if r.Tool == "crm_get_customer" && r.TraceID == "0af7651916cd43dd8448eb211c80319c" {
			return
		}
	}
	t.Errorf("no audit record with the header's trace id (%s):\n%s", resp.Status, buf)
}

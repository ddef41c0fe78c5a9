package main

import (
	"context"
	"testing"

	"github.com/bizmcp/bizmcp/servers/crm/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
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
	rr, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://customers/" + found.Customers[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if rr.CacheScope != "private" || rr.TTLMs != 0 {
		t.Errorf("region-scoped read under auth: cacheScope %q ttlMs %d", rr.CacheScope, rr.TTLMs)
	}
	ref, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://reference/account-tiers"})
	if err != nil {
		t.Fatal(err)
	}
	if ref.CacheScope != "private" {
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
	ref, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://reference/account-tiers"})
	if err != nil {
		t.Fatal(err)
	}
	if ref.CacheScope != "private" || ref.TTLMs != 0 {
		t.Errorf("reference read: %q %d", ref.CacheScope, ref.TTLMs)
	}
	rec, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://customers/C-1001"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.CacheScope != "private" || rec.TTLMs != 0 {
		t.Errorf("customer read: %q %d", rec.CacheScope, rec.TTLMs)
	}
}

package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/servers/crm/internal/backends/hubspot/hubspottest"
	"github.com/bizmcp/bizmcp/servers/crm/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
)

// crm-mcp on the hubspot backend: golden schemas (ids follow HubSpot's), and
// the built binary over stdio against a loopback server that answers like
// HubSpot's CRM v3 API (hubspottest), driven by a standard MCP client.

const hubspotToken = "pat-na1-e2e00000-0000-4000-8000-000000000000"

func TestHubSpotToolSnapshots(t *testing.T) {
	cs := session(t, []string{"--backend", "hubspot"}, "HUBSPOT_ACCESS_TOKEN="+hubspotToken, "HUBSPOT_API_URL=http://127.0.0.1:9")
	list := mcptest.CheckTools(t, cs, "crm_")
	mcptest.Snapshots(t, list, "internal/tools/testdata/toolsnaps/hubspot")
	mcptest.CheckContext(t, cs, "internal/tools/testdata/toolsnaps/hubspot")
	for _, tl := range list {
		if id, ok := tl.InputSchema.(map[string]any)["properties"].(map[string]any)["id"].(map[string]any); ok && id["pattern"] != "^[0-9]{1,20}$" {
			t.Errorf("%s: id pattern %v", tl.Name, id["pattern"])
		}
	}
}

func TestE2EHubSpot(t *testing.T) {
	server := e2e.ServerBinary(t, "crm")
	hs := hubspottest.New(hubspotToken)
	ts := httptest.NewServer(hs)
	t.Cleanup(ts.Close)
	env := []string{"HUBSPOT_ACCESS_TOKEN=" + hubspotToken, "HUBSPOT_API_URL=" + ts.URL, "MCP_LOG_LEVEL=warn"}
	cs := e2e.ConnectStdio(t, server, []string{"--backend", "hubspot"}, env...)

	// Search: bounded, paged with the cursor.
	seen := map[string]bool{}
	cursor := ""
	for range 10 {
		args := map[string]any{"query": "sam", "limit": 10}
		if cursor != "" {
			args["cursor"] = cursor
		}
		res := mcptest.Call(t, cs, "crm_search_customers", args)
		var out tools.SearchCustomersOut
		mcptest.Structured(t, res, &out)
		if res.IsError || len(out.Customers) > 10 || out.Total != 26 {
			t.Fatalf("%s", mcptest.Text(res))
		}
		for _, c := range out.Customers {
			seen[c.ID] = true
		}
		if !out.HasMore {
			break
		}
		cursor = out.NextCursor
	}
	if len(seen) != 26 {
		t.Errorf("paged through %d of 26", len(seen))
	}

	// Get: compact, sanitized; injection text in HubSpot fields is fenced.
	res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "201", "fields": []string{"name", "company", "notes", "custom_fields"}})
	text := mcptest.Text(res)
	if res.IsError || res.Meta["bizmcp/untrusted"] == nil || !strings.Contains(text, "⟦untrusted-data") || strings.Contains(text, "\u200b") {
		t.Fatalf("201 not flagged/fenced:\n%s", text)
	}
	res = mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "151"})
	var c tools.CustomerOut
	mcptest.Structured(t, res, &c)
	if res.IsError || c.Company != "Andes Retail SA" || c.NotesTotal != 300 || len(c.Notes) != 3 || c.Notes[0].Body != "Maria note 299" || c.Owner == "" {
		t.Fatalf("151: %s", mcptest.Text(res))
	}
	raw, _ := json.Marshal(res)
	if len(raw) > 4000 || strings.Contains(text, "hs_object_id") {
		t.Errorf("151 result is %d bytes", len(raw))
	}
	if res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "999"}); !res.IsError || !strings.Contains(mcptest.Text(res), "crm_search_customers") {
		t.Errorf("missing contact: %s", mcptest.Text(res))
	}

	// Add a note whose first answer is lost: written once.
	hs.LoseNextCreates(1)
	args := map[string]any{"id": "101", "body": "Called Kenji; renewal quote follows Friday."}
	res = mcptest.Call(t, cs, "crm_add_note", args)
	var a tools.AddNoteOut
	mcptest.Structured(t, res, &a)
	if res.IsError || a.NoteID == "" || a.Replayed {
		t.Fatalf("add note: %s", mcptest.Text(res))
	}
	// The same call to a fresh server process (no shared idempotency store):
	// HubSpot's copy is found, nothing is written again.
	cs2 := e2e.ConnectStdio(t, server, []string{"--backend", "hubspot"}, env...)
	res = mcptest.Call(t, cs2, "crm_add_note", args)
	var b tools.AddNoteOut
	mcptest.Structured(t, res, &b)
	if res.IsError || !b.Replayed || b.NoteID != a.NoteID {
		t.Fatalf("retry: %s", mcptest.Text(res))
	}
	if n := len(hs.NotesOf(hubspottest.Kenji)); n != 1 || hs.Count("POST /crm/v3/objects/notes") != 1 {
		t.Errorf("%d notes, %d creates", n, hs.Count("POST /crm/v3/objects/notes"))
	}
	res = mcptest.Call(t, cs2, "crm_get_customer", map[string]any{"id": "101", "fields": []string{"notes"}})
	if !strings.Contains(mcptest.Text(res), "renewal quote follows Friday") || !strings.Contains(mcptest.Text(res), "by assistant") {
		t.Errorf("note not read back: %s", mcptest.Text(res))
	}

	// Update: mapped properties; a validation error names the field.
	res = mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "101", "tier": "gold", "tags": []string{"vip"}})
	if res.IsError || hs.Contact(hubspottest.Kenji)["bizmcp_tier"] != "gold" {
		t.Fatalf("update: %s", mcptest.Text(res))
	}
	res = mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "101", "tags": []string{"not-an-option"}})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "field tags") {
		t.Errorf("validation: %s", mcptest.Text(res))
	}
}

// The audit record of a call keeps HubSpot's correlation ids, of answers
// and of errors.
func TestHubSpotAuditKeepsCorrelationIDs(t *testing.T) {
	hs := hubspottest.New(hubspotToken)
	ts := httptest.NewServer(hs)
	t.Cleanup(ts.Close)
	var buf apptest.AuditBuffer
	cs, _, _ := apptest.Server(t, Spec, &buf, []string{"--backend", "hubspot"}, "HUBSPOT_ACCESS_TOKEN="+hubspotToken, "HUBSPOT_API_URL="+ts.URL)
	if res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "101", "fields": []string{"email"}}); res.IsError {
		t.Fatal(mcptest.Text(res))
	}
	res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "999"})
	if !res.IsError {
		t.Fatal("999 found")
	}
	recs := buf.Records(t)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	for _, r := range recs {
		if len(r.BackendRequestIDs) != 1 || !strings.HasPrefix(r.BackendRequestIDs[0], "7a1c3e2b-0000-4000-8000-") {
			t.Errorf("record %+v", r)
		}
	}
}

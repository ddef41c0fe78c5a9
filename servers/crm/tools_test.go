package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/mocks/crm"
	"github.com/bizmcp/bizmcp/servers/crm/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// session builds the exact server the binary runs, with args and env, and
// connects an in-memory client.
func session(t testing.TB, args []string, env ...string) *mcp.ClientSession {
	t.Helper()
	return apptest.Session(t, Spec, args, env...)
}

func demoSession(t *testing.T) *mcp.ClientSession { return session(t, []string{"--demo"}) }

func demoSessionTB(t testing.TB) *mcp.ClientSession {
	return session(t, []string{"--demo"}, "MCP_RATE_LIMIT=1000000", "MCP_RATE_BURST=1000000", "MCP_AUDIT_LOG=/dev/null")
}

func TestToolsListAndSnapshots(t *testing.T) {
	cs := demoSession(t)
	list := mcptest.CheckTools(t, cs, "crm_")
	names := map[string]bool{}
	for _, tl := range list {
		names[tl.Name] = true
	}
	for _, want := range []string{"crm_search_customers", "crm_get_customer", "crm_add_note", "crm_update_customer"} {
		if !names[want] {
			t.Errorf("missing tool %s", want)
		}
	}
	mcptest.Snapshots(t, list, "internal/tools/testdata/toolsnaps")
}

func TestSearchPaginates(t *testing.T) {
	cs := demoSession(t)
	seen := map[string]bool{}
	cursor := ""
	total := -1
	for page := 0; page < 20; page++ {
		args := map[string]any{"limit": 25}
		if cursor != "" {
			args["cursor"] = cursor
		}
		res := mcptest.Call(t, cs, "crm_search_customers", args)
		if res.IsError {
			t.Fatal(mcptest.Text(res))
		}
		var out tools.SearchCustomersOut
		mcptest.Structured(t, res, &out)
		if len(out.Customers) > 25 {
			t.Fatalf("page of %d > limit", len(out.Customers))
		}
		total = out.Total
		for _, c := range out.Customers {
			if seen[c.ID] {
				t.Fatalf("customer %s on two pages", c.ID)
			}
			seen[c.ID] = true
		}
		if !out.HasMore {
			break
		}
		cursor = out.NextCursor
	}
	if len(seen) != total || total < 50 {
		t.Errorf("paged through %d of total %d", len(seen), total)
	}
	// A cursor is bound to its query.
	res := mcptest.Call(t, cs, "crm_search_customers", map[string]any{"query": "gmbh", "cursor": cursor})
	if cursor != "" && (!res.IsError || !strings.Contains(mcptest.Text(res), "different query")) {
		t.Errorf("cursor reused across queries: %s", mcptest.Text(res))
	}
	// Limits are bounded by the schema.
	if res := mcptest.Call(t, cs, "crm_search_customers", map[string]any{"limit": 5000}); !res.IsError {
		t.Error("limit 5000 accepted")
	}
}

func TestSearchFindsByText(t *testing.T) {
	cs := demoSession(t)
	res := mcptest.Call(t, cs, "crm_search_customers", map[string]any{"query": "C-1042"})
	var out tools.SearchCustomersOut
	mcptest.Structured(t, res, &out)
	if len(out.Customers) != 1 || out.Customers[0].ID != "C-1042" {
		t.Fatalf("%+v", out)
	}
	res = mcptest.Call(t, cs, "crm_search_customers", map[string]any{"query": "zzzz-no-such-customer"})
	if res.IsError || !strings.Contains(mcptest.Text(res), "no customers match") {
		t.Errorf("empty search: %s", mcptest.Text(res))
	}
}

// rawRecord fetches the backend's raw JSON for id.
func rawRecord(t *testing.T, id string) []byte {
	t.Helper()
	h, err := mocks.New(mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/crm/customers/"+id, nil))
	if rec.Code != 200 {
		t.Fatalf("raw %s: %d", id, rec.Code)
	}
	return rec.Body.Bytes()
}

func TestGetCustomerIsCompact(t *testing.T) {
	cs := demoSession(t)
	// The largest sample record, by raw size.
	largest, size := "", 0
	for _, c := range crm.SampleCustomers() {
		if n := len(rawRecord(t, c.ID)); n > size {
			largest, size = c.ID, n
		}
	}
	res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": largest})
	if res.IsError {
		t.Fatal(mcptest.Text(res))
	}
	got, _ := json.Marshal(res)
	if ratio := float64(size) / float64(len(got)); ratio < 5 {
		t.Errorf("%s: raw %d bytes, result %d bytes: only %.1fx smaller", largest, size, len(got), ratio)
	} else {
		t.Logf("%s: raw %d bytes, result %d bytes (%.1fx smaller)", largest, size, len(got), ratio)
	}
	var out tools.CustomerOut
	mcptest.Structured(t, res, &out)
	if out.ID != largest || out.Email == "" || out.Company == "" || out.LifetimeValue == "" || len(out.Notes) != 3 || out.NotesTotal < 10 {
		t.Errorf("default fields missing: %+v", out)
	}
	if res.Meta["bizmcp/est_tokens"] == nil {
		t.Error("no token estimate in _meta")
	}
}

func TestGetCustomerFields(t *testing.T) {
	cs := demoSession(t)
	res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1007", "fields": []string{"email", "custom_fields"}})
	var out tools.CustomerOut
	mcptest.Structured(t, res, &out)
	if out.ID != "C-1007" || out.Email == "" || len(out.CustomFields) == 0 || out.Company != "" || out.Notes != nil {
		t.Errorf("projection: %+v", out)
	}
	res = mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1007", "fields": []string{"password"}})
	if !res.IsError {
		t.Error("unknown field accepted")
	}
}

func TestErrorsTellTheModelWhatToDo(t *testing.T) {
	cs := demoSession(t)
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"crm_get_customer", map[string]any{"id": "C-9999"}, "crm_search_customers"},
		{"crm_get_customer", map[string]any{"id": "acme"}, "id"},
		{"crm_get_customer", map[string]any{}, "id"},
		{"crm_get_customer", map[string]any{"id": "C-1001", "extra": 1}, "extra"},
		{"crm_add_note", map[string]any{"id": "C-1001", "body": "   "}, "body is empty"},
		{"crm_add_note", map[string]any{"id": "C-9999", "body": "hi"}, "crm_search_customers"},
		{"crm_update_customer", map[string]any{"id": "C-1001"}, "nothing to update"},
		{"crm_update_customer", map[string]any{"id": "C-1001", "email": "not-an-address"}, "not a valid address"},
		{"crm_update_customer", map[string]any{"id": "C-1001", "tier": "diamond"}, "tier"},
		{"crm_search_customers", map[string]any{"cursor": "garbage!"}, "cursor"},
	} {
		res := mcptest.Call(t, cs, tc.tool, tc.args)
		if !res.IsError || !strings.Contains(mcptest.Text(res), tc.want) {
			t.Errorf("%s %v: isError=%v text=%q, want it to mention %q", tc.tool, tc.args, res.IsError, mcptest.Text(res), tc.want)
		}
	}
}

func TestInjectionRecordsFlaggedAndFenced(t *testing.T) {
	cs := demoSession(t)
	for _, id := range crm.SampleInjectionIDs {
		res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": id, "notes_limit": 50})
		text := mcptest.Text(res)
		if res.IsError || res.Meta["bizmcp/untrusted"] == nil || !strings.Contains(text, "⟦untrusted-data") {
			t.Errorf("%s: not flagged and fenced: meta=%v\n%s", id, res.Meta, text)
		}
	}
	// The company-name injection is fenced in the search summary too.
	res := mcptest.Call(t, cs, "crm_search_customers", map[string]any{"query": "C-1013"})
	if res.Meta["bizmcp/untrusted"] == nil {
		t.Errorf("search result of C-1013 not flagged: %s", mcptest.Text(res))
	}
	// Benign look-alikes are not flagged.
	for _, id := range crm.SampleBenignLookalikeIDs {
		res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": id, "notes_limit": 50})
		if res.Meta["bizmcp/untrusted"] != nil {
			t.Errorf("benign %s flagged: %v", id, res.Meta["bizmcp/untrusted"])
		}
	}
}

func TestNoInvisibleCharacterSurvives(t *testing.T) {
	cs := demoSession(t)
	all := []string{"name", "company", "email", "phone", "region", "tier", "status", "owner", "lifetime_value", "address", "tags", "notes", "contacts", "custom_fields", "recent_activity"}
	for _, c := range crm.SampleCustomers() {
		mcptest.CheckVisible(t, c.ID, mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": c.ID, "fields": all, "notes_limit": 50}))
	}
}

func TestAddNoteIsIdempotent(t *testing.T) {
	cs := demoSession(t)
	args := map[string]any{"id": "C-1005", "body": "Called about the renewal; quote follows Friday."}
	first := mcptest.Call(t, cs, "crm_add_note", args)
	second := mcptest.Call(t, cs, "crm_add_note", args)
	var a, b tools.AddNoteOut
	mcptest.Structured(t, first, &a)
	mcptest.Structured(t, second, &b)
	// The retry is answered from the server's idempotency store: same note,
	// marked replayed, and the backend is not called again.
	if first.IsError || a.Replayed || second.Meta["bizmcp/replayed"] != true || a.NoteID != b.NoteID || !strings.Contains(mcptest.Text(second), "replayed") {
		t.Fatalf("first %+v, second %+v %v", a, b, second.Meta)
	}
	res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1005", "fields": []string{"notes"}, "notes_limit": 50})
	if n := strings.Count(mcptest.Text(res), "quote follows Friday"); n != 1 {
		t.Errorf("note appears %d times", n)
	}
}

func TestUpdateCustomer(t *testing.T) {
	cs := demoSession(t)
	res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1006", "tier": "platinum", "phone": "+49 30 1234567"})
	var out tools.UpdateCustomerOut
	mcptest.Structured(t, res, &out)
	if res.IsError || out.Customer.Tier != "platinum" || strings.Join(out.Updated, ",") != "phone,tier" || out.Replayed {
		t.Fatalf("%s %+v", mcptest.Text(res), out)
	}
	again := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1006", "tier": "platinum", "phone": "+49 30 1234567"})
	var out2 tools.UpdateCustomerOut
	mcptest.Structured(t, again, &out2)
	if again.Meta["bizmcp/replayed"] != true || out2.Version != out.Version {
		t.Errorf("retry applied again: %+v", out2)
	}
}

// The precomputed tool schemas are what inference says (mcpkit.Precomputed).
func TestPrecomputedSchemaSnapshot(t *testing.T) {
	apptest.PrecomputedSchemas(t, Spec, "internal/tools/schemas_gen.go", "tools")
}

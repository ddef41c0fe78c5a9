package crm

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/mocks/internal/apitest"
)

var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type apiResp struct {
	status int
	header http.Header
	body   []byte
}

func (r apiResp) decode(t *testing.T, v any) {
	t.Helper()
	apitest.Decode(t, r.body, v)
}

func (r apiResp) errCode(t *testing.T) string {
	t.Helper()
	return apitest.ErrCode(t, r.body)
}

// newAPI serves the sample data over a real loopback server.
func newAPI(t *testing.T) (*Store, func(method, path, body string, hdr ...string) apiResp) {
	t.Helper()
	s := SampleStore()
	s.SetClock(func() time.Time { return fixedNow })
	do := apitest.Serve(t, NewHandler(s), true)
	return s, func(method, path, body string, hdr ...string) apiResp {
		t.Helper()
		status, header, b := do(method, path, body, hdr...)
		return apiResp{status, header, b}
	}
}

type searchResult struct {
	Customers []Customer `json:"customers"`
	Total     int        `json:"total"`
	Offset    int        `json:"offset"`
	Limit     int        `json:"limit"`
}

func TestHealth(t *testing.T) {
	_, call := newAPI(t)
	r := call("GET", "/health", "")
	if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"status":"ok"}` {
		t.Fatalf("health: %d %s", r.status, r.body)
	}
}

func TestSearch(t *testing.T) {
	_, call := newAPI(t)
	ids := func(sr searchResult) []string {
		var out []string
		for _, c := range sr.Customers {
			out = append(out, c.ID)
		}
		return out
	}

	t.Run("defaults", func(t *testing.T) {
		var sr searchResult
		r := call("GET", "/customers/search", "")
		r.decode(t, &sr)
		if r.status != 200 || sr.Total != SampleCount || sr.Limit != 20 || sr.Offset != 0 || len(sr.Customers) != 20 {
			t.Fatalf("got %d total=%d limit=%d offset=%d n=%d", r.status, sr.Total, sr.Limit, sr.Offset, len(sr.Customers))
		}
		for i, id := range ids(sr) {
			if want := "C-" + itoa(1001+i); id != want {
				t.Fatalf("result %d = %s, want %s (ordered by id)", i, id, want)
			}
		}
		if len(sr.Customers[0].Activity) == 0 || sr.Customers[0].Audit.SourceSystem == "" {
			t.Errorf("search must return full records: %+v", sr.Customers[0])
		}
	})
	t.Run("offset and limit", func(t *testing.T) {
		var sr searchResult
		call("GET", "/customers/search?limit=100&offset=75", "").decode(t, &sr)
		if sr.Total != SampleCount || len(sr.Customers) != SampleCount-75 || sr.Customers[0].ID != "C-1076" || sr.Limit != 100 || sr.Offset != 75 {
			t.Fatalf("total=%d n=%d first=%v", sr.Total, len(sr.Customers), ids(sr))
		}
		call("GET", "/customers/search?offset=500", "").decode(t, &sr)
		if sr.Total != SampleCount || len(sr.Customers) != 0 || sr.Customers == nil {
			t.Fatalf("past the end: total=%d customers=%v", sr.Total, sr.Customers)
		}
	})
	t.Run("q matches case-insensitively", func(t *testing.T) {
		sample := SampleCustomers()
		cases := []struct{ q, want string }{
			{strings.ToUpper(sample[1].Email), "C-1002"},             // email
			{strings.ToUpper(sample[2].Addresses[0].City), "C-1003"}, // city
			{"acme corp", "C-1013"},                                  // company
			{"c-1042", "C-1042"},                                     // id
			{"有限公司", ""},                                             // non-Latin company text (any hit)
			{"REFERENCE-CUSTOMER", ""},                               // tag (any hit)
			{"no-such-customer-anywhere-xyz", "-"},                   // no hit
		}
		for _, c := range cases {
			var sr searchResult
			r := call("GET", "/customers/search?q="+url.QueryEscape(c.q)+"&limit=100", "")
			r.decode(t, &sr)
			switch c.want {
			case "-":
				if sr.Total != 0 || len(sr.Customers) != 0 {
					t.Errorf("q=%q: want none, got %v", c.q, ids(sr))
				}
			case "":
				if sr.Total == 0 {
					t.Errorf("q=%q: want hits", c.q)
				}
			default:
				found := false
				for _, id := range ids(sr) {
					found = found || id == c.want
				}
				if !found || sr.Total != len(sr.Customers) {
					t.Errorf("q=%q: want %s among %v", c.q, c.want, ids(sr))
				}
			}
		}
	})
	t.Run("region filter", func(t *testing.T) {
		total := 0
		for _, reg := range Regions {
			var sr searchResult
			call("GET", "/customers/search?limit=100&region="+reg, "").decode(t, &sr)
			if sr.Total == 0 {
				t.Errorf("region %s: no customers", reg)
			}
			for _, c := range sr.Customers {
				if c.Region != reg {
					t.Errorf("region %s: got %s in %s", reg, c.ID, c.Region)
				}
			}
			total += sr.Total
		}
		if total != SampleCount {
			t.Errorf("regions add up to %d, want %d", total, SampleCount)
		}
		var sr searchResult
		call("GET", "/customers/search?region=mars", "").decode(t, &sr)
		if sr.Total != 0 {
			t.Errorf("unknown region matched %d", sr.Total)
		}
	})
	t.Run("bad parameters", func(t *testing.T) {
		for _, q := range []string{"limit=101", "limit=0", "limit=-3", "limit=abc", "offset=-1", "offset=x"} {
			r := call("GET", "/customers/search?"+q, "")
			if r.status != 400 || r.errCode(t) != "bad_request" {
				t.Errorf("%s: %d %s", q, r.status, r.body)
			}
		}
	})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestGetCustomer(t *testing.T) {
	_, call := newAPI(t)
	r := call("GET", "/customers/C-1007", "")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if len(r.body) <= 30_000 {
		t.Errorf("C-1007 raw JSON is %d bytes, want > 30 KB", len(r.body))
	}
	var c Customer
	r.decode(t, &c)
	if c.ID != "C-1007" || len(c.Notes) < 40 || len(c.CustomFields) < 40 {
		t.Errorf("C-1007: id=%s notes=%d fields=%d", c.ID, len(c.Notes), len(c.CustomFields))
	}
	r = call("GET", "/customers/C-9999", "")
	if r.status != 404 || r.errCode(t) != "not_found" {
		t.Errorf("missing: %d %s", r.status, r.body)
	}
}

func TestRouting(t *testing.T) {
	_, call := newAPI(t)
	r := call("DELETE", "/customers/C-1001", "")
	if r.status != 405 || r.errCode(t) != "method_not_allowed" || !strings.Contains(r.header.Get("Allow"), "PATCH") {
		t.Errorf("DELETE: %d %v %s", r.status, r.header, r.body)
	}
	r = call("GET", "/nope", "")
	if r.status != 404 || r.errCode(t) != "not_found" {
		t.Errorf("unknown path: %d %s", r.status, r.body)
	}
	r = call("GET", "/customers/C-1001", "", "X-Request-Id", "caller-chosen")
	if r.header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
}

func TestAddNote(t *testing.T) {
	s, call := newAPI(t)
	before, _ := s.Get("C-1001")

	r := call("POST", "/customers/C-1001/notes", `{"body":"Called about renewal ✅","author":"dana"}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var n Note
	r.decode(t, &n)
	if n.ID == "" || n.Author != "dana" || n.Body != "Called about renewal ✅" || !n.CreatedAt.Equal(fixedNow) {
		t.Errorf("note = %+v", n)
	}
	var c Customer
	call("GET", "/customers/C-1001", "").decode(t, &c)
	if len(c.Notes) != len(before.Notes)+1 || c.Notes[len(c.Notes)-1] != n {
		t.Errorf("note not appended last: %+v", c.Notes)
	}
	if !c.UpdatedAt.Equal(fixedNow) {
		t.Errorf("updated_at = %v", c.UpdatedAt)
	}

	r = call("POST", "/customers/C-1001/notes", `{"body":"no author"}`)
	r.decode(t, &n)
	if r.status != 201 || n.Author != "api" {
		t.Errorf("default author: %d %+v", r.status, n)
	}

	long := strings.Repeat("é", MaxNoteChars) // 10,000 characters, 20,000 bytes: allowed
	if r := call("POST", "/customers/C-1001/notes", `{"body":"`+long+`"}`); r.status != 201 {
		t.Errorf("10000-char note: %d %s", r.status, r.body)
	}
	for name, body := range map[string]string{
		"missing body":  `{"author":"x"}`,
		"blank body":    `{"body":"   "}`,
		"too long":      `{"body":"` + long + `e"}`,
		"unknown field": `{"body":"x","priority":"high"}`,
		"not json":      `body=x`,
		"empty":         ``,
		"wrong type":    `{"body":42}`,
	} {
		r := call("POST", "/customers/C-1001/notes", body)
		if r.status != 400 || r.errCode(t) != "bad_request" {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := call("POST", "/customers/C-1001/notes", `{"body":"`+strings.Repeat("a", MaxBodyBytes)+`"}`); r.status != 413 {
		t.Errorf("huge body: %d", r.status)
	}
	if r := call("POST", "/customers/C-0000/notes", `{"body":"x"}`); r.status != 404 || r.errCode(t) != "not_found" {
		t.Errorf("unknown customer: %d %s", r.status, r.body)
	}
}

func TestAddNoteIdempotency(t *testing.T) {
	s, call := newAPI(t)
	before, _ := s.Get("C-1002")
	body := `{"body":"Refund approved","author":"ops"}`

	first := call("POST", "/customers/C-1002/notes", body, "Idempotency-Key", "k-1")
	if first.status != 201 || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %v", first.status, first.header)
	}
	again := call("POST", "/customers/C-1002/notes", body, "Idempotency-Key", "k-1")
	if again.status != 200 || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
		t.Fatalf("replay: %d %v %s vs %s", again.status, again.header, again.body, first.body)
	}
	// Same JSON with different spacing/field order is the same request.
	again = call("POST", "/customers/C-1002/notes", `{ "author":"ops", "body":"Refund approved" }`, "Idempotency-Key", "k-1")
	if again.status != 200 {
		t.Errorf("equivalent body: %d %s", again.status, again.body)
	}
	after, _ := s.Get("C-1002")
	if len(after.Notes) != len(before.Notes)+1 {
		t.Fatalf("replays created notes: %d -> %d", len(before.Notes), len(after.Notes))
	}

	conflict := call("POST", "/customers/C-1002/notes", `{"body":"Refund approved twice","author":"ops"}`, "Idempotency-Key", "k-1")
	if conflict.status != 409 || conflict.errCode(t) != "conflict" {
		t.Errorf("different body: %d %s", conflict.status, conflict.body)
	}
	conflict = call("POST", "/customers/C-1003/notes", body, "Idempotency-Key", "k-1")
	if conflict.status != 409 {
		t.Errorf("different customer: %d %s", conflict.status, conflict.body)
	}
	conflict = call("PATCH", "/customers/C-1002", `{"tier":"gold"}`, "Idempotency-Key", "k-1")
	if conflict.status != 409 {
		t.Errorf("different operation: %d %s", conflict.status, conflict.body)
	}
	if r := call("POST", "/customers/C-1002/notes", body, "Idempotency-Key", strings.Repeat("k", 300)); r.status != 400 {
		t.Errorf("oversized key: %d", r.status)
	}
	// Concurrent retries with one key create exactly one note.
	var wg sync.WaitGroup
	statuses := make(chan int, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- call("POST", "/customers/C-1004/notes", `{"body":"once"}`, "Idempotency-Key", "k-conc").status
		}()
	}
	wg.Wait()
	close(statuses)
	created := 0
	for st := range statuses {
		if st == 201 {
			created++
		} else if st != 200 {
			t.Errorf("concurrent status %d", st)
		}
	}
	c, _ := s.Get("C-1004")
	n := 0
	for _, note := range c.Notes {
		if note.Body == "once" {
			n++
		}
	}
	if created != 1 || n != 1 {
		t.Errorf("concurrent: created=%d notes=%d", created, n)
	}
}

func TestPatch(t *testing.T) {
	s, call := newAPI(t)
	before, _ := s.Get("C-1005")

	r := call("PATCH", "/customers/C-1005", `{"tier":"platinum","status":"on_hold","email":"new@example.com","phone":"+1 555 0100","owner":"Marcus Lee","tags":["vip"],"custom_fields":{"health_score":"88","new_key":"v"}}`)
	if r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	var c Customer
	r.decode(t, &c)
	if c.Tier != "platinum" || c.Status != "on_hold" || c.Email != "new@example.com" || c.Phone != "+1 555 0100" || c.Owner != "Marcus Lee" ||
		len(c.Tags) != 1 || c.CustomFields["health_score"] != "88" || c.CustomFields["new_key"] != "v" {
		t.Errorf("patched = %+v", c)
	}
	if c.Version != before.Version+1 || !c.UpdatedAt.Equal(fixedNow) {
		t.Errorf("version %d->%d updated_at %v", before.Version, c.Version, c.UpdatedAt)
	}
	wantFields := len(before.CustomFields) + 1 // new_key
	if _, ok := before.CustomFields["health_score"]; !ok {
		wantFields++
	}
	if len(c.CustomFields) != wantFields { // merged, not replaced
		t.Errorf("custom fields: got %d keys, want %d: %v", len(c.CustomFields), wantFields, c.CustomFields)
	}
	r = call("PATCH", "/customers/C-1005", `{"custom_fields":{"new_key":null},"tags":[]}`)
	c = Customer{} // decoding into a used map would merge keys
	r.decode(t, &c)
	if _, ok := c.CustomFields["new_key"]; ok || len(c.Tags) != 0 || c.Tags == nil || c.Version != before.Version+2 {
		t.Errorf("delete key / clear tags: %v %v v%d", c.CustomFields, c.Tags, c.Version)
	}

	bad := map[string]struct{ body, mention string }{
		"unknown field": {`{"tier":"gold","name":"x"}`, `unknown field \"name\"`},
		"bad tier":      {`{"tier":"diamond"}`, "tier"},
		"bad status":    {`{"status":"deleted"}`, "status"},
		"null email":    {`{"email":null}`, "email"},
		"bad email":     {`{"email":"not-an-email"}`, "email"},
		"wrong type":    {`{"tags":"vip"}`, "tags"},
		"blank owner":   {`{"owner":" "}`, "owner"},
		"empty patch":   {`{}`, "at least one"},
		"not object":    {`[1,2]`, "object"},
		"too many tags": {`{"tags":[` + strings.Repeat(`"t",`, MaxTags) + `"t"]}`, "tags"},
	}
	for name, b := range bad {
		r := call("PATCH", "/customers/C-1005", b.body)
		if r.status != 400 || r.errCode(t) != "bad_request" || !strings.Contains(string(r.body), b.mention) {
			t.Errorf("%s: %d %s (want mention of %s)", name, r.status, r.body, b.mention)
		}
	}
	if r := call("PATCH", "/customers/C-0000", `{"tier":"gold"}`); r.status != 404 {
		t.Errorf("unknown customer: %d", r.status)
	}
	after, _ := s.Get("C-1005")
	if after.Version != before.Version+2 {
		t.Errorf("rejected patches changed the version: %d", after.Version)
	}
}

func TestPatchIdempotency(t *testing.T) {
	s, call := newAPI(t)
	before, _ := s.Get("C-1006")
	first := call("PATCH", "/customers/C-1006", `{"tier":"gold"}`, "Idempotency-Key", "p-1")
	if first.status != 200 || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d", first.status)
	}
	// A later change by someone else must not alter the replayed answer.
	call("PATCH", "/customers/C-1006", `{"owner":"Someone Else"}`)
	again := call("PATCH", "/customers/C-1006", `{"tier":"gold"}`, "Idempotency-Key", "p-1")
	if again.status != 200 || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
		t.Fatalf("replay: %d %v", again.status, again.header)
	}
	after, _ := s.Get("C-1006")
	if after.Version != before.Version+2 {
		t.Errorf("version %d -> %d, want +2 (replay must not bump)", before.Version, after.Version)
	}
	if r := call("PATCH", "/customers/C-1006", `{"tier":"silver"}`, "Idempotency-Key", "p-1"); r.status != 409 || r.errCode(t) != "conflict" {
		t.Errorf("conflict: %d %s", r.status, r.body)
	}
}

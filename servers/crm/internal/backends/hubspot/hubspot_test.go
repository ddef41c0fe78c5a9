package hubspot

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/servers/crm/internal/backends/hubspot/hubspottest"
	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/jarcoal/httpmock"
)

// Fixtures follow HubSpot's CRM v3 reference (search, objects, notes,
// associations v4, owners) and error handling pages; see
// servers/crm/README.md for the pages.

const (
	hs    = "https://api.hubapi.com"
	token = "pat-na1-11111111-2222-3333-4444-555555555555"
)

// open builds the adapter as crm-mcp does (Backend.Open with env), over rt.
func open(t *testing.T, rt http.RoundTripper, env ...string) *Client {
	t.Helper()
	environ := map[string]string{"HUBSPOT_ACCESS_TOKEN": token}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		environ[k] = v
	}
	b, err := Backend.Open(context.Background(), app.BackendEnv{Domain: "crm", Binary: "crm-mcp", Prefix: "CRM_", Version: "test", Environ: environ,
		API: config.Backend{MaxRetries: 2}, Base: rt})
	if err != nil {
		t.Fatal(err)
	}
	return b.(*Client)
}

// fake answers every request from the in-memory HubSpot account s.
func fake(s *hubspottest.Server) *httpmock.MockTransport {
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		return rec.Result(), nil
	})
	return mt
}

func deadline(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func jsonBody(t *testing.T, r *http.Request, v any) {
	t.Helper()
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
}

func TestOpenValidatesSettings(t *testing.T) {
	for env, want := range map[string]string{
		"":                                       "HUBSPOT_ACCESS_TOKEN is not set",
		"HUBSPOT_API_URL=http://api.example.com": "https",
		"HUBSPOT_STATUS_VALUES=gone:other":       "unknown bizmcp status",
		"HUBSPOT_MAX_NOTES=0":                    "HUBSPOT_MAX_NOTES",
	} {
		environ := map[string]string{"HUBSPOT_ACCESS_TOKEN": token}
		if env == "" {
			environ = map[string]string{}
		} else {
			k, v, _ := strings.Cut(env, "=")
			environ[k] = v
		}
		_, err := Backend.Open(context.Background(), app.BackendEnv{Binary: "crm-mcp", Prefix: "CRM_", Environ: environ})
		if ue, ok := err.(*config.UsageError); !ok || !strings.Contains(ue.Msg, want) {
			t.Errorf("%q: %v, want usage error with %q", env, err, want)
		}
	}
	c := open(t, httpmock.NewMockTransport(), "HUBSPOT_API_URL=http://127.0.0.1:1", "HUBSPOT_TIER_PROPERTY=")
	if c.cfg.TierProperty != "" || c.cfg.RegionProperty != "bizmcp_region" || c.cfg.StatusValues["active"] != "customer" {
		t.Errorf("config %+v", c.cfg)
	}
}

func TestSearchRequestAndPaging(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var bodies []searchRequest
	mt.RegisterResponder("POST", hs+"/crm/v3/objects/contacts/search", func(r *http.Request) (*http.Response, error) {
		var req searchRequest
		jsonBody(t, r, &req)
		bodies = append(bodies, req)
		if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("Idempotency-Key") != "" {
			t.Errorf("headers %v", r.Header)
		}
		page := `{"total":3,"results":[
			{"id":"51","properties":{"createdate":"2024-02-01T10:00:00.000Z","email":"anna.berg@hansa.example","firstname":"Anna","hs_object_id":"51","lastmodifieddate":"2025-11-20T08:30:00.000Z","lastname":"Berg","company":"Hansa Software","city":"Hamburg","country":"Germany","bizmcp_region":"emea","bizmcp_tier":"gold","lifecyclestage":"customer"},"createdAt":"2024-02-01T10:00:00.000Z","updatedAt":"2025-11-20T08:30:00.000Z","archived":false},
			{"id":"351","properties":{"email":"sam01@example.com","firstname":"Sam01","hs_object_id":"351","lastname":"Example","bizmcp_region":"emea","lifecyclestage":"opportunity"},"createdAt":"2024-02-01T10:00:00.000Z","updatedAt":"2025-11-20T08:30:00.000Z","archived":false}],
			"paging":{"next":{"after":"2","link":"?after=2"}}}`
		if req.After == "2" {
			page = `{"total":3,"results":[{"id":"551","properties":{"firstname":"Sam05","hs_object_id":"551","bizmcp_region":"emea"},"createdAt":"2024-02-01T10:00:00.000Z","updatedAt":"2025-11-20T08:30:00.000Z","archived":false}]}`
		}
		resp := httpmock.NewStringResponse(200, page)
		resp.Header.Set("Content-Type", "application/json;charset=utf-8")
		return resp, nil
	})
	c := open(t, mt)
	res, err := c.Search(deadline(t, 5*time.Second), crm.SearchQuery{Text: "example", Region: "emea", Limit: 2})
	if err != nil || res.Total != 3 || len(res.Customers) != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	a := res.Customers[0]
	if a.ID != "51" || a.Name != "Anna Berg" || a.Company != "Hansa Software" || a.Region != "emea" || a.Tier != "gold" || a.Status != "active" || a.Addresses[0].City != "Hamburg" {
		t.Errorf("%+v", a)
	}
	if res.Customers[1].Status != "opportunity" {
		t.Errorf("unmapped lifecycle stage shown as is: %q", res.Customers[1].Status)
	}
	res, err = c.Search(deadline(t, 5*time.Second), crm.SearchQuery{Text: "example", Region: "emea", Limit: 2, Offset: 2})
	if err != nil || len(res.Customers) != 1 || res.Customers[0].ID != "551" {
		t.Fatalf("page 2: %+v %v", res, err)
	}
	want := searchRequest{Query: "example", FilterGroups: []filterGroup{{Filters: []filter{{PropertyName: "bizmcp_region", Operator: "EQ", Value: "emea"}}}},
		Sorts: []sort{{PropertyName: "hs_object_id", Direction: "ASCENDING"}}, Limit: 2,
		Properties: []string{"firstname", "lastname", "email", "company", "city", "country", "bizmcp_region", "bizmcp_tier", "lifecyclestage"}}
	if b, _ := json.Marshal(bodies[0]); string(b) != string(must(json.Marshal(want))) || bodies[1].After != "2" {
		t.Errorf("request %s\nwant    %s\npage 2 after %q", b, must(json.Marshal(want)), bodies[1].After)
	}
}

func must(b []byte, _ error) []byte { return b }

func TestSearchByIDAndRegionUnmapped(t *testing.T) {
	s := hubspottest.New(token)
	c := open(t, fake(s))
	res, err := c.Search(deadline(t, 5*time.Second), crm.SearchQuery{Text: "151", Limit: 10})
	if err != nil || len(res.Customers) != 1 || res.Customers[0].ID != "151" {
		t.Fatalf("%+v %v", res, err)
	}
	// A region filter with no region property finds nothing, without asking.
	c = open(t, fake(s), "HUBSPOT_REGION_PROPERTY=")
	n := s.Count("POST /crm/v3/objects/contacts/search")
	if res, err := c.Search(deadline(t, 5*time.Second), crm.SearchQuery{Region: "emea", Limit: 10}); err != nil || res.Total != 0 || s.Count("POST /crm/v3/objects/contacts/search") != n {
		t.Errorf("%+v %v", res, err)
	}
}

func TestGetAsksOnlyForWhatTheViewNeeds(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponderWithQuery("GET", hs+"/crm/v3/objects/contacts/101", "properties=bizmcp_region%2Cemail%2Chs_object_id",
		httpmock.NewStringResponder(200, `{"id":"101","properties":{"createdate":"2024-02-01T10:00:00.000Z","email":"kenji@sakura.example","hs_object_id":"101","lastmodifieddate":"2025-11-20T08:30:00.000Z","bizmcp_region":"apac"},"createdAt":"2024-02-01T10:00:00.000Z","updatedAt":"2025-11-20T08:30:00.000Z","archived":false}`))
	c := open(t, mt)
	cu, err := c.Get(deadline(t, 5*time.Second), "101", crm.View{Fields: []string{crm.FieldEmail}})
	if err != nil || cu.Email != "kenji@sakura.example" || cu.Region != "apac" || cu.Notes != nil {
		t.Fatalf("%+v %v", cu, err)
	}
	if n := mt.GetTotalCallCount(); n != 1 {
		t.Errorf("%d requests for one property, want 1", n)
	}
}

func TestGetContactWithNoCompany(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", hs+"/crm/v3/objects/contacts/101", func(r *http.Request) (*http.Response, error) {
		if r.URL.Query().Get("associations") != "companies" {
			t.Errorf("query %s", r.URL.RawQuery)
		}
		// No "associations" key at all: HubSpot leaves it out when there are none.
		return httpmock.NewStringResponse(200, `{"id":"101","properties":{"company":null,"firstname":"Kenji","lastname":"Sato","hs_object_id":"101","bizmcp_region":"apac"},"createdAt":"2024-02-01T10:00:00.000Z","updatedAt":"2025-11-20T08:30:00.000Z","archived":false}`), nil
	})
	c := open(t, mt)
	cu, err := c.Get(deadline(t, 5*time.Second), "101", crm.View{Fields: []string{crm.FieldName, crm.FieldCompany}})
	if err != nil || cu.Name != "Kenji Sato" || cu.Company != "" {
		t.Fatalf("%+v %v", cu, err)
	}
	if n := mt.GetTotalCallCount(); n != 1 {
		t.Errorf("%d requests, want 1 (no company to read)", n)
	}
}

func TestGetFullRecordWithCompanyOwnerAnd300Notes(t *testing.T) {
	s := hubspottest.New(token)
	c := open(t, fake(s), "HUBSPOT_MAX_NOTES=250")
	cu, err := c.Get(deadline(t, 5*time.Second), "151", crm.View{Notes: 3})
	if err != nil {
		t.Fatal(err)
	}
	if cu.Company != "Andes Retail SA" || cu.Owner != "Max Weber <max.weber@example.com>" || cu.Tier != "platinum" || cu.Status != "active" {
		t.Errorf("%+v", cu)
	}
	// HUBSPOT_MAX_NOTES bounds the notes read (the 250 highest ids), not
	// the count.
	if cu.NotesTotal != 300 || len(cu.Notes) != 3 || cu.Notes[0].Body != "Maria note 299" {
		t.Fatalf("notes %d of %d: %+v", len(cu.Notes), cu.NotesTotal, cu.Notes)
	}
	c = open(t, fake(s))
	before := s.Count("POST /crm/v3/objects/notes/batch/read")
	cu, err = c.Get(deadline(t, 5*time.Second), "151", crm.View{Fields: []string{crm.FieldNotes, crm.FieldNotesTotal}, Notes: 3})
	if err != nil || cu.NotesTotal != 300 || len(cu.Notes) != 3 {
		t.Fatalf("%+v %v", cu, err)
	}
	for i, want := range []string{"Maria note 299", "Maria note 298", "Maria note 297"} {
		if cu.Notes[i].Body != want || cu.Notes[i].Author != "" {
			t.Errorf("note %d: %+v, want %q", i, cu.Notes[i], want)
		}
	}
	if cu.Notes[0].CreatedAt != "2025-03-13T20:00:00Z" {
		t.Errorf("timestamp %q", cu.Notes[0].CreatedAt)
	}
	// 3 batches of timestamps, then one of the 3 bodies.
	if n := s.Count("POST /crm/v3/objects/notes/batch/read") - before; n != 4 {
		t.Errorf("%d batch reads, want 4", n)
	}
}

func TestNotesAreTextWithAuthor(t *testing.T) {
	s := hubspottest.New(token)
	c := open(t, fake(s))
	cu, err := c.Get(deadline(t, 5*time.Second), "51", crm.View{Fields: []string{crm.FieldNotes}, Notes: 2})
	if err != nil || len(cu.Notes) != 2 || cu.Notes[0].Body != "Call 5 with Anna: discussed the *renewal*." && cu.Notes[0].Body != "Call 5 with Anna: discussed the renewal." {
		t.Fatalf("%+v %v", cu, err)
	}
	if strings.Contains(cu.Notes[0].Body, "<") {
		t.Errorf("HTML left: %q", cu.Notes[0].Body)
	}
}

func TestErrorsMapToPortKinds(t *testing.T) {
	mt := httpmock.NewMockTransport()
	reply := func(status int, body string) httpmock.Responder {
		return func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(status, body)
			resp.Header.Set("X-HubSpot-Correlation-Id", "c0ffee00-0000-4000-8000-000000000001")
			return resp, nil
		}
	}
	mt.RegisterResponder("GET", `=~^`+hs+`/crm/v3/objects/contacts/404`, reply(404, `{"status":"error","message":"Object not found.  objectId are usually numeric.","correlationId":"c0ffee00-0000-4000-8000-000000000001","context":{"id":["404"]},"category":"OBJECT_NOT_FOUND"}`))
	mt.RegisterResponder("GET", `=~^`+hs+`/crm/v3/objects/contacts/401`, reply(401, `{"status":"error","message":"Authentication credentials not found.","correlationId":"c0ffee00-0000-4000-8000-000000000001","category":"INVALID_AUTHENTICATION"}`))
	mt.RegisterResponder("GET", `=~^`+hs+`/crm/v3/objects/contacts/403`, reply(403, `{"status":"error","message":"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.","correlationId":"c0ffee00-0000-4000-8000-000000000001","errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.objects.contacts.read"]}}],"links":{"scopes":"https://developers.hubspot.com/scopes"},"category":"MISSING_SCOPES"}`))
	mt.RegisterResponder("GET", `=~^`+hs+`/crm/v3/objects/contacts/429`, reply(429, `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"c0ffee00-0000-4000-8000-000000000001","policyName":"DAILY","requestId":"3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd"}`))
	mt.RegisterResponder("GET", `=~^`+hs+`/crm/v3/objects/contacts/500`, reply(500, `{"status":"error","message":"internal error","correlationId":"c0ffee00-0000-4000-8000-000000000001","category":"INTERNAL_ERROR"}`))
	c := open(t, mt)
	for id, want := range map[string]port.Error{
		"404": {Kind: port.KindNotFound, Code: "OBJECT_NOT_FOUND"},
		"401": {Kind: port.KindUnauthorized, Setting: "HUBSPOT_ACCESS_TOKEN"},
		"403": {Kind: port.KindForbidden, Code: "MISSING_SCOPES"},
		"429": {Kind: port.KindRateLimited, Code: "DAILY", RetryAfter: time.Hour},
		"500": {Kind: port.KindUnavailable},
	} {
		_, err := c.Get(deadline(t, 5*time.Second), id, crm.View{Fields: []string{crm.FieldEmail}})
		pe, ok := port.AsError(err)
		if !ok || pe.Kind != want.Kind || pe.RequestID != "c0ffee00-0000-4000-8000-000000000001" || (want.Code != "" && pe.Code != want.Code) ||
			(want.Setting != "" && pe.Setting != want.Setting) || pe.RetryAfter != want.RetryAfter {
			t.Errorf("%s: %+v", id, err)
		}
	}
	// The daily limit is not retried (it does not fit the deadline); 5xx is.
	info := mt.GetCallCountInfo()
	if info["GET =~^"+hs+"/crm/v3/objects/contacts/429"] != 1 || info["GET =~^"+hs+"/crm/v3/objects/contacts/500"] != 3 {
		t.Errorf("attempts %v", info)
	}
}

func Test429WithPolicyNameIsRetriedWithinTheDeadline(t *testing.T) {
	s := hubspottest.New(token)
	s.RateLimitNext(1) // the first request gets a TEN_SECONDLY_ROLLING 429
	c := open(t, fake(s))
	cu, err := c.Get(deadline(t, 5*time.Second), "101", crm.View{Fields: []string{crm.FieldEmail}})
	if err != nil || cu.Email != "kenji@sakura.example" || s.Count("GET /crm/v3/objects/contacts/101") != 2 {
		t.Fatalf("%+v %v (%d attempts)", cu, err, s.Count("GET /crm/v3/objects/contacts/101"))
	}
	// With less time left than the wait, the 429 comes back with when to retry.
	s.RateLimitNext(1)
	_, err = c.Get(deadline(t, 800*time.Millisecond), "101", crm.View{Fields: []string{crm.FieldEmail}})
	if pe, ok := port.AsError(err); !ok || pe.Kind != port.KindRateLimited || pe.RetryAfter != time.Second || pe.Code != "TEN_SECONDLY_ROLLING" {
		t.Fatalf("%+v", err)
	}
}

func TestRemainingZeroPausesTheNextRequest(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(200, `{}`)
		resp.Header.Set("X-HubSpot-RateLimit-Remaining", "0")
		return resp, nil
	})
	tr := newTransport(mt, func() time.Time { return now })
	req, _ := http.NewRequest("GET", hs+"/crm/v3/objects/contacts/1", nil)
	if _, err := tr.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if !tr.pause.Equal(now.Add(time.Second)) {
		t.Fatalf("pause %v", tr.pause)
	}
	// A call whose deadline is too close to wait goes out at once.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := tr.RoundTrip(req.WithContext(ctx)); err != nil || mt.GetTotalCallCount() != 2 {
		t.Fatalf("%v, %d calls", err, mt.GetTotalCallCount())
	}
}

func TestUpdateMapsFieldsAndReplays(t *testing.T) {
	s := hubspottest.New(token)
	c := open(t, fake(s))
	tier, status, owner := "platinum", "active", "max.weber@example.com"
	p := crm.Patch{Tier: &tier, Status: &status, Owner: &owner, Tags: []string{"vip", "beta"}}
	cu, w, err := c.Update(deadline(t, 5*time.Second), "101", p, "key-1")
	if err != nil || w.Replayed || w.RequestID == "" || cu.Tier != "platinum" || cu.Status != "active" || !slices.Equal(cu.Tags, []string{"vip", "beta"}) || cu.Name != "Kenji Sato" {
		t.Fatalf("%+v %+v %v", cu, w, err)
	}
	got := s.Contact(hubspottest.Kenji)
	if got["bizmcp_tier"] != "platinum" || got["lifecyclestage"] != "customer" || got["hubspot_owner_id"] != "61123" || got["bizmcp_tags"] != "vip;beta" {
		t.Errorf("stored %v", got)
	}
	patches := s.Count("PATCH /crm/v3/objects/contacts/101")
	// The same update again: the contact already holds it; nothing is written.
	_, w, err = c.Update(deadline(t, 5*time.Second), "101", p, "key-1")
	if err != nil || !w.Replayed || s.Count("PATCH /crm/v3/objects/contacts/101") != patches {
		t.Fatalf("%+v %v", w, err)
	}
	onHold := "on_hold"
	if _, _, err := c.Update(deadline(t, 5*time.Second), "101", crm.Patch{Status: &onHold}, "k"); !port.IsKind(err, port.KindBadRequest) || !strings.Contains(err.Error(), "HUBSPOT_STATUS_VALUES") {
		t.Errorf("unmapped status: %v", err)
	}
	name := "Max"
	if _, _, err := c.Update(deadline(t, 5*time.Second), "101", crm.Patch{Owner: &name}, "k"); !port.IsKind(err, port.KindBadRequest) {
		t.Errorf("owner by name: %v", err)
	}
}

func TestUpdateValidationErrorNamesTheField(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", `=~^`+hs+`/crm/v3/objects/contacts/51`, httpmock.NewStringResponder(200, `{"id":"51","properties":{"hs_object_id":"51","email":"anna.berg@hansa.example","bizmcp_tier":"gold"},"createdAt":"2024-02-01T10:00:00.000Z","updatedAt":"2025-11-20T08:30:00.000Z","archived":false}`))
	mt.RegisterResponder("PATCH", hs+"/crm/v3/objects/contacts/51", func(r *http.Request) (*http.Response, error) {
		var p patch
		jsonBody(t, r, &p)
		if p.Properties["bizmcp_tier"] != "diamond" {
			t.Errorf("patch %+v", p)
		}
		resp := httpmock.NewStringResponse(400, `{"status":"error","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"diamond was not one of the allowed options: [label: \\\"Bronze\\\"\\nvalue: \\\"bronze\\\"\\n]\",\"error\":\"INVALID_OPTION\",\"name\":\"bizmcp_tier\",\"localizedErrorMessage\":\"Property values were not valid\",\"portalId\":4711}]","correlationId":"5b1f3c1e-9d2a-4c7e-8f00-aa0000000001","category":"VALIDATION_ERROR"}`)
		resp.Header.Set("X-HubSpot-Correlation-Id", "5b1f3c1e-9d2a-4c7e-8f00-aa0000000001")
		return resp, nil
	})
	c := open(t, mt)
	tier := "diamond"
	_, _, err := c.Update(deadline(t, 5*time.Second), "51", crm.Patch{Tier: &tier}, "key")
	pe, ok := port.AsError(err)
	if !ok || pe.Kind != port.KindBadRequest || pe.Field != "tier" || !strings.HasPrefix(pe.Message, "diamond was not one of the allowed options") || pe.RequestID != "5b1f3c1e-9d2a-4c7e-8f00-aa0000000001" {
		t.Fatalf("%+v", err)
	}
	// Validation errors are not retried.
	if n := mt.GetCallCountInfo()["PATCH "+hs+"/crm/v3/objects/contacts/51"]; n != 1 {
		t.Errorf("%d PATCH attempts", n)
	}
}

func TestAddNoteOnceUnderRetry(t *testing.T) {
	for _, keyProp := range []string{"", "bizmcp_key"} {
		s := hubspottest.New(token)
		c := open(t, fake(s), "HUBSPOT_NOTE_KEY_PROPERTY="+keyProp)
		n := crm.NewNote{Body: "Called about the renewal.\nQuote <b>follows</b> Friday.", Author: "ann"}
		// The first create is made but its answer lost (502): the adapter
		// finds the note by its marker instead of posting it again.
		s.LoseNextCreates(1)
		note, w, err := c.AddNote(deadline(t, 5*time.Second), "51", n, "key-A")
		if err != nil || w.Replayed || w.RequestID == "" || note.Author != "ann" || note.Body != "Called about the renewal.\nQuote <b>follows</b> Friday." {
			t.Fatalf("%q: %+v %+v %v", keyProp, note, w, err)
		}
		if got := s.Count("POST /crm/v3/objects/notes"); got != 1 {
			t.Errorf("%q: %d creates", keyProp, got)
		}
		// A later retry of the same write (same key): replayed, not written.
		again, w, err := c.AddNote(deadline(t, 5*time.Second), "51", n, "key-A")
		if err != nil || !w.Replayed || again.ID != note.ID {
			t.Fatalf("%q: %+v %+v %v", keyProp, again, w, err)
		}
		bodies := s.NotesOf(hubspottest.Anna)
		if len(bodies) != 6 || s.Count("POST /crm/v3/objects/notes") != 1 {
			t.Errorf("%q: %d notes after retries", keyProp, len(bodies))
		}
		last := bodies[len(bodies)-1]
		if !strings.Contains(last, "&lt;b&gt;follows&lt;/b&gt;") || strings.Contains(last, "key-A") || (keyProp == "") != strings.Contains(last, markerPrefix) {
			t.Errorf("%q: stored body %q", keyProp, last)
		}
		// Another note (another key) is written.
		if _, w, err := c.AddNote(deadline(t, 5*time.Second), "51", crm.NewNote{Body: "second"}, "key-B"); err != nil || w.Replayed || len(s.NotesOf(hubspottest.Anna)) != 7 {
			t.Errorf("%q: second note %+v %v", keyProp, w, err)
		}
	}
}

func TestAddNoteToMissingContact(t *testing.T) {
	s := hubspottest.New(token)
	c := open(t, fake(s))
	if _, _, err := c.AddNote(deadline(t, 5*time.Second), "999", crm.NewNote{Body: "x"}, "k"); !port.IsKind(err, port.KindNotFound) {
		t.Fatalf("%v", err)
	}
	if s.Count("POST /crm/v3/objects/notes") != 0 {
		t.Error("created a note for a missing contact")
	}
}

func TestPing(t *testing.T) {
	s := hubspottest.New(token)
	if err := open(t, fake(s)).Ping(deadline(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	s.Token = "rotated"
	if err := open(t, fake(s)).Ping(deadline(t, 5*time.Second)); !port.IsKind(err, port.KindUnauthorized) {
		t.Fatalf("%v", err)
	}
}

func TestNotesPagedAcrossAssociationPages(t *testing.T) {
	s := hubspottest.New(token)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1200 {
		s.AddNote(int64(50000+i), hubspottest.Kenji, "n"+strconv.Itoa(i), at.Add(time.Duration(i)*time.Minute))
	}
	c := open(t, fake(s))
	cu, err := c.Get(deadline(t, 5*time.Second), "101", crm.View{Fields: []string{crm.FieldNotes}, Notes: 2})
	if err != nil || cu.NotesTotal != 1200 || len(cu.Notes) != 2 || cu.Notes[0].Body != "n1199" || cu.Notes[1].Body != "n1198" {
		t.Fatalf("%+v %v", cu, err)
	}
	if n := s.Count("GET /crm/v4/objects/contacts/101/associations/notes"); n != 3 {
		t.Errorf("%d association pages, want 3 (500 a page)", n)
	}
	// Timestamps of the 1000 highest ids (10 batches), then 2 bodies.
	if n := s.Count("POST /crm/v3/objects/notes/batch/read"); n != 11 {
		t.Errorf("%d batch reads, want 11", n)
	}
}

func TestCompanyWithoutScopeFallsBackToContactText(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", `=~^`+hs+`/crm/v3/objects/contacts/51`, httpmock.NewStringResponder(200, `{"id":"51","properties":{"company":"Hansa Software","hs_object_id":"51","bizmcp_region":"emea"},"createdAt":"2024-02-01T10:00:00.000Z","updatedAt":"2025-11-20T08:30:00.000Z","archived":false,"associations":{"companies":{"results":[{"id":"9001","type":"contact_to_company"}]}}}`))
	mt.RegisterResponder("GET", `=~^`+hs+`/crm/v3/objects/companies/9001`, httpmock.NewStringResponder(403, `{"status":"error","message":"This app hasn't been granted all required scopes to make this call.","correlationId":"c0ffee00-0000-4000-8000-000000000002","category":"MISSING_SCOPES"}`))
	cu, err := open(t, mt).Get(deadline(t, 5*time.Second), "51", crm.View{Fields: []string{crm.FieldCompany}})
	if err != nil || cu.Company != "Hansa Software" {
		t.Fatalf("%+v %v", cu, err)
	}
}

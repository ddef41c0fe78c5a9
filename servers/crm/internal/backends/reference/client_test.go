package reference

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/jarcoal/httpmock"
)

const base = "http://crm.test/crm"

// client is a Client for base over mt that retries twice, fast.
func client(t *testing.T, mt *httpmock.MockTransport) *Client {
	return apptest.APIClient(t, New, "crm", base, mt)
}

func TestSearch(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponderWithQuery("GET", base+"/customers/search", "q=acme&region=emea&limit=5&offset=10",
		httpmock.NewStringResponder(200, `{"customers":[{"id":"C-1013","company":"Acme"}],"total":11,"offset":10,"limit":5}`))
	res, err := client(t, mt).Search(context.Background(), crm.SearchQuery{Text: "acme", Region: "emea", Limit: 5, Offset: 10})
	if err != nil || res.Total != 11 || res.Customers[0].ID != "C-1013" || res.Customers[0].Company != "Acme" {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestGetConvertsNewestFirstAndMapsErrors(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/customers/C-1001", httpmock.NewStringResponder(200,
		`{"id":"C-1001","region":"emea","lifetime_value":{"amount_minor":1250,"currency":"EUR"},
		  "notes":[{"id":"n1","body":"old"},{"id":"n2","body":"new","author":"ann","created_at":"2026-01-02T00:00:00Z"}],
		  "activity":[{"type":"call","summary":"first"},{"type":"mail","summary":"last"}],
		  "addresses":[{"type":"billing","city":"Berlin"}],"contacts":[{"name":"Bo","role":"cto"}]}`))
	mt.RegisterResponder("GET", base+"/customers/C-404", httpmock.NewStringResponder(404, `{"error":{"code":"not_found","message":"no customer C-404"}}`))
	mt.RegisterResponder("GET", `=~^`+base+`/customers/a%2Fb`, httpmock.NewStringResponder(404, `{}`))
	mt.RegisterResponder("GET", base+"/customers/C-500", httpmock.NewStringResponder(500, `oops`))
	mt.RegisterResponder("GET", base+"/customers/C-bad", httpmock.NewStringResponder(200, `{"id": 5`))
	c := client(t, mt)
	got, err := c.Get(context.Background(), "C-1001", crm.View{Notes: 3})
	if err != nil || got.ID != "C-1001" || got.NotesTotal != 2 || got.Notes[0].ID != "n2" || got.Notes[0].Author != "ann" ||
		got.Activity[0].Summary != "last" || got.LifetimeValue != (crm.Money{AmountMinor: 1250, Currency: "EUR"}) ||
		got.Addresses[0].City != "Berlin" || got.Contacts[0].Role != "cto" {
		t.Fatalf("%+v %v", got, err)
	}
	for id, kind := range map[string]port.Kind{"C-404": port.KindNotFound, "C-500": port.KindUnavailable, "C-bad": port.KindMalformed, "a/b": port.KindNotFound} {
		_, err := c.Get(context.Background(), id, crm.View{})
		if !port.IsKind(err, kind) {
			t.Errorf("%s: %v, want %s", id, err, kind)
		}
	}
	if n := mt.GetCallCountInfo()["GET "+base+"/customers/C-500"]; n != 3 {
		t.Errorf("C-500: %d attempts, want 3 (1 + 2 retries)", n)
	}
}

func TestWritesSendIdempotencyKey(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var bodies []crm.NewNote
	mt.RegisterResponder("POST", base+"/customers/C-1/notes", func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Idempotency-Key") != "key-1" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v", r.Header)
		}
		b, _ := io.ReadAll(r.Body)
		var n crm.NewNote
		json.Unmarshal(b, &n)
		bodies = append(bodies, n)
		if len(bodies) == 1 {
			return httpmock.NewStringResponse(503, `{}`), nil
		}
		return httpmock.NewStringResponse(201, `{"id":"N-9","body":"x"}`), nil
	})
	n, w, err := client(t, mt).AddNote(context.Background(), "C-1", crm.NewNote{Body: "x"}, "key-1")
	if err != nil || n.ID != "N-9" || w.Replayed {
		t.Fatalf("%v %+v %v", n, w, err)
	}
	if len(bodies) != 2 || bodies[1].Body != "x" {
		t.Errorf("retry did not resend the same body: %+v", bodies)
	}
	mt.RegisterResponder("PATCH", base+"/customers/C-1", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"tier":"gold"}` {
			t.Errorf("patch body %s", b)
		}
		resp := httpmock.NewStringResponse(200, `{"id":"C-1","tier":"gold","version":3}`)
		resp.Header.Set("Idempotent-Replayed", "true")
		resp.Header.Set("X-Request-Id", "req-7")
		return resp, nil
	})
	tier := "gold"
	c, w, err := client(t, mt).Update(context.Background(), "C-1", crm.Patch{Tier: &tier}, "key-2")
	if err != nil || c.Version != 3 || c.Tier != "gold" || !w.Replayed || w.RequestID != "req-7" {
		t.Fatalf("%+v %+v %v", c, w, err)
	}
}

// TestGetDecodesOnlyWhatTheViewWants: lists the View leaves out are
// counted, not decoded, and the counts reach the tool.
func TestGetDecodesOnlyWhatTheViewWants(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/customers/C-1001", httpmock.NewStringResponder(200,
		`{"id":"C-1001","name":"Ann","notes":[{"id":"n1","body":"a, [b]"},{"id":"n2","body":"x\\\"}{,"}],
		  "activity":[{"type":"call","summary":"{,}"},{"type":"mail"},{"type":"mail"}],
		  "custom_fields":{"a":"1,2","b":"[3]"},"contacts":[]}`))
	got, err := client(t, mt).Get(context.Background(), "C-1001", crm.View{Fields: []string{crm.FieldName, crm.FieldNotesTotal}})
	if err != nil {
		t.Fatal(err)
	}
	contacts, fields, activity := got.Counts()
	if got.Name != "Ann" || got.Notes != nil || got.Activity != nil || got.CustomFields != nil || got.Contacts != nil ||
		got.NotesTotal != 2 || contacts != 0 || fields != 2 || activity != 3 {
		t.Fatalf("%+v", got)
	}
}

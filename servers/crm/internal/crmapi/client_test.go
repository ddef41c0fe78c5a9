package crmapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/backend"
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
		httpmock.NewJsonResponderOrPanic(200, SearchResult{Customers: []Customer{{ID: "C-1013", Company: "Acme"}}, Total: 11, Offset: 10, Limit: 5}))
	res, err := client(t, mt).Search(context.Background(), SearchQuery{Q: "acme", Region: "emea", Limit: 5, Offset: 10})
	if err != nil || res.Total != 11 || res.Customers[0].ID != "C-1013" {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestGetEscapesIDAndMapsErrors(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/customers/C-1001", httpmock.NewJsonResponderOrPanic(200, Customer{ID: "C-1001", Notes: []Note{{ID: "n1", Body: "hi"}}}))
	mt.RegisterResponder("GET", base+"/customers/C-404", httpmock.NewStringResponder(404, `{"error":{"code":"not_found","message":"no customer C-404"}}`))
	mt.RegisterResponder("GET", `=~^`+base+`/customers/a%2Fb`, httpmock.NewStringResponder(404, `{}`))
	mt.RegisterResponder("GET", base+"/customers/C-500", httpmock.NewStringResponder(500, `oops`))
	mt.RegisterResponder("GET", base+"/customers/C-bad", httpmock.NewStringResponder(200, `{"id": 5`))
	c := client(t, mt)
	got, err := c.Get(context.Background(), "C-1001")
	if err != nil || got.ID != "C-1001" || got.Notes[0].Body != "hi" {
		t.Fatalf("%+v %v", got, err)
	}
	for id, kind := range map[string]backend.Kind{"C-404": backend.KindNotFound, "C-500": backend.KindUnavailable, "C-bad": backend.KindMalformed, "a/b": backend.KindNotFound} {
		_, err := c.Get(context.Background(), id)
		if be, _ := backend.AsError(err); be == nil || be.Kind != kind {
			t.Errorf("%s: %v, want %s", id, err, kind)
		}
	}
	if n := mt.GetCallCountInfo()["GET "+base+"/customers/C-500"]; n != 3 {
		t.Errorf("C-500: %d attempts, want 3 (1 + 2 retries)", n)
	}
}

func TestWritesSendIdempotencyKey(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var bodies []NewNote
	mt.RegisterResponder("POST", base+"/customers/C-1/notes", func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Idempotency-Key") != "key-1" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v", r.Header)
		}
		b, _ := io.ReadAll(r.Body)
		var n NewNote
		json.Unmarshal(b, &n)
		bodies = append(bodies, n)
		if len(bodies) == 1 {
			return httpmock.NewStringResponse(503, `{}`), nil
		}
		resp := httpmock.NewStringResponse(201, `{"id":"N-9","body":"x"}`)
		return resp, nil
	})
	n, _, err := client(t, mt).AddNote(context.Background(), "C-1", NewNote{Body: "x"}, "key-1")
	if err != nil || n.ID != "N-9" {
		t.Fatalf("%v %v", n, err)
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
		return resp, nil
	})
	tier := "gold"
	c, meta, err := client(t, mt).Update(context.Background(), "C-1", Patch{Tier: &tier}, "key-2")
	if err != nil || c.Version != 3 || !meta.Replayed {
		t.Fatalf("%+v %+v %v", c, meta, err)
	}
}

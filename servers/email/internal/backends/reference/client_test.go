package reference

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/jarcoal/httpmock"
)

const base = "http://email.test/email"

// client is a Client for base over mt that retries twice, fast.
func client(t *testing.T, mt *httpmock.MockTransport) *Client {
	return apptest.APIClient(t, New, "email", base, mt)
}

func TestSearchQuery(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponderWithQuery("GET", base+"/messages/search",
		"q=ORD-48291&from=costa&folder=inbox&customer_id=C-1004&after=2026-02-01T00%3A00%3A00Z&before=2026-02-25T00%3A00%3A00Z&limit=5&offset=10",
		httpmock.NewJsonResponderOrPanic(200, email.SearchResult{Messages: []email.Summary{{ID: "M-20002", Snippet: "Hola"}}, Total: 11, Offset: 10, Limit: 5}))
	res, err := client(t, mt).Search(context.Background(), email.SearchQuery{
		Q: "ORD-48291", From: "costa", Folder: "inbox", CustomerID: "C-1004",
		After: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Before: time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC), Limit: 5, Offset: 10,
	})
	if err != nil || res.Total != 11 || res.Messages[0].ID != "M-20002" {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestGetMapsErrors(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/messages/M-1", httpmock.NewJsonResponderOrPanic(200, email.Message{ID: "M-1", BodyText: "hi", Attachments: []email.Attachment{{ID: "A-1", Size: 10}}}))
	mt.RegisterResponder("GET", base+"/messages/M-404", httpmock.NewStringResponder(404, `{"error":{"code":"not_found","message":"message M-404: not found"}}`))
	mt.RegisterResponder("GET", base+"/messages/M-500", httpmock.NewStringResponder(503, `{"error":{"code":"unavailable","message":"down"}}`))
	mt.RegisterResponder("GET", base+"/messages/M-bad", httpmock.NewStringResponder(200, `{"id": 5`))
	mt.RegisterResponder("GET", `=~^`+base+`/threads/a%2Fb`, httpmock.NewStringResponder(404, `{}`))
	c := client(t, mt)
	m, err := c.Get(context.Background(), "M-1")
	if err != nil || m.BodyText != "hi" || m.Attachments[0].ID != "A-1" {
		t.Fatalf("%+v %v", m, err)
	}
	for id, kind := range map[string]backend.Kind{"M-404": backend.KindNotFound, "M-500": backend.KindUnavailable, "M-bad": backend.KindMalformed} {
		_, err := c.Get(context.Background(), id)
		if be, _ := backend.AsError(err); be == nil || be.Kind != kind {
			t.Errorf("%s: %v, want %s", id, err, kind)
		}
	}
	if _, err := c.Thread(context.Background(), "a/b"); err == nil {
		t.Error("escaped thread id: no error")
	}
	if n := mt.GetCallCountInfo()["GET "+base+"/messages/M-500"]; n != 3 {
		t.Errorf("M-500: %d attempts, want 3 (1 + 2 retries)", n)
	}
}

func TestSendRetriesWithTheSameKey(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var bodies []email.Compose
	var keys []string
	mt.RegisterResponder("POST", base+"/messages/send", func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		var c email.Compose
		json.Unmarshal(b, &c)
		bodies = append(bodies, c)
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		if len(bodies) == 1 {
			return httpmock.NewStringResponse(502, `{}`), nil
		}
		resp := httpmock.NewStringResponse(200, `{"id":"M-9","thread_id":"T-9","folder":"sent"}`)
		resp.Header.Set("Idempotent-Replayed", "true")
		return resp, nil
	})
	m, meta, err := client(t, mt).Send(context.Background(), email.Compose{To: []string{"a@bizmcp.example"}, Subject: "s", BodyText: "b"}, "key-1")
	if err != nil || m.ID != "M-9" || !meta.Replayed {
		t.Fatalf("%+v %+v %v", m, meta, err)
	}
	if len(keys) != 2 || keys[0] != "key-1" || keys[1] != "key-1" || bodies[1].Subject != "s" {
		t.Errorf("keys %v bodies %+v", keys, bodies)
	}
}

func TestWritesWithoutKeyAreNotRetried(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", base+"/drafts/M-7/send", httpmock.NewStringResponder(503, `{}`))
	mt.RegisterResponder("POST", base+"/drafts", func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Idempotency-Key") != "d-1" {
			t.Errorf("draft key %q", r.Header.Get("Idempotency-Key"))
		}
		return httpmock.NewStringResponse(201, `{"id":"M-7","folder":"drafts"}`), nil
	})
	c := client(t, mt)
	d, meta, err := c.CreateDraft(context.Background(), email.Compose{To: []string{"a@b.example"}, BodyText: "x"}, "d-1")
	if err != nil || d.ID != "M-7" || meta.Replayed || meta.RequestID != "" {
		t.Fatalf("%+v %+v %v", d, meta, err)
	}
	if _, _, err := c.SendDraft(context.Background(), "M-7", ""); err == nil {
		t.Fatal("503 accepted")
	}
	if n := mt.GetCallCountInfo()["POST "+base+"/drafts/M-7/send"]; n != 1 {
		t.Errorf("keyless send attempted %d times", n)
	}
}

package email_test

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/mocks/email"
)

type env struct {
	t   *testing.T
	srv *mocks.Server
}

func newEnv(t *testing.T) *env {
	s, err := mocks.NewServer(mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: s}
}

func (e *env) do(method, path, body string, h map[string]string) *httptest.ResponseRecorder {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	for k, v := range h {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Header().Get("X-Request-Id") == "" {
		e.t.Errorf("%s %s: no X-Request-Id", method, path)
	}
	return rec
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	return v
}

func TestReadEndpoints(t *testing.T) {
	e := newEnv(t)
	if rec := e.do("GET", "/email/health", "", nil); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	mb := decode[email.Mailbox](t, e.do("GET", "/email/mailbox", "", nil))
	if mb.Address != email.MailboxAddress || len(mb.Folders) != 4 {
		t.Errorf("%+v", mb)
	}
	sr := decode[email.SearchResponse](t, e.do("GET", "/email/messages/search?q=ORD-48291&folder=inbox&limit=5", "", nil))
	if sr.Total != 1 || sr.Messages[0].ID != email.DemoMessageID || sr.Messages[0].Snippet == "" || sr.Limit != 5 {
		t.Errorf("%+v", sr)
	}
	sr = decode[email.SearchResponse](t, e.do("GET", "/email/messages/search?after=2026-02-20&before=2026-02-24T09:00:00Z&has_attachments=false", "", nil))
	if sr.Total == 0 {
		t.Error("date search found nothing")
	}
	m := decode[email.Message](t, e.do("GET", "/email/messages/"+email.LongThreadLastID, "", nil))
	if m.ThreadID != email.LongThreadID || len(m.Headers) == 0 || m.BodyHTML == "" {
		t.Errorf("%+v", m.ID)
	}
	th := decode[email.Thread](t, e.do("GET", "/email/threads/"+email.LongThreadID, "", nil))
	if th.MessageCount != len(th.Messages) || th.MessageCount < 16 || th.CustomerID != "C-1007" {
		t.Errorf("thread %d", th.MessageCount)
	}
	for path, code := range map[string]int{
		"/email/messages/M-1":                          404,
		"/email/threads/T-1":                           404,
		"/email/messages/search?limit=0":               400,
		"/email/messages/search?limit=x":               400,
		"/email/messages/search?after=yesterday":       400,
		"/email/messages/search?has_attachments=maybe": 400,
		"/email/messages/search?folder=spam":           400,
		"/email/nothing":                               404,
	} {
		rec := e.do("GET", path, "", nil)
		body := decode[map[string]map[string]string](t, rec)
		if rec.Code != code || body["error"]["code"] == "" || body["error"]["message"] == "" {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
	if rec := e.do("DELETE", "/email/messages/"+email.DemoMessageID, "", nil); rec.Code != 405 {
		t.Errorf("DELETE: %d", rec.Code)
	}
}

func TestSendOncePerKey(t *testing.T) {
	e := newEnv(t)
	body := `{"to":["marcus.lee@bizmcp.example"],"subject":"Follow-up","body_text":"Hi","in_reply_to":"` + email.DemoMessageID + `"}`
	key := map[string]string{"Idempotency-Key": "k1", "Content-Type": "application/json"}
	first := e.do("POST", "/email/messages/send", body, key)
	if first.Code != 201 || first.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("%d %s", first.Code, first.Body)
	}
	// Same key, same body (other field order): replayed.
	again := e.do("POST", "/email/messages/send", `{"in_reply_to":"`+email.DemoMessageID+`","body_text":"Hi","subject":"Follow-up","to":["marcus.lee@bizmcp.example"]}`, key)
	if again.Code != 200 || again.Header().Get("Idempotent-Replayed") != "true" || decode[email.Message](t, again).ID != decode[email.Message](t, first).ID {
		t.Fatalf("%d %s", again.Code, again.Body)
	}
	if rec := e.do("POST", "/email/messages/send", strings.Replace(body, "Hi", "Hello", 1), key); rec.Code != 409 {
		t.Errorf("same key, other body: %d", rec.Code)
	}
	for name, b := range map[string]string{
		"unknown field": `{"to":["a@bizmcp.example"],"subject":"x","body_text":"y","priority":"high"}`,
		"not json":      `{`,
		"bad address":   `{"to":["nobody"],"subject":"x","body_text":"y"}`,
	} {
		if rec := e.do("POST", "/email/messages/send", b, nil); rec.Code != 400 {
			t.Errorf("%s: %d", name, rec.Code)
		}
	}
	st := e.srv.Stats()
	if st.Domains["email"].Writes != 1 || st.Domains["email"].Replays != 1 || st.Writes["POST /email/messages/send"] != 1 {
		t.Errorf("stats: %+v", st.Domains["email"])
	}
	dl := decode[email.DeliveriesResponse](t, e.do("GET", "/email/deliveries", "", nil))
	if dl.Total != 1 || dl.Deliveries[0].To[0] != "marcus.lee@bizmcp.example" {
		t.Errorf("%+v", dl)
	}
}

func TestDraftThenSend(t *testing.T) {
	e := newEnv(t)
	rec := e.do("POST", "/email/drafts", `{"to":["`+email.DemoCustomerEmail+`"],"subject":"","body_text":"Hola","in_reply_to":"`+email.DemoMessageID+`"}`, map[string]string{"Idempotency-Key": "d1"})
	if rec.Code != 201 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	d := decode[email.Message](t, rec)
	if d.Folder != email.FolderDrafts || d.Subject == "" {
		t.Fatalf("%+v", d)
	}
	if rec := e.do("POST", "/email/drafts/"+d.ID+"/send", `{"x":1}`, nil); rec.Code != 400 {
		t.Errorf("body on draft send: %d", rec.Code)
	}
	rec = e.do("POST", "/email/drafts/"+d.ID+"/send", "", map[string]string{"Idempotency-Key": "s1"})
	if rec.Code != 200 || decode[email.Message](t, rec).Folder != email.FolderSent {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if rec := e.do("POST", "/email/drafts/"+d.ID+"/send", "", map[string]string{"Idempotency-Key": "s1"}); rec.Header().Get("Idempotent-Replayed") != "true" {
		t.Errorf("not replayed: %d", rec.Code)
	}
	rec = e.do("POST", "/email/drafts/"+d.ID+"/send", "", nil)
	if body := decode[map[string]map[string]string](t, rec); rec.Code != 409 || body["error"]["code"] != "not_a_draft" {
		t.Errorf("resend: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do("POST", "/email/drafts/M-1/send", "", nil); rec.Code != 404 {
		t.Errorf("unknown draft: %d", rec.Code)
	}
}

func TestFixtures(t *testing.T) {
	d := email.NewDomain()
	if err := d.LoadFixtures([]byte(`{"messages":[{"id":"M-5","thread_id":"T-2","folder":"inbox","from":{"name":"A","email":"a@b.example"},"subject":"hi","body_text":"hello"}]}`)); err != nil {
		t.Fatal(err)
	}
	if d.Store().Len() != 1 {
		t.Fatal(d.Store().Len())
	}
	for _, bad := range []string{
		`{}`,
		`{"messages":[{"id":"X","thread_id":"T-2","folder":"inbox","from":{"email":"a@b.example"}}]}`,
		`{"messages":[{"id":"M-1","thread_id":"T-2","folder":"spam","from":{"email":"a@b.example"}}]}`,
		`{"messages":[],"extra":1}`,
	} {
		if err := d.LoadFixtures([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/mocks/email"
	"github.com/bizmcp/bizmcp/servers/email/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// env is one server built exactly as the binary builds it, over its own
// in-process email backend (so tests do not share mailbox state).
type env struct {
	cs    *mcp.ClientSession
	mock  *mocks.Server
	store *email.Store
	srv   *mcp.Server
	deps  app.Deps[extra]
	audit *apptest.AuditBuffer // the audit trail, one JSON line per record
}

// newEnv builds the server with the given EMAIL_/MCP_ environment; wrap,
// when set, wraps the transport to the backend (to inject failures).
func newEnv(t testing.TB, wrap func(http.RoundTripper) http.RoundTripper, environ ...string) *env {
	t.Helper()
	dom := email.NewDomain()
	spec, ms := apptest.OwnBackend(t, Spec, mocks.Options{Domains: []mocks.Domain{dom}}, "http://mock-backends.test/email", wrap)
	trail := &apptest.AuditBuffer{}
	cs, srv, deps := apptest.Server(t, spec, trail, []string{"--demo"}, append(quiet(t), environ...)...)
	return &env{cs: cs, mock: ms, store: dom.Store(), srv: srv, deps: deps, audit: trail}
}

// quiet sends the audit log to a file instead of the test's stderr.
func quiet(t testing.TB) []string {
	return []string{"MCP_AUDIT_LOG=" + filepath.Join(t.TempDir(), "audit.jsonl")}
}

func (e *env) call(t *testing.T, tool string, args map[string]any) (*mcp.CallToolResult, string) {
	t.Helper()
	res := mcptest.Call(t, e.cs, tool, args)
	return res, mcptest.Text(res)
}

// customerDomains allows the company and the demo customer.
const customerDomains = "EMAIL_ALLOWED_RECIPIENT_DOMAINS=bizmcp.example,costa-consultores.example"

func TestToolsListAndSnapshots(t *testing.T) {
	// The real --demo backend, as the binary runs it.
	cs := apptest.Session(t, Spec, []string{"--demo"}, quiet(t)...)
	list := mcptest.CheckTools(t, cs, "email_")
	byName := map[string]*mcp.Tool{}
	for _, tl := range list {
		byName[tl.Name] = tl
	}
	for name, want := range map[string][4]bool{ // readOnly, destructive, idempotent, openWorld
		"email_search":       {true, false, true, false},
		"email_get_message":  {true, false, true, false},
		"email_get_thread":   {true, false, true, false},
		"email_create_draft": {false, false, true, false},
		"email_send":         {false, true, true, true},
	} {
		tl := byName[name]
		if tl == nil {
			t.Errorf("missing tool %s", name)
			continue
		}
		a := tl.Annotations
		if got := [4]bool{a.ReadOnlyHint, *a.DestructiveHint, a.IdempotentHint, *a.OpenWorldHint}; got != want {
			t.Errorf("%s annotations %v, want %v", name, got, want)
		}
	}
	if d := byName["email_send"].Description; !strings.Contains(d, "cannot be unsent") || !strings.Contains(d, "EMAIL_ALLOWED_RECIPIENT_DOMAINS") {
		t.Errorf("email_send description: %s", d)
	}
	mcptest.Snapshots(t, list, "internal/tools/testdata/toolsnaps")
	// The demo backend answers.
	if res := mcptest.Call(t, cs, "email_get_message", map[string]any{"id": email.DemoMessageID}); res.IsError {
		t.Fatal(mcptest.Text(res))
	}
}

func TestSearchIsBoundedAndPaginated(t *testing.T) {
	e := newEnv(t, nil)
	seen := map[string]bool{}
	cursor, total := "", 0
	for page := 0; page < 30; page++ {
		args := map[string]any{"folder": "inbox", "limit": 50}
		if cursor != "" {
			args["cursor"] = cursor
		}
		res, text := e.call(t, "email_search", args)
		if res.IsError {
			t.Fatal(text)
		}
		var out tools.SearchOut
		mcptest.Structured(t, res, &out)
		if len(out.Messages) > 50 {
			t.Fatalf("page of %d", len(out.Messages))
		}
		if b, _ := json.Marshal(res); len(b) > 64_000 {
			t.Errorf("a page of 50 summaries is %d bytes", len(b))
		}
		total = out.Total
		for _, m := range out.Messages {
			if seen[m.ID] || m.Folder != "inbox" {
				t.Fatalf("%s repeated or not in inbox", m.ID)
			}
			seen[m.ID] = true
			if n := len([]rune(m.Snippet)); n > 200 && !strings.Contains(m.Snippet, "untrusted-data") {
				t.Errorf("%s: snippet of %d characters", m.ID, n)
			}
		}
		if !out.HasMore {
			break
		}
		cursor = out.NextCursor
	}
	_, want, _ := e.store.Search(email.Query{Folder: email.FolderInbox, Limit: 1})
	if len(seen) != total || total != want {
		t.Errorf("paged %d, total %d, inbox holds %d", len(seen), total, want)
	}
	// A cursor is bound to its query.
	if res, text := e.call(t, "email_search", map[string]any{"folder": "sent", "cursor": cursor}); cursor != "" && (!res.IsError || !strings.Contains(text, "different query")) {
		t.Errorf("cursor reused across queries: %s", text)
	}
	res, text := e.call(t, "email_search", map[string]any{"query": "ORD-48291", "from": "costa-consultores", "after": "2026-02-24", "before": "2026-02-25", "customer_id": "C-1004"})
	var out tools.SearchOut
	mcptest.Structured(t, res, &out)
	if len(out.Messages) != 1 || out.Messages[0].ID != email.DemoMessageID || !out.Messages[0].Unread || out.Messages[0].ThreadID != email.DemoThreadID {
		t.Errorf("filtered search: %s", text)
	}
	if _, text := e.call(t, "email_search", map[string]any{"query": "zzzz-nothing"}); !strings.Contains(text, "no messages match") {
		t.Errorf("empty search: %s", text)
	}
}

// rawSize is the size of the backend's JSON for a message.
func rawSize(t *testing.T, e *env, id string) int {
	rec := httptest.NewRecorder()
	e.mock.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/email/messages/"+id, nil))
	if rec.Code != 200 {
		t.Fatalf("raw %s: %d", id, rec.Code)
	}
	return rec.Body.Len()
}

func TestLongThreadMessageIsCompact(t *testing.T) {
	e := newEnv(t, nil)
	raw := rawSize(t, e, email.LongThreadLastID)
	res, text := e.call(t, "email_get_message", map[string]any{"id": email.LongThreadLastID})
	if res.IsError {
		t.Fatal(text)
	}
	got, _ := json.Marshal(res)
	if ratio := float64(raw) / float64(len(got)); ratio < 5 {
		t.Errorf("raw %d bytes, result %d bytes: only %.1fx smaller", raw, len(got), ratio)
	} else {
		t.Logf("raw %d bytes, result %d bytes: %.1fx smaller", raw, len(got), ratio)
	}
	var out tools.MessageOut
	mcptest.Structured(t, res, &out)
	if out.Trimmed.QuotedMessages < 15 || out.Trimmed.QuotedChars < 5000 || out.Trimmed.SignatureChars == 0 ||
		strings.Contains(out.Body, "wrote:") || !strings.Contains(out.Body, "we are live in Pune") {
		t.Errorf("trimming: %+v\n%s", out.Trimmed, out.Body)
	}
	if !strings.Contains(text, "include_quoted=true") {
		t.Errorf("text does not say how to get the quote: %s", text)
	}
	if res.Meta["bizmcp/est_tokens"] == nil {
		t.Error("no token estimate")
	}
	// Asked for, the history comes back (bounded by max_chars).
	res, _ = e.call(t, "email_get_message", map[string]any{"id": email.LongThreadLastID, "include_quoted": true, "include_signature": true, "max_chars": 20000})
	var full tools.MessageOut
	mcptest.Structured(t, res, &full)
	if !strings.Contains(full.Body, "wrote:") || !strings.Contains(full.Body, "Zebra ZT411") || full.Trimmed.QuotedChars != 0 {
		t.Errorf("include_quoted: %+v", full.Trimmed)
	}
	res, _ = e.call(t, "email_get_message", map[string]any{"id": email.LongThreadLastID, "include_quoted": true, "max_chars": 500})
	var short tools.MessageOut
	mcptest.Structured(t, res, &short)
	if short.Trimmed.TruncatedChars == 0 || !strings.Contains(short.Body, "[truncated:") || len([]rune(short.Body)) > 700 {
		t.Errorf("max_chars: %+v %d", short.Trimmed, len([]rune(short.Body)))
	}
}

func TestThreadView(t *testing.T) {
	e := newEnv(t, nil)
	res, text := e.call(t, "email_get_thread", map[string]any{"id": email.LongThreadID, "limit": 10})
	var out tools.ThreadOut
	mcptest.Structured(t, res, &out)
	if res.IsError || out.Total != 17 || len(out.Messages) != 10 || !out.HasMore || out.CustomerID != "C-1007" || out.Messages[0].ID != email.LongThreadFirstID {
		t.Fatalf("%s", text)
	}
	for _, m := range out.Messages {
		if strings.Contains(m.Snippet, "wrote:") || len([]rune(m.Snippet)) > 400 {
			t.Errorf("%s snippet carries history: %q", m.ID, m.Snippet)
		}
	}
	res, _ = e.call(t, "email_get_thread", map[string]any{"id": email.LongThreadID, "limit": 10, "cursor": out.NextCursor})
	var rest tools.ThreadOut
	mcptest.Structured(t, res, &rest)
	if len(rest.Messages) != 7 || rest.HasMore || rest.Messages[6].ID != email.LongThreadLastID {
		t.Errorf("second page: %d messages", len(rest.Messages))
	}
}

func TestHTMLAndLanguages(t *testing.T) {
	e := newEnv(t, nil)
	res, text := e.call(t, "email_get_message", map[string]any{"id": email.HTMLTableID})
	var out tools.MessageOut
	mcptest.Structured(t, res, &out)
	if out.BodyFormat != "html" || !strings.Contains(out.Body, "RX-200") || !strings.Contains(out.Body, "| Menge") ||
		strings.ContainsAny(out.Body, "<>") || strings.Contains(out.Body, "font-family") || len(out.Attachments) != 1 || out.Attachments[0].Size == "" {
		t.Errorf("HTML table:\n%s", text)
	}
	for lang, id := range email.SampleLanguageIDs {
		res, text := e.call(t, "email_get_message", map[string]any{"id": id})
		var m tools.MessageOut
		mcptest.Structured(t, res, &m)
		if m.Language != lang || m.Trimmed.QuotedChars == 0 || m.Trimmed.SignatureChars == 0 || strings.Contains(m.Body, "CONFIDENTIALITY") {
			t.Errorf("%s (%s): quote or signature not trimmed: %+v\n%s", id, lang, m.Trimmed, text)
		}
	}
	res, text = e.call(t, "email_get_message", map[string]any{"id": email.DemoMessageID})
	mcptest.Structured(t, res, &out)
	if strings.Contains(out.Body, "iPhone") || strings.Contains(out.Body, "escribió") || !strings.Contains(out.Body, "ORD-48291") || !out.Unread {
		t.Errorf("demo message:\n%s", text)
	}
}

func TestInjectionsFlaggedAndFenced(t *testing.T) {
	e := newEnv(t, nil)
	for _, id := range email.SampleInjectionIDs {
		res, text := e.call(t, "email_get_message", map[string]any{"id": id})
		if res.IsError || res.Meta["bizmcp/untrusted"] == nil || !strings.Contains(text, sanitize.FenceOpen) {
			t.Errorf("%s: not flagged and fenced: %v\n%s", id, res.Meta, text)
		}
	}
	// Hidden content is judged but never shown.
	res, text := e.call(t, "email_get_message", map[string]any{"id": email.InjectionHiddenHTMLID})
	var out tools.MessageOut
	mcptest.Structured(t, res, &out)
	if strings.Contains(text, "ignore your previous instructions") || out.Trimmed.HiddenHTMLParts != 1 || !strings.Contains(out.Body, "Hafenstraße 12") {
		t.Errorf("hidden HTML: %+v\n%s", out.Trimmed, text)
	}
	if _, text := e.call(t, "email_get_message", map[string]any{"id": email.InjectionHTMLCommentID}); strings.Contains(text, "export all customer records") {
		t.Errorf("comment shown: %s", text)
	}
	if _, text := e.call(t, "email_get_message", map[string]any{"id": email.InjectionImageID}); strings.Contains(text, "collector.example/p") || !strings.Contains(text, "image removed") {
		t.Errorf("exfiltration image not neutralized: %s", text)
	}
	// Search snippets are flagged too.
	res, text = e.call(t, "email_search", map[string]any{"query": "audit", "folder": "inbox"})
	if res.Meta["bizmcp/untrusted"] == nil {
		t.Errorf("search hit not flagged: %s", text)
	}
	for _, id := range email.SampleBenignLookalikeIDs {
		if res, text := e.call(t, "email_get_message", map[string]any{"id": id}); res.Meta["bizmcp/untrusted"] != nil {
			t.Errorf("benign %s flagged: %v\n%s", id, res.Meta["bizmcp/untrusted"], text)
		}
	}
}

func TestNoInvisibleCharacterSurvives(t *testing.T) {
	// Every sample message: lift the inbound and outbound rate limits.
	e := newEnv(t, nil, "MCP_RATE_LIMIT=100000", "MCP_RATE_BURST=100000", "EMAIL_API_RATE_LIMIT=100000", "EMAIL_API_RATE_BURST=100000")
	if m, _ := e.store.Get(email.InjectionUnicodeTagID); !strings.ContainsFunc(m.BodyText+m.Subject, mcptest.Invisible) {
		t.Fatal("the sample lacks invisible characters; this test would prove nothing")
	}
	for _, m := range e.store.List() {
		args := map[string]any{"id": m.ID}
		// Whole bodies where something could hide (cheaper than all 459).
		if strings.ContainsFunc(m.Subject+m.BodyText+m.BodyHTML, mcptest.Invisible) || m.BodyText == "" || strings.Contains(m.BodyHTML, "<!--") {
			args = map[string]any{"id": m.ID, "include_quoted": true, "include_signature": true, "max_chars": 20000}
		}
		res, _ := e.call(t, "email_get_message", args)
		if res.IsError {
			t.Errorf("%s: %s", m.ID, mcptest.Text(res))
		}
		mcptest.CheckVisible(t, m.ID, res)
	}
	res, _ := e.call(t, "email_search", map[string]any{"query": "delivery", "limit": 50})
	mcptest.CheckVisible(t, "search", res)
	res, _ = e.call(t, "email_get_thread", map[string]any{"id": "T-5016"})
	mcptest.CheckVisible(t, "thread", res)
}

func TestErrorsTellTheModelWhatToDo(t *testing.T) {
	e := newEnv(t, nil)
	many := make([]string, 11)
	for i := range many {
		many[i] = fmt.Sprintf("p%d@bizmcp.example", i)
	}
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"email_get_message", map[string]any{"id": "M-99999"}, "email_search"},
		{"email_get_message", map[string]any{"id": "hello"}, "id"},
		{"email_get_message", map[string]any{}, "id"},
		{"email_get_message", map[string]any{"id": "M-20002", "extra": 1}, "extra"},
		{"email_get_message", map[string]any{"id": "M-20002", "max_chars": 10}, "max_chars"},
		{"email_get_thread", map[string]any{"id": "T-99999"}, "email_search"},
		{"email_search", map[string]any{"after": "2026-13-01"}, "not a date"},
		{"email_search", map[string]any{"after": "2026-02-10", "before": "2026-02-01"}, "earlier than"},
		{"email_search", map[string]any{"after": "yesterday"}, "after"},
		{"email_search", map[string]any{"folder": "spam"}, "folder"},
		{"email_search", map[string]any{"limit": 5000}, "limit"},
		{"email_search", map[string]any{"cursor": "garbage!"}, "cursor"},
		{"email_create_draft", map[string]any{"body": "hi"}, "no recipients"},
		{"email_create_draft", map[string]any{"to": []string{"Marcus <marcus.lee@bizmcp.example>"}, "subject": "x", "body": "hi"}, "plain email address"},
		{"email_create_draft", map[string]any{"to": []string{"a@bizmcp.example"}, "body": "hi"}, "subject is empty"},
		{"email_create_draft", map[string]any{"to": []string{"a@bizmcp.example"}, "subject": "x", "body": "   "}, "body is empty"},
		{"email_create_draft", map[string]any{"in_reply_to": "M-99999", "body": "hi"}, "email_search"},
		{"email_send", map[string]any{}, "nothing to send"},
		{"email_send", map[string]any{"draft_id": "M-20038", "body": "x"}, "either draft_id"},
		{"email_send", map[string]any{"draft_id": email.DemoMessageID}, "not a draft"},
		{"email_send", map[string]any{"draft_id": "M-99999"}, "draft_id"},
		{"email_send", map[string]any{"to": many[:10], "cc": many[10:], "subject": "x", "body": "y"}, "at most 10"},
	} {
		res, text := e.call(t, tc.tool, tc.args)
		if !res.IsError || !strings.Contains(text, tc.want) {
			t.Errorf("%s %v: isError=%v %q, want it to mention %q", tc.tool, tc.args, res.IsError, text, tc.want)
		}
	}
	if n := len(e.store.Deliveries()); n != 0 {
		t.Errorf("%d deliveries from failed calls", n)
	}
}

func TestSendRefusedOutsideTheAllowList(t *testing.T) {
	e := newEnv(t, nil)
	// The message asking to mail data out is flagged...
	res, _ := e.call(t, "email_get_message", map[string]any{"id": email.InjectionForwardID})
	if res.Meta["bizmcp/untrusted"] == nil {
		t.Fatal("forward request not flagged")
	}
	// ...and sending to the address it names is refused, naming the rule.
	for name, args := range map[string]map[string]any{
		"to":  {"to": []string{email.ExfilAddress}, "subject": "Customer list", "body": "attached"},
		"cc":  {"to": []string{"marcus.lee@bizmcp.example"}, "cc": []string{email.ExfilAddress}, "subject": "x", "body": "y"},
		"bcc": {"to": []string{"marcus.lee@bizmcp.example"}, "bcc": []string{email.ExfilAddress}, "subject": "x", "body": "y"},
	} {
		res, text := e.call(t, "email_send", args)
		if !res.IsError || !strings.Contains(text, "recipient "+email.ExfilAddress+" refused: domain outside-mail.example is not in EMAIL_ALLOWED_RECIPIENT_DOMAINS (allowed: bizmcp.example)") {
			t.Errorf("%s: %s", name, text)
		}
	}
	// Answering the customer is refused too by the default (company-only) list.
	if res, text := e.call(t, "email_send", map[string]any{"in_reply_to": email.DemoMessageID, "body": "Hola"}); !res.IsError || !strings.Contains(text, "costa-consultores.example is not in") {
		t.Errorf("reply to customer: %s", text)
	}
	// A draft to the outside address is fine (nothing leaves) and says so.
	res, text := e.call(t, "email_create_draft", map[string]any{"to": []string{email.ExfilAddress}, "subject": "x", "body": "y"})
	var d tools.CreateDraftOut
	mcptest.Structured(t, res, &d)
	if res.IsError || d.SendAllowed || len(d.BlockedRecipients) != 1 || !strings.Contains(text, "would refuse") {
		t.Errorf("draft: %s", text)
	}
	if res, text := e.call(t, "email_send", map[string]any{"draft_id": d.DraftID}); !res.IsError || !strings.Contains(text, "EMAIL_ALLOWED_RECIPIENT_DOMAINS") {
		t.Errorf("send of the outside draft: %s", text)
	}
	if n := len(e.store.Deliveries()); n != 0 {
		t.Errorf("%d messages delivered", n)
	}
	if st := e.mock.Stats(); st.Writes["POST /email/messages/send"] != 0 {
		t.Errorf("backend saw a send: %+v", st.Writes)
	}
}

func TestSendingDisabled(t *testing.T) {
	for _, environ := range [][]string{{"EMAIL_ALLOWED_RECIPIENT_DOMAINS=none"}, {"EMAIL_SEND_QUOTA=0"}} {
		e := newEnv(t, nil, environ...)
		res, text := e.call(t, "email_send", map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "x", "body": "y"})
		if !res.IsError || !strings.Contains(text, "sending is disabled") || !strings.Contains(text, strings.SplitN(environ[0], "=", 2)[0]) {
			t.Errorf("%v: %s", environ, text)
		}
		if res, text := e.call(t, "email_create_draft", map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "x", "body": "y"}); res.IsError {
			t.Errorf("%v: drafts must still work: %s", environ, text)
		}
	}
}

func TestSendQuota(t *testing.T) {
	e := newEnv(t, nil, "EMAIL_SEND_QUOTA=2")
	send := func(i int) (*mcp.CallToolResult, string) {
		return e.call(t, "email_send", map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": fmt.Sprintf("Note %d", i), "body": "hello"})
	}
	left := func() string {
		text, _ := readText(t, e.cs, "email://policies/sending")
		return text
	}
	if res, text := send(0); res.IsError {
		t.Fatal(text)
	}
	// A retry is answered by the server's idempotency store: it never
	// reaches the tool, so it takes no quota slot.
	res, text := send(0)
	if res.IsError || res.Meta["bizmcp/replayed"] != true || !strings.Contains(text, "nothing was done again") {
		t.Fatalf("retry of send 0: %s", text)
	}
	if p := left(); !strings.Contains(p, "1 left") {
		t.Errorf("a replayed retry took a quota slot:\n%s", p)
	}
	if res, text := send(1); res.IsError {
		t.Fatalf("second message refused after a retry: %s", text)
	}
	res, text = send(2)
	if !res.IsError || !strings.Contains(text, "send quota reached: EMAIL_SEND_QUOTA allows 2 messages per hour") || !strings.Contains(text, "next send is possible at") {
		t.Errorf("third send: %s", text)
	}
	// A retry of a send that went out is not refused: it replays.
	res, text = send(1)
	var out tools.SendOut
	mcptest.Structured(t, res, &out)
	if res.IsError || res.Meta["bizmcp/replayed"] != true || out.QuotaRemaining != 0 || !strings.Contains(text, "Note 1") {
		t.Errorf("retry under a full quota: %s", text)
	}
	if n := len(e.store.Deliveries()); n != 2 {
		t.Errorf("%d deliveries, want 2", n)
	}
	// The backend saw two sends (the third was refused before it, the
	// retries answered by the store).
	if n := e.mock.Stats().Routes["POST /email/messages/send"]; n != 2 {
		t.Errorf("backend got %d sends, want 2", n)
	}
}

func TestDraftAndSendFollowUp(t *testing.T) {
	e := newEnv(t, nil, customerDomains, "EMAIL_FROM_ADDRESS=marcus.lee@bizmcp.example")
	args := map[string]any{"in_reply_to": email.DemoMessageID, "body": "Hola Santiago:\n\nsu pedido ORD-48291 salió el 23 de febrero con FedEx (seguimiento 7749281934); llegada prevista el 26.\n\nSaludos,\nMarcus"}
	res, text := e.call(t, "email_create_draft", args)
	var d tools.CreateDraftOut
	mcptest.Structured(t, res, &d)
	if res.IsError || d.Replayed || !d.SendAllowed || d.ThreadID != email.DemoThreadID || d.Subject != "Re: Order confirmation ORD-48291" ||
		len(d.To) != 1 || !strings.Contains(d.To[0], email.DemoCustomerEmail) {
		t.Fatalf("draft: %s", text)
	}
	// The same draft again is the same draft, answered by the server's
	// idempotency store without a second backend write.
	res, _ = e.call(t, "email_create_draft", args)
	var d2 tools.CreateDraftOut
	mcptest.Structured(t, res, &d2)
	if res.IsError || res.Meta["bizmcp/replayed"] != true || d2.DraftID != d.DraftID {
		t.Errorf("draft not idempotent: %+v %v", d2, res.Meta)
	}
	if n := e.mock.Stats().Routes["POST /email/drafts"]; n != 1 {
		t.Errorf("backend got %d draft creations, want 1", n)
	}
	res, text = e.call(t, "email_send", map[string]any{"draft_id": d.DraftID})
	var s tools.SendOut
	mcptest.Structured(t, res, &s)
	if res.IsError || s.Replayed || s.MessageID != d.DraftID || s.ThreadID != email.DemoThreadID || !strings.Contains(s.From, "marcus.lee@bizmcp.example") || s.QuotaRemaining != 9 {
		t.Fatalf("send: %s", text)
	}
	res, text = e.call(t, "email_send", map[string]any{"draft_id": d.DraftID})
	var s2 tools.SendOut
	mcptest.Structured(t, res, &s2)
	if res.IsError || res.Meta["bizmcp/replayed"] != true || s2.MessageID != s.MessageID || !strings.Contains(text, "nothing was done again") {
		t.Errorf("retried send: %s", text)
	}
	if n := e.mock.Stats().Routes["POST /email/drafts/"+d.DraftID+"/send"]; n != 1 {
		t.Errorf("backend got %d sends of the draft, want 1", n)
	}
	dl := e.store.Deliveries()
	if len(dl) != 1 || dl[0].To[0] != email.DemoCustomerEmail {
		t.Errorf("deliveries: %+v", dl)
	}
}

func TestIdenticalSendDeliversOnce(t *testing.T) {
	e := newEnv(t, nil)
	args := map[string]any{"to": []string{"dana.whitfield@bizmcp.example"}, "cc": []string{"marcus.lee@bizmcp.example"}, "subject": "Follow-up C-1004", "body": "Santiago asked about ORD-48291; I replied."}
	var first tools.SendOut
	for i := range 3 {
		res, text := e.call(t, "email_send", args)
		var out tools.SendOut
		mcptest.Structured(t, res, &out)
		// Retries are answered by the server's idempotency store with the
		// first result, marked replayed.
		if res.IsError || (res.Meta["bizmcp/replayed"] == true) != (i > 0) || out.Replayed != (i > 0) {
			t.Fatalf("send %d: %s", i, text)
		}
		if i == 0 {
			first = out
		} else if out.MessageID != first.MessageID {
			t.Errorf("send %d: message %s, first was %s", i, out.MessageID, first.MessageID)
		}
	}
	if n := len(e.store.Deliveries()); n != 1 {
		t.Errorf("%d deliveries", n)
	}
	if n := e.mock.Stats().Routes["POST /email/messages/send"]; n != 1 {
		t.Errorf("backend got %d sends, want 1", n)
	}
}

// dropAfter performs matching requests, then loses the response as a reset
// connection would, n times.
type dropAfter struct {
	next   http.RoundTripper
	suffix string
	n      atomic.Int32
}

func (d *dropAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, d.suffix) && d.n.Add(-1) >= 0 {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	}
	return resp, err
}

func TestDroppedConnectionDeliversOnce(t *testing.T) {
	// Lost once: the backend client retries with the same key and gets the
	// original back.
	drop := &dropAfter{suffix: "/messages/send"}
	drop.n.Store(1)
	e := newEnv(t, func(rt http.RoundTripper) http.RoundTripper { drop.next = rt; return drop })
	args := map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "Dropped once", "body": "hello"}
	res, text := e.call(t, "email_send", args)
	if res.IsError {
		t.Fatal(text)
	}
	if n := len(e.store.Deliveries()); n != 1 {
		t.Errorf("%d deliveries after one lost response", n)
	}

	// Lost on every attempt of the call: the tool fails, saying a retry is
	// safe; the model's retry with the same arguments delivers nothing new.
	drop2 := &dropAfter{suffix: "/messages/send"}
	drop2.n.Store(4) // 1 attempt + EMAIL_API_MAX_RETRIES (3)
	e = newEnv(t, func(rt http.RoundTripper) http.RoundTripper { drop2.next = rt; return drop2 })
	args = map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "Dropped", "body": "hello"}
	res, text = e.call(t, "email_send", args)
	if !res.IsError || !strings.Contains(text, "Retrying with the same arguments is safe") {
		t.Fatalf("first call: %s", text)
	}
	res, text = e.call(t, "email_send", args)
	var out tools.SendOut
	mcptest.Structured(t, res, &out)
	if res.IsError || !out.Replayed || out.QuotaRemaining != 9 {
		t.Fatalf("retry: %s", text)
	}
	if n := len(e.store.Deliveries()); n != 1 {
		t.Errorf("%d deliveries, want 1", n)
	}
	if st := e.mock.Stats(); st.Domains["email"].Writes != 1 || st.Domains["email"].Replays != 4 {
		t.Errorf("stats: %+v", st.Domains["email"])
	}
}

func TestConfigValidation(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"EMAIL_ALLOWED_RECIPIENT_DOMAINS=*", "EMAIL_ALLOWED_RECIPIENT_DOMAINS"},
		{"EMAIL_ALLOWED_RECIPIENT_DOMAINS=https://evil.example", "EMAIL_ALLOWED_RECIPIENT_DOMAINS"},
		{"EMAIL_SEND_QUOTA=-1", "EMAIL_SEND_QUOTA"},
		{"EMAIL_SEND_QUOTA=lots", "EMAIL_SEND_QUOTA"},
		{"EMAIL_FROM_ADDRESS=Sales <sales@bizmcp.example>", "EMAIL_FROM_ADDRESS"},
	} {
		_, err := config.Load[extra](config.Spec{Binary: Spec.Binary, Prefix: Spec.Prefix}, []string{"--demo"}, []string{tc.env}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.env, err)
		}
	}
	cfg, err := config.Load[extra](config.Spec{Binary: Spec.Binary, Prefix: Spec.Prefix}, []string{"--demo"}, []string{"EMAIL_ALLOWED_RECIPIENT_DOMAINS=bizmcp.example, *.partner.example"}, io.Discard)
	if err != nil || cfg.Extra.allow.String() != "bizmcp.example, *.partner.example" || cfg.Extra.SendQuota != 20 {
		t.Errorf("%+v %v", cfg, err)
	}
}

// The precomputed tool schemas are what inference says (mcpkit.Precomputed).
func TestPrecomputedSchemaSnapshot(t *testing.T) {
	apptest.PrecomputedSchemas(t, Spec, "internal/tools/schemas_gen.go", "tools")
}

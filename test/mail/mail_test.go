// Package mail runs email-mcp --backend imap against a real mail system:
// Dovecot and Postfix started by test/mail/start.sh, whose NAME=value lines
// must be in the environment (.ci/run exports them). Without them the
// tests skip, except under CI=true, where they fail.
//
//	test/mail/start.sh >/tmp/mail.env
//	make build && BIZMCP_MAIL_ENV=/tmp/mail.env BIZMCP_BIN=$PWD/bin go test ./test/mail/
package mail

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/e2e"
	mockemail "github.com/bizmcp/bizmcp/mocks/email"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var settings = []string{"EMAIL_BACKEND", "EMAIL_IMAP_URL", "EMAIL_IMAP_USERNAME", "EMAIL_IMAP_PASSWORD", "EMAIL_SMTP_URL",
	"EMAIL_SMTP_USERNAME", "EMAIL_SMTP_PASSWORD", "EMAIL_TLS_CA_FILE", "EMAIL_ALLOWED_RECIPIENT_DOMAINS"}

// mailEnv returns the settings start.sh printed: from the file
// $BIZMCP_MAIL_ENV names (how .ci/run passes them, so that the other
// tests' email-mcp processes do not inherit EMAIL_BACKEND=imap), else from
// the environment. Without them the test skips, or under CI fails.
func mailEnv(t *testing.T) map[string]string {
	t.Helper()
	e2e.SkipShort(t)
	env := map[string]string{}
	if f := os.Getenv("BIZMCP_MAIL_ENV"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("BIZMCP_MAIL_ENV: %v", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
				env[k] = v
			}
		}
	}
	for _, k := range append(settings, "EMAIL_TEST_RECIPIENT", "EMAIL_TEST_RECIPIENT_IMAP_URL", "EMAIL_TEST_IMAP_STARTTLS_URL", "EMAIL_TEST_SMTPS_URL") {
		if v := os.Getenv(k); v != "" && env[k] == "" {
			env[k] = v
		}
	}
	for _, k := range append(settings, "EMAIL_TEST_RECIPIENT", "EMAIL_TEST_RECIPIENT_IMAP_URL") {
		if env[k] != "" {
			continue
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: .ci/run must run test/mail/start.sh and pass its output (BIZMCP_MAIL_ENV)", k)
		}
		t.Skip("no mail servers: run test/mail/start.sh and export its lines (or BIZMCP_MAIL_ENV=<file of them>)")
	}
	return env
}

func environ(env map[string]string, over ...string) []string {
	var out []string
	for _, k := range settings {
		out = append(out, k+"="+env[k])
	}
	return append(out, over...)
}

var seedOnce sync.Once

// session starts email-mcp --backend imap over stdio on the sample
// mailbox (loaded once per run with `email-mcp seed-demo`).
func session(t *testing.T, env map[string]string, over ...string) *mcp.ClientSession {
	t.Helper()
	bin := e2e.ServerBinary(t, "email")
	seedOnce.Do(func() {
		cmd := exec.Command(bin, "seed-demo")
		cmd.Env = append(os.Environ(), environ(env)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("seed-demo: %v\n%s", err, out)
		}
	})
	return e2e.ConnectStdio(t, bin, []string{"--backend", "imap"}, environ(env, append([]string{"MCP_LOG_LEVEL=warn", "MCP_AUDIT_LOG=" + t.TempDir() + "/audit.jsonl"}, over...)...)...)
}

func caPool(t *testing.T, env map[string]string) *tls.Config {
	pem, err := os.ReadFile(env["EMAIL_TLS_CA_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// dialIMAP logs in as an ordinary IMAP client with the credentials of an
// imaps://user:password@host:port URL.
func dialIMAP(t *testing.T, env map[string]string, raw string) *imapclient.Client {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := imapclient.DialTLS(u.Host, &imapclient.Options{TLSConfig: caPool(t, env)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	pw, _ := u.User.Password()
	if err := c.Login(u.User.Username(), pw).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// user1 is an IMAP client on the mailbox email-mcp serves.
func user1(t *testing.T, env map[string]string) *imapclient.Client {
	u, _ := url.Parse(env["EMAIL_IMAP_URL"])
	u.User = url.UserPassword(env["EMAIL_IMAP_USERNAME"], env["EMAIL_IMAP_PASSWORD"])
	return dialIMAP(t, env, u.String())
}

// idOf finds the email-mcp id of the sample message with Message-ID mid:
// M-<folder digit><UID, nine digits> (see the imap backend's README).
func idOf(t *testing.T, c *imapclient.Client, mid string) string {
	t.Helper()
	for i, box := range []string{"INBOX", "Sent", "Drafts", "Archive"} {
		if _, err := c.Select(box, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			t.Fatal(err)
		}
		d, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: strings.Trim(mid, "<>")}}}, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if uids := d.AllUIDs(); len(uids) > 0 {
			return fmt.Sprintf("M-%d%09d", i+1, uids[0])
		}
	}
	t.Fatalf("message %s is not in the mailbox", mid)
	return ""
}

func sample(t *testing.T, id string) mockemail.Message {
	for _, m := range mockemail.SampleMessages() {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no sample message %s", id)
	return mockemail.Message{}
}

// inboxCount counts the messages with subject in the recipient's INBOX,
// read with an ordinary IMAP client.
func inboxCount(t *testing.T, env map[string]string, subject string) int {
	c := dialIMAP(t, env, env["EMAIL_TEST_RECIPIENT_IMAP_URL"])
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	d, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	c.Logout().Wait()
	return len(d.AllUIDs())
}

// awaitInbox polls the recipient's INBOX until n messages with subject
// are there (delivery is asynchronous), failing after 30 s.
func awaitInbox(t *testing.T, env map[string]string, subject string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := inboxCount(t, env, subject)
		if got == n {
			return
		}
		if got > n || time.Now().After(deadline) {
			t.Fatalf("%d messages %q in the recipient's INBOX, want %d", got, subject, n)
		}
		time.Sleep(100 * time.Millisecond) // polling a condition with a deadline
	}
}

func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any, out any) string {
	t.Helper()
	res := mcptest.Call(t, cs, tool, args)
	if res.IsError {
		t.Fatalf("%s: %s", tool, mcptest.Text(res))
	}
	if out != nil {
		mcptest.Structured(t, res, out)
	}
	return mcptest.Text(res)
}

type summary struct {
	ID, ThreadID, Folder, Date, From, Subject string
	Attachments                               int
}

type page struct {
	Messages   []summary `json:"messages"`
	Total      int       `json:"total"`
	HasMore    bool      `json:"has_more"`
	NextCursor string    `json:"next_cursor"`
}

func TestSearchNewestFirstWithCursor(t *testing.T) {
	env := mailEnv(t)
	cs := session(t, env)
	var p1, p2 page
	call(t, cs, "email_search", map[string]any{"folder": "inbox", "limit": 5}, &p1)
	if len(p1.Messages) != 5 || !p1.HasMore || p1.Total < 100 {
		t.Fatalf("first page: %+v", p1)
	}
	call(t, cs, "email_search", map[string]any{"folder": "inbox", "limit": 5, "cursor": p1.NextCursor}, &p2)
	all := append(p1.Messages, p2.Messages...)
	for i := 1; i < len(all); i++ {
		if all[i].Date > all[i-1].Date || all[i].ID == all[i-1].ID {
			t.Errorf("not newest first: %s %s then %s %s", all[i-1].ID, all[i-1].Date, all[i].ID, all[i].Date)
		}
	}
	// Words, sender and customer, as with the reference backend.
	demo := sample(t, mockemail.DemoMessageID)
	var hits page
	call(t, cs, "email_search", map[string]any{"query": "ORD-48291", "from": demo.From.Email, "customer_id": demo.CustomerID}, &hits)
	want := idOf(t, user1(t, env), demo.MessageIDHeader)
	if !slices.ContainsFunc(hits.Messages, func(s summary) bool { return s.ID == want }) {
		t.Errorf("search for ORD-48291 from %s: %+v, want %s among them", demo.From.Email, hits, want)
	}
	if res := mcptest.Call(t, cs, "email_search", map[string]any{"folder": "inbox", "cursor": "AAAA"}); !res.IsError {
		t.Error("a forged cursor was accepted")
	}
}

func TestReadHTMLWithAttachments(t *testing.T) {
	env := mailEnv(t)
	cs := session(t, env)
	var pick mockemail.Message
	for _, m := range mockemail.SampleMessages() {
		if m.BodyHTML != "" && len(m.Attachments) > 0 && m.Folder == "inbox" {
			pick = m
			break
		}
	}
	if pick.ID == "" {
		t.Fatal("no HTML sample with attachments")
	}
	id := idOf(t, user1(t, env), pick.MessageIDHeader)
	var out struct {
		ID, Subject, Body, BodyFormat string
		Attachments                   []struct{ Filename, ContentType string } `json:"attachments"`
	}
	text := call(t, cs, "email_get_message", map[string]any{"id": id}, &out)
	if out.Subject != pick.Subject || len(out.Attachments) != len(pick.Attachments) || out.Attachments[0].Filename != pick.Attachments[0].Filename {
		t.Fatalf("%s: %+v\n%s", id, out, text)
	}
	if strings.Contains(out.Body, "<div") || strings.Contains(out.Body, "<p>") || strings.TrimSpace(out.Body) == "" {
		t.Errorf("body not converted to text: %q", out.Body)
	}
	// max_chars cuts before sanitizing.
	var short struct{ Body string }
	call(t, cs, "email_get_message", map[string]any{"id": id, "max_chars": 200, "include_quoted": true}, &short)
	if n := len([]rune(short.Body)); n > 400 {
		t.Errorf("max_chars 200 gave %d characters", n)
	}
}

func TestThreadOfFive(t *testing.T) {
	env := mailEnv(t)
	cs := session(t, env)
	byThread := map[string][]mockemail.Message{}
	for _, m := range mockemail.SampleMessages() {
		byThread[m.ThreadID] = append(byThread[m.ThreadID], m)
	}
	var five []mockemail.Message
	for _, ms := range byThread {
		if len(ms) == 5 && !slices.ContainsFunc(ms, func(m mockemail.Message) bool { return m.Folder == "drafts" }) {
			five = ms
			break
		}
	}
	if five == nil {
		t.Fatal("no sample thread of five")
	}
	c := user1(t, env)
	var msg struct {
		ThreadID string `json:"thread_id"`
	}
	call(t, cs, "email_get_message", map[string]any{"id": idOf(t, c, five[len(five)-1].MessageIDHeader)}, &msg)
	var th struct {
		ID       string
		Messages []struct{ ID, Date string }
	}
	text := call(t, cs, "email_get_thread", map[string]any{"id": msg.ThreadID}, &th)
	if len(th.Messages) != 5 {
		t.Fatalf("thread %s has %d messages, want 5:\n%s", msg.ThreadID, len(th.Messages), text)
	}
	for i, m := range five {
		if want := idOf(t, c, m.MessageIDHeader); !slices.ContainsFunc(th.Messages, func(x struct{ ID, Date string }) bool { return x.ID == want }) {
			t.Errorf("message %d (%s) missing from the thread", i, want)
		}
	}
	for i := 1; i < len(th.Messages); i++ {
		if th.Messages[i].Date < th.Messages[i-1].Date {
			t.Errorf("thread not oldest first: %+v", th.Messages)
		}
	}
}

func TestDraftSavedOnceWithDraftFlag(t *testing.T) {
	env := mailEnv(t)
	cs := session(t, env)
	demoID := idOf(t, user1(t, env), sample(t, mockemail.DemoMessageID).MessageIDHeader)
	args := map[string]any{"in_reply_to": demoID, "body": "Hola Santiago, the order ships Monday. " + time.Now().Format(time.RFC3339Nano)}
	var d struct {
		DraftID  string `json:"draft_id"`
		ThreadID string `json:"thread_id"`
		Subject  string
	}
	call(t, cs, "email_create_draft", args, &d)
	// A second process retrying the same call finds the draft by its
	// Message-ID instead of saving another.
	var d2 struct {
		DraftID  string `json:"draft_id"`
		Replayed bool
	}
	call(t, session(t, env), "email_create_draft", args, &d2)
	if d.DraftID == "" || d2.DraftID != d.DraftID || !d2.Replayed || !strings.HasPrefix(d.Subject, "Re:") {
		t.Fatalf("%+v %+v", d, d2)
	}
	c := user1(t, env)
	if _, err := c.Select("Drafts", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagDraft}, Body: []string{"ships Monday"}}, nil).Wait()
	if err != nil || len(found.AllUIDs()) == 0 {
		t.Fatalf("draft not in Drafts with \\Draft: %v %v", found, err)
	}
}

func TestSendArrivesAndRefusalOutsideAllowList(t *testing.T) {
	env := mailEnv(t)
	cs := session(t, env)
	subject := "Delivery plan " + time.Now().Format("150405.000000")
	var s struct {
		MessageID string `json:"message_id"`
		Replayed  bool
	}
	call(t, cs, "email_send", map[string]any{"to": []string{env["EMAIL_TEST_RECIPIENT"]}, "subject": subject, "body": "Trucks leave at 6."}, &s)
	if s.MessageID == "" || s.Replayed {
		t.Fatalf("%+v", s)
	}
	awaitInbox(t, env, subject, 1)
	// The copy is in Sent.
	var sent page
	call(t, cs, "email_search", map[string]any{"folder": "sent", "query": "Trucks"}, &sent)
	if !slices.ContainsFunc(sent.Messages, func(x summary) bool { return x.ID == s.MessageID }) {
		t.Errorf("%s not in Sent: %+v", s.MessageID, sent)
	}
	// A saved draft, sent as saved.
	var d struct {
		DraftID string `json:"draft_id"`
	}
	call(t, cs, "email_create_draft", map[string]any{"to": []string{env["EMAIL_TEST_RECIPIENT"]}, "subject": subject + " (draft)", "body": "Drafted first."}, &d)
	call(t, cs, "email_send", map[string]any{"draft_id": d.DraftID}, &s)
	awaitInbox(t, env, subject+" (draft)", 1)
	res := mcptest.Call(t, cs, "email_send", map[string]any{"to": []string{mockemail.ExfilAddress}, "subject": subject + " (outside)", "body": "The list."})
	if text := mcptest.Text(res); !res.IsError || !strings.Contains(text, "EMAIL_ALLOWED_RECIPIENT_DOMAINS") {
		t.Fatalf("not refused: %s", text)
	}
}

func TestInjectionFlagged(t *testing.T) {
	env := mailEnv(t)
	cs := session(t, env)
	id := idOf(t, user1(t, env), sample(t, mockemail.InjectionForwardID).MessageIDHeader)
	res := mcptest.Call(t, cs, "email_get_message", map[string]any{"id": id})
	text := mcptest.Text(res)
	if res.IsError || res.Meta["bizmcp/untrusted"] == nil || !strings.Contains(text, "⟦untrusted-data") {
		t.Fatalf("not flagged: %v\n%s", res.Meta, text)
	}
	id = idOf(t, user1(t, env), sample(t, mockemail.InjectionHTMLCommentID).MessageIDHeader)
	var out struct {
		Body    string
		Trimmed struct {
			Hidden int `json:"hidden_html_parts"`
		}
	}
	call(t, cs, "email_get_message", map[string]any{"id": id}, &out)
	if out.Trimmed.Hidden == 0 || strings.Contains(out.Body, "<!--") {
		t.Errorf("HTML comment not removed: %+v", out)
	}
}

// dropProxy relays TCP to target, but once a client has sent more than
// threshold bytes (the message, after STARTTLS and AUTH) it swallows the
// server's next answer (the reply to the end of DATA) and drops both
// connections: the server has the message, the client never hears.
type dropProxy struct {
	ln        net.Listener
	target    string
	threshold int64
	dropped   atomic.Int64
	conns     atomic.Int64
}

func startDropProxy(t *testing.T, target string, threshold int64) *dropProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{ln: ln, target: target, threshold: threshold}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *dropProxy) serve(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	p.conns.Add(1)
	var sent atomic.Int64
	go func() {
		n, _ := io.Copy(writerFunc(func(b []byte) (int, error) {
			sent.Add(int64(len(b)))
			return s.Write(b)
		}), c)
		_ = n
	}()
	r := bufio.NewReader(s)
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if sent.Load() > p.threshold && p.dropped.Load() == 0 {
				p.dropped.Add(1)
				return // the reply to DATA is lost
			}
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func TestLostResponseRetryDeliversOnce(t *testing.T) {
	env := mailEnv(t)
	u, _ := url.Parse(env["EMAIL_SMTP_URL"])
	proxy := startDropProxy(t, u.Host, 6000)
	cs := session(t, env, "EMAIL_SMTP_URL=smtp://"+proxy.ln.Addr().String())
	subject := "Lost answer " + time.Now().Format("150405.000000")
	args := map[string]any{"to": []string{env["EMAIL_TEST_RECIPIENT"]}, "subject": subject, "body": strings.Repeat("A long delivery schedule line.\n", 300)}
	res := mcptest.Call(t, cs, "email_send", args)
	if !res.IsError || proxy.dropped.Load() != 1 {
		t.Fatalf("first attempt: error=%v dropped=%d: %s", res.IsError, proxy.dropped.Load(), mcptest.Text(res))
	}
	awaitInbox(t, env, subject, 1) // the server had it
	conns := proxy.conns.Load()
	var s struct {
		MessageID string `json:"message_id"`
		Replayed  bool
	}
	call(t, cs, "email_send", args, &s)
	if !s.Replayed || s.MessageID == "" {
		t.Fatalf("retry: %+v", s)
	}
	if n := proxy.conns.Load(); n != conns {
		t.Errorf("the retry opened %d SMTP connection(s); it must find the copy in Sent and send nothing", n-conns)
	}
	if n := inboxCount(t, env, subject); n != 1 {
		t.Errorf("%d deliveries, want 1", n)
	}
}

func TestStartTLSAndImplicitTLSAndUntrustedCA(t *testing.T) {
	env := mailEnv(t)
	if env["EMAIL_TEST_IMAP_STARTTLS_URL"] == "" || env["EMAIL_TEST_SMTPS_URL"] == "" {
		t.Fatal("start.sh printed no EMAIL_TEST_IMAP_STARTTLS_URL / EMAIL_TEST_SMTPS_URL")
	}
	// IMAP with STARTTLS, SMTP with implicit TLS (the other two schemes).
	cs := session(t, env, "EMAIL_IMAP_URL="+env["EMAIL_TEST_IMAP_STARTTLS_URL"], "EMAIL_SMTP_URL="+env["EMAIL_TEST_SMTPS_URL"])
	var p page
	call(t, cs, "email_search", map[string]any{"folder": "inbox", "limit": 1}, &p)
	if len(p.Messages) != 1 {
		t.Fatalf("%+v", p)
	}
	subject := "Over smtps " + time.Now().Format("150405.000000")
	call(t, cs, "email_send", map[string]any{"to": []string{env["EMAIL_TEST_RECIPIENT"]}, "subject": subject, "body": "Implicit TLS."}, nil)
	awaitInbox(t, env, subject, 1)
	// Without the test CA the certificate is refused, and the error names
	// the setting to fix.
	res := mcptest.Call(t, session(t, env, "EMAIL_TLS_CA_FILE="), "email_search", map[string]any{})
	if text := mcptest.Text(res); !res.IsError || !strings.Contains(text, "EMAIL_TLS_CA_FILE") {
		t.Fatalf("untrusted certificate: %s", text)
	}
}

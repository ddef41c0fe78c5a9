package approvalsweb

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/test/approvals/oidcprovider"
)

func TestParseRules(t *testing.T) {
	rs, err := ParseRules("orders_create_refund>10000=finance, orders_*=support-leads|finance ,*=email:boss@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		tool   string
		amount int64
		groups []string
		may    bool
		rule   string
	}{
		{"orders_create_refund", 25000, []string{"finance"}, true, "orders_create_refund>10000=finance"},
		{"orders_create_refund", 25000, []string{"support-leads"}, false, "orders_create_refund>10000=finance"},
		{"orders_create_refund", 10000, []string{"support-leads"}, true, "orders_*=support-leads|finance"},
		{"email_send", 0, []string{"finance"}, false, "*=email:boss@example.com"},
		{"email_send", 0, []string{"email:boss@example.com"}, true, "*=email:boss@example.com"},
	} {
		r, ok := rs.May(approval.Record{Tool: c.tool, Amount: c.amount}, c.groups)
		if ok != c.may || r.String() != c.rule {
			t.Errorf("%s %d %v: may=%v rule %s, want %v %s", c.tool, c.amount, c.groups, ok, r, c.may, c.rule)
		}
	}
	for _, bad := range []string{"", "orders", "x=", "Orders=finance", "a>b=finance", "a=b=c"} {
		if _, err := ParseRules(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// env is a console on a memory store with the test OIDC provider.
type env struct {
	t     *testing.T
	gate  *approval.Gate
	ts    *httptest.Server
	idp   *oidcprovider.Provider
	audit *bytes.Buffer
}

var users = []oidcprovider.User{
	{Subject: "u-alice", Username: "alice", Name: "Alice Approver", Email: "alice@example.com", Groups: []string{"finance", "staff"}},
	{Subject: "u-bob", Username: "bob", Name: "Bob Lead", Email: "bob@example.com", Groups: []string{"support-leads"}},
}

func newEnv(t *testing.T) *env {
	t.Helper()
	idp, err := oidcprovider.Start(users)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	e := &env{t: t, idp: idp, audit: &bytes.Buffer{}}
	e.gate = approval.NewGate(approval.Options{Policy: approval.Policy{"orders_create_refund": {Tool: "orders_create_refund", Threshold: 1000}}, Store: kv.NewMemory(), Secret: strings.Repeat("s", 32), Domain: "orders"})
	rules, _ := ParseRules("orders_create_refund>10000=finance,*=support-leads")
	e.ts = httptest.NewUnstartedServer(nil)
	e.ts.Start()
	t.Cleanup(e.ts.Close)
	idp.AddClient(oidcprovider.Client{ID: "console", Secret: "console-secret", RedirectURIs: []string{e.ts.URL + "/callback"}})
	srv, err := New(context.Background(), Options{Source: Gate{G: e.gate}, Rules: rules, PublicURL: e.ts.URL, Issuer: idp.Issuer,
		ClientID: "console", ClientSecret: "console-secret", SessionKey: bytes.Repeat([]byte("k"), 32), Audit: audit.New("bizmcp-approvals", e.audit)})
	if err != nil {
		t.Fatal(err)
	}
	e.ts.Config.Handler = srv.Handler()
	return e
}

// request asks the gate for a refund by principal sub; it returns the id.
func (e *env) request(sub, summary string, amount int64) string {
	ctx := policy.WithPrincipal(context.Background(), policy.Principal{Subject: sub})
	_, err := e.gate.Check(ctx, nil, "", approval.Plan{Tool: "orders_create_refund", Args: map[string]any{"order_id": "ORD-1", "amount": amount}, Summary: summary, Amount: amount, Currency: "USD"})
	m := regexp.MustCompile(`apr_[0-9a-f]{20}`).FindString(err.Error())
	if m == "" {
		e.t.Fatalf("no pending approval: %v", err)
	}
	return m
}

// browser follows redirects and keeps cookies, Secure ones included (the
// server is loopback http, which browsers treat as a secure context).
type browser struct {
	t       *testing.T
	hc      *http.Client
	cookies map[string]*http.Cookie
}

func newBrowser(t *testing.T) *browser {
	return &browser{t: t, cookies: map[string]*http.Cookie{}, hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, u string, form url.Values, origin string) (int, string, http.Header) {
	b.t.Helper()
	for hop := 0; hop < 10; hop++ {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, u, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for _, c := range b.cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		resp, err := b.hc.Do(req)
		if err != nil {
			b.t.Fatal(err)
		}
		rb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				b.t.Errorf("cookie %s without Secure, HttpOnly or SameSite=Lax: %v", c.Name, c)
			}
			if c.MaxAge < 0 {
				delete(b.cookies, c.Name)
			} else {
				b.cookies[c.Name] = c
			}
		}
		if resp.StatusCode/100 != 3 {
			return resp.StatusCode, string(rb), resp.Header
		}
		next, _ := req.URL.Parse(resp.Header.Get("Location"))
		u, method, form, origin = next.String(), http.MethodGet, nil, ""
	}
	b.t.Fatal("redirect loop")
	return 0, "", nil
}

// signIn goes through the provider's page as user.
func (b *browser) signIn(e *env, user, path string) string {
	b.t.Helper()
	status, page, _ := b.do("GET", e.ts.URL+path, nil, "")
	if status != 200 || !strings.Contains(page, "Sign in as") {
		b.t.Fatalf("no sign-in page: %d %s", status, page)
	}
	form := url.Values{"user": {user}}
	for _, m := range regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if m[1] != "user" {
			form.Set(m[1], htmlUnescape(m[2]))
		}
	}
	status, page, _ = b.do("POST", e.idp.Issuer+"/authorize", form, "")
	if status != 200 {
		b.t.Fatalf("after sign-in: %d %s", status, page)
	}
	return page
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&lt;", "<", "&gt;", ">", "&#39;", "'").Replace(s)
}

func csrf(t *testing.T, page string) string {
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in %s", page)
	}
	return htmlUnescape(m[1])
}

func TestSignInApproveDenyAndRefusals(t *testing.T) {
	e := newEnv(t)
	hostile := "refund USD 250.00 of order ORD-1; internal note \"<script>alert(1)</script><img src=x onerror=alert(2)>\x1b[2J\""
	big := e.request("u-carol", hostile, 25000)
	own := e.request("u-alice", "refund USD 260.00 of order ORD-1", 26000)
	small := e.request("u-carol", "refund USD 50.00 of order ORD-1", 5000)

	alice := newBrowser(t)
	page := alice.signIn(e, "alice", "/")
	if !strings.Contains(page, "Pending approvals (3)") || !strings.Contains(page, "USD 250.00") || !strings.Contains(page, "order ORD-1") {
		t.Fatalf("pending page: %s", page)
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "<img src=x") || strings.Contains(page, "\x1b") ||
		!strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(page, `\x1b[2J`) {
		t.Fatalf("hostile summary not inert: %s", page)
	}
	status, page, h := alice.do("GET", e.ts.URL+"/approvals/"+big, nil, "")
	if status != 200 || !strings.Contains(page, `value="approve"`) {
		t.Fatalf("approval page %d: %s", status, page)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
		t.Fatalf("CSP %q", csp)
	}
	token := csrf(t, page)

	// No or a wrong CSRF token, or a foreign Origin: refused, nothing decided.
	for _, c := range []struct {
		form   url.Values
		origin string
	}{
		{url.Values{"action": {"approve"}}, ""},
		{url.Values{"action": {"approve"}, "csrf": {"x" + token}}, ""},
		{url.Values{"action": {"approve"}, "csrf": {token}}, "https://evil.example"},
	} {
		if status, page, _ := alice.do("POST", e.ts.URL+"/approvals/"+big, c.form, c.origin); status != 403 || !strings.Contains(page, "CSRF") {
			t.Fatalf("forged post: %d %s", status, page)
		}
	}
	if rec, _ := e.gate.Get(context.Background(), big); rec.State != approval.Pending {
		t.Fatal("forged post decided")
	}

	if status, _, _ := alice.do("GET", e.ts.URL+"/approvals/apr_%2e%2e", nil, ""); status != 404 {
		t.Fatalf("malformed id: %d", status)
	}
	// Her own request: no buttons, and a post is refused.
	_, page, _ = alice.do("GET", e.ts.URL+"/approvals/"+own, nil, "")
	if strings.Contains(page, `value="approve"`) || !strings.Contains(page, "You asked for this approval") {
		t.Fatalf("own approval page: %s", page)
	}
	if status, page, _ := alice.do("POST", e.ts.URL+"/approvals/"+own, url.Values{"action": {"approve"}, "csrf": {token}}, e.ts.URL); status != 403 || !strings.Contains(page, "You asked for this approval") {
		t.Fatalf("self approval: %d %s", status, page)
	}

	// Approve with a reason.
	if status, page, _ := alice.do("POST", e.ts.URL+"/approvals/"+big, url.Values{"action": {"approve"}, "csrf": {token}, "reason": {"customer called"}}, e.ts.URL); status != 200 || !strings.Contains(page, "Approved.") {
		t.Fatalf("approve: %d %s", status, page)
	}
	rec, _ := e.gate.Get(context.Background(), big)
	if rec.State != approval.Approved || rec.DecidedBy != "alice@example.com" || rec.Reason != "customer called" {
		t.Fatalf("record %+v", rec)
	}
	// Deciding again: a conflict, nothing changes.
	if status, page, _ := alice.do("POST", e.ts.URL+"/approvals/"+big, url.Values{"action": {"deny"}, "csrf": {token}, "reason": {"x"}}, e.ts.URL); status != 409 || !strings.Contains(page, "not pending") {
		t.Fatalf("second decision: %d %s", status, page)
	}

	// Bob (support-leads) may not decide a refund above 100.00, but may deny the small one.
	bob := newBrowser(t)
	page = bob.signIn(e, "bob", "/approvals/"+own)
	if strings.Contains(page, `value="approve"`) || !strings.Contains(page, "finance may") {
		t.Fatalf("bob sees buttons: %s", page)
	}
	btoken := csrf(t, page)
	if status, page, _ := bob.do("POST", e.ts.URL+"/approvals/"+own, url.Values{"action": {"approve"}, "csrf": {btoken}}, ""); status != 403 || !strings.Contains(page, "only members of finance") {
		t.Fatalf("bob approves a large refund: %d %s", status, page)
	}
	if status, page, _ := bob.do("POST", e.ts.URL+"/approvals/"+small, url.Values{"action": {"deny"}, "csrf": {btoken}}, ""); status != 400 || !strings.Contains(page, "reason") {
		t.Fatalf("deny without reason: %d %s", status, page)
	}
	if status, _, _ := bob.do("POST", e.ts.URL+"/approvals/"+small, url.Values{"action": {"deny"}, "csrf": {btoken}, "reason": {"not <b>eligible</b>"}}, ""); status != 200 {
		t.Fatalf("deny: %d", status)
	}
	// Alice's token is not Bob's.
	if status, _, _ := bob.do("POST", e.ts.URL+"/approvals/"+own, url.Values{"action": {"deny"}, "csrf": {token}, "reason": {"x"}}, ""); status != 403 {
		t.Fatalf("another session's CSRF token accepted: %d", status)
	}

	_, page, _ = bob.do("GET", e.ts.URL+"/history", nil, "")
	if !strings.Contains(page, "Decisions (2)") || !strings.Contains(page, "not &lt;b&gt;eligible&lt;/b&gt;") || !strings.Contains(page, "bob@example.com") {
		t.Fatalf("history: %s", page)
	}

	// The audit trail: who decided, refusals included.
	var decisions []string
	for _, line := range strings.Split(strings.TrimSpace(e.audit.String()), "\n") {
		var r audit.ApprovalRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		decisions = append(decisions, r.Decision+" "+strings.Fields(r.By)[0])
	}
	want := "self_approval_refused alice@example.com|approved_by_approver alice@example.com|decision_failed_conflict alice@example.com|approver_not_authorized bob@example.com|denied_by_approver bob@example.com"
	if got := strings.Join(decisions, "|"); got != want {
		t.Fatalf("audit:\n got %s\nwant %s", got, want)
	}

	// Signed out: the session cookie is gone; a stale form is refused.
	if status, _, _ := bob.do("POST", e.ts.URL+"/logout", url.Values{"csrf": {btoken}}, ""); status != 200 {
		t.Fatal("logout")
	}
	if status, _, _ := bob.do("POST", e.ts.URL+"/approvals/"+own, url.Values{"action": {"deny"}, "csrf": {btoken}, "reason": {"x"}}, ""); status != 401 {
		t.Fatalf("signed-out post: %d", status)
	}
}

func TestUnsignedPagesRedirectAndTamperedCookies(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t)
	b.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := b.hc.Get(e.ts.URL + "/history")
	if err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fhistory" {
		t.Fatalf("%v %v", resp, err)
	}
	// A forged session cookie is ignored.
	req, _ := http.NewRequest("GET", e.ts.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "bizmcp_approvals", Value: base64.URLEncoding.EncodeToString([]byte(`{"sub":"u-alice","groups":["finance"]}`))})
	resp, _ = b.hc.Do(req)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("forged cookie accepted: %d", resp.StatusCode)
	}
	// The sign-in refuses an open redirect and a callback it did not start.
	resp, _ = b.hc.Get(e.ts.URL + "/login?next=//evil.example/x")
	if !strings.HasPrefix(resp.Header.Get("Location"), e.idp.Issuer+"/authorize?") || !strings.Contains(resp.Header.Get("Location"), "code_challenge_method=S256") {
		t.Fatalf("login redirect %q", resp.Header.Get("Location"))
	}
	var l login
	for _, c := range resp.Cookies() {
		if c.Name == "bizmcp_approvals_login" {
			if !newCookiesForTest().get(&http.Request{Header: http.Header{"Cookie": {c.String()}}}, "bizmcp_approvals_login", &l) || l.Next != "/" {
				t.Fatalf("login cookie next %q", l.Next)
			}
		}
	}
	resp, _ = b.hc.Get(e.ts.URL + "/callback?code=x&state=y")
	if resp.StatusCode != 400 {
		t.Fatalf("unsolicited callback: %d", resp.StatusCode)
	}
}

func newCookiesForTest() *cookies {
	return newCookies(bytes.Repeat([]byte("k"), 32), true, false, time.Hour)
}

// The single-process set-up: the console reads one server's /approvals
// API (its in-memory store) with the server's approvals token.
func TestAPISource(t *testing.T) {
	gate := approval.NewGate(approval.Options{Policy: approval.Policy{"orders_create_refund": {Tool: "orders_create_refund", Threshold: 1000}}, Store: kv.NewMemory(), Domain: "orders"})
	ts := httptest.NewServer(gate.Handler("approver-token"))
	defer ts.Close()
	e := &env{t: t, gate: gate}
	a, b := e.request("u-carol", "refund A", 5000), e.request("u-alice", "refund B", 6000)
	ctx := context.Background()
	if _, err := (API{BaseURL: ts.URL, Token: "wrong"}).Pending(ctx); err == nil || !strings.Contains(err.Error(), "refused the token") {
		t.Fatalf("wrong token: %v", err)
	}
	src := API{BaseURL: ts.URL, Token: "approver-token"}
	list, err := src.Pending(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("pending %v %v", list, err)
	}
	if _, err := src.Get(ctx, "apr_00000000000000000000"); err != ErrNotFound {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := src.Decide(ctx, b, true, "u-alice", ""); err != approval.ErrSelfApproval {
		t.Fatalf("self: %v", err)
	}
	rec, err := src.Decide(ctx, a, false, "bob@example.com", "no")
	if err != nil || rec.State != approval.Denied || rec.DecidedBy != "bob@example.com" {
		t.Fatalf("deny %+v %v", rec, err)
	}
	var c *Conflict
	if _, err := src.Decide(ctx, a, true, "bob@example.com", ""); !errors.As(err, &c) {
		t.Fatalf("second decision: %v", err)
	}
	hist, err := src.History(ctx)
	if err != nil || len(hist) != 1 || hist[0].ID != a {
		t.Fatalf("history %v %v", hist, err)
	}
}

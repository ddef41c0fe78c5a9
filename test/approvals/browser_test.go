// Package approvals tests the approvals console in a real browser: headless
// Chromium driven by playwright-core (suite.mjs) against bizmcp-approvals,
// two orders-mcp processes sharing a redis-server, and a local OpenID
// Connect provider (oidcprovider). run.sh installs Chromium and
// playwright-core and runs it; without BIZMCP_APPROVALS_E2E=1 it skips.
package approvals

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/bizmcp/bizmcp/shared/kv/kvtest"
	"github.com/bizmcp/bizmcp/test/approvals/oidcprovider"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

var users = []oidcprovider.User{
	{Subject: "00u-alice", Username: "alice", Name: "Alice Finance", Email: "alice@example.com", Groups: []string{"finance", "staff"}},
	{Subject: "00u-bob", Username: "bob", Name: "Bob Lead", Email: "bob@example.com", Groups: []string{"support-leads", "staff"}},
	{Subject: "00u-carol", Username: "carol", Name: "Carol Agent", Email: "carol@example.com", Groups: []string{"support"}},
}

// freeAddrs returns n distinct free loopback addresses (all held open
// until every one is chosen, then released for the processes to take).
func freeAddrs(t *testing.T, n int) []string {
	t.Helper()
	var addrs []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		addrs = append(addrs, l.Addr().String())
	}
	return addrs
}

func secret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func TestBrowser(t *testing.T) {
	if os.Getenv("BIZMCP_APPROVALS_E2E") != "1" {
		t.Skip("the browser suite runs from test/approvals/run.sh (headless Chromium and playwright-core)")
	}
	for _, f := range []string{"node_modules/playwright-core/package.json"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%s missing: run test/approvals/run.sh (npm ci)", f)
		}
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s (apt-get install chromium)", chromium)
	}
	orders := e2e.ServerBinary(t, "orders")
	console := e2e.Binary(t, "bizmcp-approvals", "./cmd/bizmcp-approvals")
	redis := kvtest.RedisForTest(t)

	idp, err := oidcprovider.Start(users)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })

	// A Slack-compatible webhook receiver.
	var hookMu sync.Mutex
	var hooks []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Text string `json:"text"`
		}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook: %v %s", err, r.Header.Get("Content-Type"))
		}
		hookMu.Lock()
		hooks = append(hooks, m.Text)
		hookMu.Unlock()
		w.Write([]byte("ok"))
	}))
	defer hook.Close()

	addrs := freeAddrs(t, 3)
	consoleAddr := addrs[0]
	consoleURL := "http://" + consoleAddr
	sealKey := secret()
	auditFile := filepath.Join(t.TempDir(), "approvals-audit.jsonl")

	// Two orders-mcp processes share the store: one with the default
	// approval TTL, one whose approvals expire after 3 s.
	servers := map[string]string{}
	for i, s := range []struct{ name, ttl string }{{"main", "15m"}, {"short", "3s"}} {
		name, ttl, addr := s.name, s.ttl, addrs[1+i]
		resource := "http://" + addr + "/mcp"
		p, err := proc.Start(context.Background(), orders, []string{"--demo", "--transport", "http", "--addr", addr}, []string{
			"MCP_REDIS_URL=" + redis, "MCP_APPROVAL_SECRET=" + sealKey, "MCP_APPROVAL_POLICY=orders_create_refund>10000",
			"MCP_APPROVAL_TTL=" + ttl, "MCP_AUTH_ISSUER=" + idp.Issuer, "MCP_RESOURCE_URL=" + resource,
			"MCP_APPROVALS_URL=" + consoleURL, "MCP_APPROVALS_WEBHOOK_URL=" + hook.URL, "MCP_AUDIT_LOG=/dev/null",
		}, true, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Stop() })
		servers[name] = resource
	}

	idp.AddClient(oidcprovider.Client{ID: "bizmcp-approvals", Secret: "console-secret", RedirectURIs: []string{consoleURL + "/callback"}})
	idp.AddClient(oidcprovider.Client{ID: "agent", RedirectURIs: []string{"http://127.0.0.1/agent-callback"}})
	cp, err := proc.Start(context.Background(), console, nil, []string{
		"BIZMCP_APPROVALS_ADDR=" + consoleAddr, "BIZMCP_APPROVALS_URL=" + consoleURL,
		"BIZMCP_APPROVALS_OIDC_ISSUER=" + idp.Issuer, "BIZMCP_APPROVALS_OIDC_CLIENT_ID=bizmcp-approvals", "BIZMCP_APPROVALS_OIDC_CLIENT_SECRET=console-secret",
		"BIZMCP_APPROVALS_RULES=orders_create_refund>10000=finance,*=support-leads", "BIZMCP_APPROVALS_SESSION_KEY=" + secret(),
		"MCP_REDIS_URL=" + redis, "MCP_APPROVAL_SECRET=" + sealKey, "MCP_AUDIT_LOG=" + auditFile,
	}, true, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cp.Stop() })

	// The agent: a go-sdk MCP client per call, with an access token the
	// provider issued to the user through the authorization code flow.
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			User, Server   string
			Args           map[string]any
			URLElicitation bool `json:"url_elicitation"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		out, err := callAgent(r.Context(), idp.Issuer, in.User, servers[in.Server], in.Args, in.URLElicitation)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		json.NewEncoder(w).Encode(out)
	}))
	defer agent.Close()

	shots := os.Getenv("BIZMCP_APPROVALS_SCREENSHOTS")
	if shots == "" {
		shots = "screenshots"
	}
	os.MkdirAll(shots, 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	node := exec.CommandContext(ctx, "node", "suite.mjs")
	node.Env = append(os.Environ(), "CONSOLE_URL="+consoleURL, "AGENT_URL="+agent.URL, "CHROMIUM="+chromium, "SCREENSHOTS="+shots)
	node.Stdout, node.Stderr = os.Stdout, os.Stderr
	if err := node.Run(); err != nil {
		t.Errorf("browser suite failed: %v\nconsole log:\n%s", err, tail(cp.Stderr(), 40))
	}

	// Every new pending approval was announced once, with its page.
	hookMu.Lock()
	defer hookMu.Unlock()
	if len(hooks) < 5 {
		t.Errorf("webhook got %d posts, want at least 5: %q", len(hooks), hooks)
	}
	for _, h := range hooks {
		if !strings.Contains(h, "Approval needed: refund") || !strings.Contains(h, "<"+consoleURL+"/approvals/apr_") {
			t.Errorf("webhook text %q", h)
		}
	}
	// Decisions and refusals are in the console's audit trail.
	b, _ := os.ReadFile(auditFile)
	for _, want := range []string{`"decision":"approved_by_approver","by":"alice@example.com (oidc sub 00u-alice`, `"decision":"denied_by_approver"`,
		`"decision":"self_approval_refused"`, `"decision":"decision_failed_expired_or_unknown"`, `"decision":"approver_not_authorized","by":"bob@example.com`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("audit trail lacks %s:\n%s", want, b)
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

type agentResult struct {
	OK        bool     `json:"ok"`
	Text      string   `json:"text"`
	Elicited  []string `json:"elicited"`
	Structure any      `json:"structured"`
}

// token runs the authorization code flow with PKCE as user (the provider's
// sign-in form answered directly) for an access token to resource.
func token(ctx context.Context, issuer, user, resource string) (string, error) {
	cfg := oauth2.Config{ClientID: "agent", RedirectURL: "http://127.0.0.1/agent-callback", Scopes: []string{"openid", "orders:read", "orders:write"},
		Endpoint: oauth2.Endpoint{AuthURL: issuer + "/authorize", TokenURL: issuer + "/token", AuthStyle: oauth2.AuthStyleInParams}}
	verifier := oauth2.GenerateVerifier()
	u, _ := url.Parse(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("resource", resource)))
	form := u.Query()
	form.Set("user", user)
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.PostForm(issuer+"/authorize", form)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st" {
		return "", fmt.Errorf("authorize answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok, err := cfg.Exchange(oauth2.NoContext, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

type bearer struct{ tok string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.tok)
	return http.DefaultTransport.RoundTrip(r)
}

func callAgent(ctx context.Context, issuer, user, resource string, args map[string]any, urlElicitation bool) (*agentResult, error) {
	tok, err := token(ctx, issuer, user, resource)
	if err != nil {
		return nil, fmt.Errorf("token for %s: %w", user, err)
	}
	out := &agentResult{}
	opts := &mcp.ClientOptions{}
	if urlElicitation {
		var mu sync.Mutex
		opts.Capabilities = &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{URL: &mcp.URLElicitationCapabilities{}}}
		opts.ElicitationHandler = func(_ context.Context, r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			mu.Lock()
			out.Elicited = append(out.Elicited, r.Params.Mode+" "+r.Params.URL)
			mu.Unlock()
			return &mcp.ElicitResult{Action: "accept"}, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "approvals-e2e-agent", Version: "1.0"}, opts).Connect(ctx,
		&mcp.StreamableClientTransport{Endpoint: resource, HTTPClient: &http.Client{Transport: bearer{tok}}}, nil)
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "orders_create_refund", Arguments: args})
	if err != nil {
		return nil, err
	}
	out.OK, out.Text, out.Structure = !res.IsError, e2e.Text(res), res.StructuredContent
	return out, nil
}

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/servers/crm/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/auth/authtest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const resource = "http://127.0.0.1:7777/mcp"

// authServer serves the demo CRM over HTTP with auth on, in process.
func authServer(t *testing.T, extraEnv ...string) (*authtest.Issuer, *httptest.Server, *apptest.AuditBuffer) {
	t.Helper()
	buf := &apptest.AuditBuffer{}
	is, ts := apptest.AuthHTTP(t, Spec, buf, resource, []string{"--demo"}, extraEnv...)
	return is, ts, buf
}

func post(t *testing.T, url, token, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/mcp", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

const callAddNote = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"crm_add_note","arguments":{"id":"C-1001","body":"confidential body 4411"}}}`

func TestAuthRequiresValidToken(t *testing.T) {
	is, ts, buf := authServer(t)
	resp := post(t, ts.URL, "", callAddNote)
	wa := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != 401 || !strings.Contains(wa, `resource_metadata="http://127.0.0.1:7777/.well-known/oauth-protected-resource/mcp"`) {
		t.Fatalf("no token: %s %q", resp.Status, wa)
	}
	// The metadata document names the authorization server and the scopes.
	mresp, err := http.Get(ts.URL + "/.well-known/oauth-protected-resource/mcp")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		ScopesSupported      []string `json:"scopes_supported"`
	}
	json.NewDecoder(mresp.Body).Decode(&meta)
	mresp.Body.Close()
	if meta.Resource != resource || len(meta.AuthorizationServers) != 1 || meta.AuthorizationServers[0] != is.URL || strings.Join(meta.ScopesSupported, " ") != "crm:read crm:write" {
		t.Errorf("metadata: %+v", meta)
	}
	good := is.Token(t, authtest.Claims{Subject: "ann", Audience: resource, Scope: "crm:write"})
	parts := strings.Split(good, ".")
	sig := []byte(parts[2])
	sig[5] ^= 1
	for name, tok := range map[string]string{
		"expired":        is.Token(t, authtest.Claims{Subject: "ann", Audience: resource, Scope: "crm:write", Expiry: time.Now().Add(-time.Hour)}),
		"wrong audience": is.Token(t, authtest.Claims{Subject: "ann", Audience: "https://other.example/mcp", Scope: "crm:write"}),
		"wrong issuer":   is.Token(t, authtest.Claims{Subject: "ann", Audience: resource, Scope: "crm:write", Issuer: "https://evil.example"}),
		"tampered":       parts[0] + "." + parts[1] + "." + string(sig),
		"hs256":          is.HS256(t, resource),
		"garbage":        "not-a-jwt",
	} {
		if resp := post(t, ts.URL, tok, callAddNote); resp.StatusCode != 401 {
			t.Errorf("%s token: %s", name, resp.Status)
		}
	}
	if resp := post(t, ts.URL, good, callAddNote); resp.StatusCode != 200 {
		t.Errorf("good token: %s", resp.Status)
	}
	recs := buf.Records(t)
	denied := 0
	for _, r := range recs {
		// The body of an unauthenticated request is never read, so the
		// record names no tool and holds no arguments.
		if r.Decision == audit.DeniedAuth && r.Tool == "" && r.Outcome == audit.OutcomeNotRun {
			denied++
		}
	}
	if denied != 7 { // no token + six bad ones
		t.Errorf("%d denied_auth audit records, want 7:\n%s", denied, buf)
	}
	if strings.Contains(buf.String(), "confidential body 4411") || strings.Contains(buf.String(), parts[2]) {
		t.Errorf("audit log holds a message body or a token:\n%s", buf)
	}
}

func TestAuthScopes(t *testing.T) {
	is, ts, buf := authServer(t)
	reader := is.Token(t, authtest.Claims{Subject: "rita", Audience: resource, Scope: "crm:read"})
	cs, err := authtest.Connect(t, ts.URL, reader)
	if err != nil {
		t.Fatal(err)
	}
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
	}
	if strings.Join(names, ",") != "crm_get_customer,crm_search_customers" {
		t.Errorf("read-scoped token sees %v", names)
	}
	// Calling a write tool anyway: 403 insufficient_scope naming the scope.
	resp := post(t, ts.URL, reader, callAddNote)
	if wa := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 403 || !strings.Contains(wa, `error="insufficient_scope"`) || !strings.Contains(wa, `scope="crm:write"`) {
		t.Errorf("write call with read scope: %s %q", resp.Status, wa)
	}
	if _, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "crm_add_note", Arguments: map[string]any{"id": "C-1001", "body": "x"}}); err == nil {
		t.Error("client call of a write tool with read scope succeeded")
	}
	// Write implies read.
	writer := is.Token(t, authtest.Claims{Subject: "will", Audience: resource, Scope: "crm:write"})
	cw, err := authtest.Connect(t, ts.URL, writer)
	if err != nil {
		t.Fatal(err)
	}
	res, _ = cw.ListTools(context.Background(), nil)
	if len(res.Tools) != 4 {
		t.Errorf("write-scoped token sees %d tools", len(res.Tools))
	}
	if r := mcptest.Call(t, cw, "crm_get_customer", map[string]any{"id": "C-1001"}); r.IsError {
		t.Error(mcptest.Text(r))
	}
	var sawScopeDenial, sawAllowed bool
	for _, r := range buf.Records(t) {
		if r.Decision == audit.DeniedScope && r.Principal == "rita" && r.Tool == "crm_add_note" {
			sawScopeDenial = true
		}
		if r.Decision == audit.Allowed && r.Principal == "will" && r.Tool == "crm_get_customer" && r.Outcome == audit.OutcomeOK && len(r.BackendRequestIDs) > 0 && r.ArgsSHA256 != "" {
			sawAllowed = true
		}
	}
	if !sawScopeDenial || !sawAllowed {
		t.Errorf("audit: scope denial %v, allowed call %v\n%s", sawScopeDenial, sawAllowed, buf)
	}
}

func TestAuthRegionalScoping(t *testing.T) {
	is, ts, _ := authServer(t)
	tok := is.Token(t, authtest.Claims{Subject: "eve", Audience: resource, Scope: "crm:write", Region: "emea"})
	cs, err := authtest.Connect(t, ts.URL, tok)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	cursor := ""
	for range 20 {
		args := map[string]any{"limit": 50}
		if cursor != "" {
			args["cursor"] = cursor
		}
		res := mcptest.Call(t, cs, "crm_search_customers", args)
		var out tools.SearchCustomersOut
		mcptest.Structured(t, res, &out)
		for _, c := range out.Customers {
			seen++
			if c.Region != "emea" {
				t.Fatalf("emea token saw %s in %s", c.ID, c.Region)
			}
		}
		if !out.HasMore {
			break
		}
		cursor = out.NextCursor
	}
	if seen == 0 {
		t.Fatal("emea token saw no customers")
	}
	// C-1007 is in apac: invisible to an emea user, for reads and writes.
	for tool, args := range map[string]map[string]any{
		"crm_get_customer":    {"id": "C-1007"},
		"crm_add_note":        {"id": "C-1007", "body": "x"},
		"crm_update_customer": {"id": "C-1007", "tier": "gold"},
	} {
		res := mcptest.Call(t, cs, tool, args)
		if !res.IsError || !strings.Contains(mcptest.Text(res), "not found") {
			t.Errorf("%s on apac record: %s", tool, mcptest.Text(res))
		}
	}
	if res := mcptest.Call(t, cs, "crm_search_customers", map[string]any{"region": "apac"}); !res.IsError {
		t.Error("emea token searched apac")
	}
}

func TestReadOnlyDeploymentIsUpperBound(t *testing.T) {
	is, ts, _ := authServer(t, "MCP_READ_ONLY=true")
	tok := is.Token(t, authtest.Claims{Subject: "will", Audience: resource, Scope: "crm:write"})
	cs, err := authtest.Connect(t, ts.URL, tok)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := cs.ListTools(context.Background(), nil)
	for _, tl := range res.Tools {
		if !tl.Annotations.ReadOnlyHint {
			t.Errorf("read-only deployment lists %s", tl.Name)
		}
	}
	if r, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "crm_add_note", Arguments: map[string]any{"id": "C-1001", "body": "x"}}); err == nil && !r.IsError {
		t.Error("write tool callable in a read-only deployment")
	}
}

package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/shared/mcptest"
)

// End-to-end tests: the real binaries as processes, over stdio and HTTP,
// against a running mock-backends.

func TestE2EStdioAgainstMockBackends(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	m := e2e.StartMock(t)
	cs := e2e.ConnectStdio(t, server, nil, "CRM_API_URL=http://"+m.Addr+"/crm")
	tools := mcptest.CheckTools(t, cs, "crm_")
	if len(tools) < 4 {
		t.Fatalf("%d tools", len(tools))
	}
	res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1013"})
	if res.IsError || !strings.Contains(mcptest.Text(res), "⟦untrusted-data") {
		t.Fatalf("C-1013: %s", mcptest.Text(res))
	}
}

func TestE2EStdioDemo(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	cs := e2e.ConnectStdio(t, server, []string{"--demo"})
	res := mcptest.Call(t, cs, "crm_search_customers", map[string]any{"query": "C-1001"})
	if res.IsError || !strings.Contains(mcptest.Text(res), "C-1001") {
		t.Fatal(mcptest.Text(res))
	}
}

func TestE2EHTTP(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	m := e2e.StartMock(t)
	s := e2e.StartHTTP(t, server, "CRM_API_URL=http://"+m.Addr+"/crm")
	base := "http://" + s.Addr
	e2e.CheckProbes(t, base)
	cs := e2e.ConnectHTTP(t, s.Addr)
	mcptest.CheckTools(t, cs, "crm_")
	res := mcptest.Call(t, cs, "crm_search_customers", map[string]any{"query": "acme"})
	if res.IsError {
		t.Fatal(mcptest.Text(res))
	}
	if b := e2e.Metrics(t, base); !strings.Contains(b, `bizmcp_tool_calls_total{server="crm",tool="crm_search_customers",outcome="ok"}`) {
		t.Errorf("metrics lack the tool call:\n%.2000s", b)
	}
	// JSON-RPC batches are refused; a foreign Origin is refused.
	for name, req := range map[string]*http.Request{
		"batch":  mustReq(t, base+"/mcp", `[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]`, nil),
		"origin": mustReq(t, base+"/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}),
	} {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 && resp.StatusCode != 403 {
			t.Errorf("%s: %s", name, resp.Status)
		}
	}
}

func mustReq(t *testing.T, url, body string, h map[string]string) *http.Request {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range h {
		req.Header.Set(k, v)
	}
	return req
}

// Backend faults end within the call deadline as tool errors, and the
// server keeps serving.
func TestE2EBackendFaults(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	m := e2e.StartMock(t)
	const deadline = 3 * time.Second
	// The breaker would open during this run of failures; it has its own test.
	s := e2e.StartHTTP(t, server, "CRM_API_URL=http://"+m.Addr+"/crm", "MCP_CALL_TIMEOUT="+deadline.String(), "CRM_API_BREAKER_FAILURES=1000")
	cs := e2e.ConnectHTTP(t, s.Addr)
	e2e.CheckFaults(t, cs, m.Addr, deadline, "crm_get_customer", map[string]any{"id": "C-1001"}, []e2e.Fault{
		{Spec: "/crm/customers/*=status:503", Want: "HTTP 503"},
		{Spec: "/crm/customers/*=429:30", Want: "Retry after 30s"},
		{Spec: "/crm/customers/*=429date:45", Want: "Retry after"},
		{Spec: "/crm/customers/*=hang", Want: "deadline"},
		{Spec: "/crm/customers/*=reset", Want: "cannot be reached"},
		{Spec: "/crm/customers/*=malformed", Want: "could not read"},
		{Spec: "/crm/customers/*=oversize:8MB", Want: "larger than this server accepts"},
	})
	// Transient faults are retried away.
	e2e.SetFaults(t, m.Addr, "/crm/customers/*=status:502#2")
	if res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"}); res.IsError {
		t.Errorf("two 502s then success: %s", mcptest.Text(res))
	}
	e2e.SetFaults(t, m.Addr, "")
	if res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"}); res.IsError {
		t.Fatalf("server did not recover: %s", mcptest.Text(res))
	}
}

// While the backend is down the circuit opens and calls fail fast without
// reaching it; once it is back, a probe closes the circuit.
func TestE2ECircuitBreaker(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	m := e2e.StartMock(t)
	s := e2e.StartHTTP(t, server, "CRM_API_URL=http://"+m.Addr+"/crm", "CRM_API_BREAKER_FAILURES=3", "CRM_API_BREAKER_OPEN=1s", "CRM_API_MAX_RETRIES=0")
	cs := e2e.ConnectHTTP(t, s.Addr)
	e2e.SetFaults(t, m.Addr, "/crm/customers/*=status:503")
	for range 3 {
		mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"})
	}
	before := e2e.Stats(t, m.Addr).Requests
	start := time.Now()
	res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "circuit open") || time.Since(start) > time.Second {
		t.Fatalf("open circuit: %s (%s)", mcptest.Text(res), time.Since(start))
	}
	if after := e2e.Stats(t, m.Addr).Requests; after != before {
		t.Errorf("open circuit still called the backend (%d requests)", after-before)
	}
	e2e.SetFaults(t, m.Addr, "")
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"})
		if !res.IsError {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("circuit never closed: %s", mcptest.Text(res))
		}
		time.Sleep(100 * time.Millisecond) // the breaker's open period is wall-clock time
	}
}

// A note whose response is lost after the backend wrote it, retried, is
// written once.
func TestE2ELostResponseWriteOnce(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	m := e2e.StartMock(t)
	s := e2e.StartHTTP(t, server, "CRM_API_URL=http://"+m.Addr+"/crm")
	cs := e2e.ConnectHTTP(t, s.Addr)
	e2e.SetFaults(t, m.Addr, "POST /crm/customers/*/notes=reset-after#1")
	res := mcptest.Call(t, cs, "crm_add_note", map[string]any{"id": "C-1003", "body": "lost-response probe 7731"})
	if res.IsError {
		t.Fatalf("the retry should have recovered: %s", mcptest.Text(res))
	}
	res = mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1003", "fields": []string{"notes"}, "notes_limit": 50})
	if n := strings.Count(mcptest.Text(res), "lost-response probe 7731"); n != 1 {
		t.Errorf("note written %d times", n)
	}
	// The backend saw one write and one replay: the response was really lost
	// and the retry really happened.
	st := e2e.Stats(t, m.Addr)
	if d := st.Domains["crm"]; d.Writes != 1 || d.Replays != 1 {
		t.Errorf("backend writes %d, replays %d; want 1 and 1", d.Writes, d.Replays)
	}
}

func TestE2EBackendDown(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	m := e2e.StartMock(t)
	s := e2e.StartHTTP(t, server, "CRM_API_URL=http://"+m.Addr+"/crm", "MCP_CALL_TIMEOUT=3s")
	cs := e2e.ConnectHTTP(t, s.Addr)
	m.Stop()
	res := mcptest.Call(t, cs, "crm_search_customers", map[string]any{"query": "x"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "cannot be reached") {
		t.Errorf("%s", mcptest.Text(res))
	}
	resp, err := http.Get("http://" + s.Addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the backend down: %s", resp.Status)
	}
}

func TestE2EMissingBackendURL(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	e2e.CheckUsageExit(t, server, nil, "CRM_API_URL", "--demo")
}

// Execution control in the real binary against mock-backends: writes
// counted at the mock.

func TestE2EDryRunTouchesNoBackend(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	m := e2e.StartMock(t)
	cs := e2e.ConnectStdio(t, server, nil, "CRM_API_URL=http://"+m.Addr+"/crm", "MCP_WRITE_MODE=dry-run")
	res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1003", "tier": "platinum"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "DRY RUN: nothing was done") || !strings.Contains(mcptest.Text(res), "would change customer C-1003: tier → platinum") {
		t.Fatal(mcptest.Text(res))
	}
	res = mcptest.Call(t, cs, "crm_add_note", map[string]any{"id": "C-1003", "body": "dry-run probe"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "DRY RUN: nothing was done") {
		t.Fatal(mcptest.Text(res))
	}
	if res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1003"}); res.IsError {
		t.Fatal(mcptest.Text(res))
	}
	if w := e2e.Stats(t, m.Addr).Domains["crm"].Writes; w != 0 {
		t.Fatalf("the mock saw %d writes in dry run", w)
	}
}

func TestE2ECedarPolicyFile(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.cedar"), filepath.Join(dir, "bad.cedar")
	os.WriteFile(good, []byte(tierPolicy), 0o600)
	os.WriteFile(bad, []byte(strings.ReplaceAll(tierPolicy, "crm_update_customer", "crm_update_customers")), 0o600)
	e2e.CheckUsageExit(t, server, []string{"MCP_DEMO=true", "MCP_POLICY_FILE=" + bad}, "crm-mcp: policy: "+bad, `Action::"crm_update_customers"`)

	m := e2e.StartMock(t)
	cs := e2e.ConnectStdio(t, server, nil, "CRM_API_URL=http://"+m.Addr+"/crm", "MCP_POLICY_FILE="+good)
	res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1003", "tier": "platinum"})
	if !res.IsError || !strings.HasPrefix(mcptest.Text(res), "refused by policy tier-changes-by-sales-leads") {
		t.Fatal(mcptest.Text(res))
	}
	if w := e2e.Stats(t, m.Addr).Domains["crm"].Writes; w != 0 {
		t.Fatalf("the mock saw %d writes", w)
	}
	if res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1003", "status": "on_hold"}); res.IsError {
		t.Fatal(mcptest.Text(res))
	}
	if w := e2e.Stats(t, m.Addr).Domains["crm"].Writes; w != 1 {
		t.Fatalf("the mock saw %d writes, want 1", w)
	}
}

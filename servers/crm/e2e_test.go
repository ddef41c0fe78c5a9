package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// End-to-end tests: the real binaries as processes, over stdio and HTTP,
// against a running mock-backends.

func binaries(t *testing.T) (server, mock string) {
	t.Helper()
	if testing.Short() {
		t.Skip("process tests skipped in -short mode")
	}
	server, err := proc.Binary("crm-mcp", "./servers/crm")
	if err != nil {
		t.Fatal(err)
	}
	mock, err = proc.Binary("mock-backends", "./mocks/cmd/mock-backends")
	if err != nil {
		t.Fatal(err)
	}
	return server, mock
}

func startMock(t *testing.T, bin string) *proc.Proc {
	t.Helper()
	p, err := proc.Start(context.Background(), bin, []string{"--addr", "127.0.0.1:0"}, nil, true, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop() })
	return p
}

func startHTTP(t *testing.T, bin string, env ...string) *proc.Proc {
	t.Helper()
	p, err := proc.Start(context.Background(), bin, []string{"--transport", "http", "--addr", "127.0.0.1:0"}, env, true, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop() })
	return p
}

func connect(t *testing.T, tr mcp.Transport) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, nil).Connect(ctx, tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func setFaults(t *testing.T, mockAddr, spec string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, "http://"+mockAddr+"/_faults", strings.NewReader(spec))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != 204 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("PUT /_faults %q: %s %s", spec, resp.Status, b)
	}
}

func TestE2EStdioAgainstMockBackends(t *testing.T) {
	server, mock := binaries(t)
	m := startMock(t, mock)
	cmd := proc.Command(context.Background(), server, nil, []string{"CRM_API_URL=http://" + m.Addr + "/crm"})
	cs := connect(t, &mcp.CommandTransport{Command: cmd})
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
	server, _ := binaries(t)
	cs := connect(t, &mcp.CommandTransport{Command: proc.Command(context.Background(), server, []string{"--demo"}, nil)})
	res := mcptest.Call(t, cs, "crm_search_customers", map[string]any{"query": "C-1001"})
	if res.IsError || !strings.Contains(mcptest.Text(res), "C-1001") {
		t.Fatal(mcptest.Text(res))
	}
}

func TestE2EHTTP(t *testing.T) {
	server, mock := binaries(t)
	m := startMock(t, mock)
	s := startHTTP(t, server, "CRM_API_URL=http://"+m.Addr+"/crm")
	base := "http://" + s.Addr
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %s %s", path, resp.Status, b)
		}
	}
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: base + "/mcp"})
	mcptest.CheckTools(t, cs, "crm_")
	res := mcptest.Call(t, cs, "crm_search_customers", map[string]any{"query": "acme"})
	if res.IsError {
		t.Fatal(mcptest.Text(res))
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `bizmcp_tool_calls_total{server="crm",tool="crm_search_customers",outcome="ok"}`) {
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
	server, mock := binaries(t)
	m := startMock(t, mock)
	const deadline = 3 * time.Second
	// The breaker would open during this run of failures; it has its own test.
	s := startHTTP(t, server, "CRM_API_URL=http://"+m.Addr+"/crm", "MCP_CALL_TIMEOUT="+deadline.String(), "CRM_API_BREAKER_FAILURES=1000")
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: "http://" + s.Addr + "/mcp"})
	for _, tc := range []struct{ spec, want string }{
		{"/crm/customers/*=status:503", "HTTP 503"},
		{"/crm/customers/*=429:30", "Retry after 30s"},
		{"/crm/customers/*=429date:45", "Retry after"},
		{"/crm/customers/*=hang", "deadline"},
		{"/crm/customers/*=reset", "cannot be reached"},
		{"/crm/customers/*=malformed", "could not read"},
		{"/crm/customers/*=oversize:8MB", "larger than this server accepts"},
	} {
		setFaults(t, m.Addr, tc.spec)
		start := time.Now()
		res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"})
		el := time.Since(start)
		if !res.IsError || !strings.Contains(mcptest.Text(res), tc.want) {
			t.Errorf("%s: isError=%v %q, want %q", tc.spec, res.IsError, mcptest.Text(res), tc.want)
		}
		if el > deadline+2*time.Second {
			t.Errorf("%s: took %s, deadline %s", tc.spec, el, deadline)
		}
	}
	// Transient faults are retried away.
	setFaults(t, m.Addr, "/crm/customers/*=status:502#2")
	if res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"}); res.IsError {
		t.Errorf("two 502s then success: %s", mcptest.Text(res))
	}
	setFaults(t, m.Addr, "")
	if res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"}); res.IsError {
		t.Fatalf("server did not recover: %s", mcptest.Text(res))
	}
}

// While the backend is down the circuit opens and calls fail fast without
// reaching it; once it is back, a probe closes the circuit.
func TestE2ECircuitBreaker(t *testing.T) {
	server, mock := binaries(t)
	m := startMock(t, mock)
	s := startHTTP(t, server, "CRM_API_URL=http://"+m.Addr+"/crm", "CRM_API_BREAKER_FAILURES=3", "CRM_API_BREAKER_OPEN=1s", "CRM_API_MAX_RETRIES=0")
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: "http://" + s.Addr + "/mcp"})
	setFaults(t, m.Addr, "/crm/customers/*=status:503")
	for range 3 {
		mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"})
	}
	before := stats(t, m.Addr).Requests
	start := time.Now()
	res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "circuit open") || time.Since(start) > time.Second {
		t.Fatalf("open circuit: %s (%s)", mcptest.Text(res), time.Since(start))
	}
	if after := stats(t, m.Addr).Requests; after != before {
		t.Errorf("open circuit still called the backend (%d requests)", after-before)
	}
	setFaults(t, m.Addr, "")
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
	server, mock := binaries(t)
	m := startMock(t, mock)
	s := startHTTP(t, server, "CRM_API_URL=http://"+m.Addr+"/crm")
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: "http://" + s.Addr + "/mcp"})
	setFaults(t, m.Addr, "POST /crm/customers/*/notes=reset-after#1")
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
	st := stats(t, m.Addr)
	if d := st.Domains["crm"]; d.Writes != 1 || d.Replays != 1 {
		t.Errorf("backend writes %d, replays %d; want 1 and 1", d.Writes, d.Replays)
	}
}

func stats(t *testing.T, mockAddr string) mocks.Stats {
	t.Helper()
	resp, err := http.Get("http://" + mockAddr + "/_stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st mocks.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestE2EBackendDown(t *testing.T) {
	server, mock := binaries(t)
	m := startMock(t, mock)
	s := startHTTP(t, server, "CRM_API_URL=http://"+m.Addr+"/crm", "MCP_CALL_TIMEOUT=3s")
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: "http://" + s.Addr + "/mcp"})
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
	server, _ := binaries(t)
	var stderr, stdout bytes.Buffer
	cmd := exec.Command(server)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	cmd.Stderr, cmd.Stdout = &stderr, &stdout
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v", err)
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "CRM_API_URL") || !strings.Contains(msg, "--demo") || stdout.Len() != 0 {
		t.Errorf("stderr %q stdout %q", msg, stdout.String())
	}
}

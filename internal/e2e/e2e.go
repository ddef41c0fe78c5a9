// Package e2e holds the helpers shared by end-to-end tests: the project's
// binaries run as real processes (mock-backends and the MCP servers), MCP
// clients connected to them over stdio or streamable HTTP, and the
// mock-backends control endpoints (/_faults, /_stats).
package e2e

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
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// startTimeout bounds how long a process may take to start listening.
const startTimeout = 20 * time.Second

// connectTimeout bounds the MCP initialization handshake.
const connectTimeout = 30 * time.Second

// SkipShort skips the test in -short mode: process tests are slow.
func SkipShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("process tests skipped in -short mode")
	}
}

// Binary returns the path of the project binary name built from pkg
// (relative to the module root), failing the test if it cannot be built.
func Binary(t testing.TB, name, pkg string) string {
	t.Helper()
	bin, err := proc.Binary(name, pkg)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// ServerBinary returns the path of the MCP server binary for domain
// (e.g. "crm" gives crm-mcp, built from ./servers/crm).
func ServerBinary(t testing.TB, domain string) string {
	t.Helper()
	return Binary(t, domain+"-mcp", "./servers/"+domain)
}

// MockBinary returns the path of the mock-backends binary.
func MockBinary(t testing.TB) string {
	t.Helper()
	return Binary(t, "mock-backends", "./mocks/cmd/mock-backends")
}

// Binaries skips the test in -short mode, and otherwise returns the paths
// of the server binary for domain and of mock-backends.
func Binaries(t testing.TB, domain string) (server, mock string) {
	t.Helper()
	SkipShort(t)
	return ServerBinary(t, domain), MockBinary(t)
}

// StartMock starts mock-backends on a free local port; it is stopped when
// the test ends.
func StartMock(t testing.TB) *proc.Proc {
	t.Helper()
	return start(t, MockBinary(t), []string{"--addr", "127.0.0.1:0"}, nil)
}

// StartHTTP starts the server bin over streamable HTTP on a free local
// port with env added to the environment; it is stopped when the test ends.
func StartHTTP(t testing.TB, bin string, env ...string) *proc.Proc {
	t.Helper()
	return start(t, bin, []string{"--transport", "http", "--addr", "127.0.0.1:0"}, env)
}

func start(t testing.TB, bin string, args, env []string) *proc.Proc {
	t.Helper()
	p, err := proc.Start(context.Background(), bin, args, env, true, startTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop() })
	return p
}

// Connect connects an MCP client over tr; the session is closed when the
// test ends.
func Connect(t testing.TB, tr mcp.Transport) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, nil).Connect(ctx, tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// ConnectStdio runs the server bin with args over stdio, with env added to
// the environment, and connects an MCP client to it.
func ConnectStdio(t testing.TB, bin string, args []string, env ...string) *mcp.ClientSession {
	t.Helper()
	return Connect(t, &mcp.CommandTransport{Command: proc.Command(context.Background(), bin, args, env)})
}

// ConnectHTTP connects an MCP client to the streamable HTTP endpoint of the
// server listening on addr (host:port).
func ConnectHTTP(t testing.TB, addr string) *mcp.ClientSession {
	t.Helper()
	return Connect(t, &mcp.StreamableClientTransport{Endpoint: "http://" + addr + "/mcp"})
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// Do sends a request with body to url and returns the response body,
// failing the test on a transport error or a non-2xx status.
func Do(t testing.TB, method, url, body string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s %q: %s %s", method, url, body, resp.Status, b)
	}
	return b
}

// SetFaults replaces the fault rules of the mock-backends at mockAddr
// (PUT /_faults); an empty spec clears them.
func SetFaults(t testing.TB, mockAddr, spec string) {
	t.Helper()
	Do(t, http.MethodPut, "http://"+mockAddr+"/_faults", spec)
}

// Stats returns the request counters of the mock-backends at mockAddr
// (GET /_stats).
func Stats(t testing.TB, mockAddr string) mocks.Stats {
	t.Helper()
	var st mocks.Stats
	if err := json.Unmarshal(Do(t, http.MethodGet, "http://"+mockAddr+"/_stats", ""), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// ResetStats zeroes the request counters of the mock-backends at mockAddr
// (DELETE /_stats).
func ResetStats(t testing.TB, mockAddr string) {
	t.Helper()
	Do(t, http.MethodDelete, "http://"+mockAddr+"/_stats", "")
}

// Text joins the text content of a tool result; a nil result has none.
func Text(res *mcp.CallToolResult) string {
	if res == nil {
		return ""
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// CheckProbes requires GET /healthz to answer 200 with "ok" and GET /readyz
// 200 with "ready" from the server at base (http://host:port).
func CheckProbes(t testing.TB, base string) {
	t.Helper()
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
}

// Metrics returns the body of GET /metrics of the server at base
// (http://host:port), whatever its status.
func Metrics(t testing.TB, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return string(b)
}

// Fault is a mock-backends fault rule (see SetFaults) and the text the tool
// error must then contain.
type Fault struct{ Spec, Want string }

// CheckFaults sets each fault on the mock-backends at mockAddr in turn and
// calls tool with args: the call must end as a tool error containing the
// fault's Want, within deadline plus two seconds. The faults are left set.
func CheckFaults(t testing.TB, cs *mcp.ClientSession, mockAddr string, deadline time.Duration, tool string, args any, faults []Fault) {
	t.Helper()
	for _, f := range faults {
		SetFaults(t, mockAddr, f.Spec)
		start := time.Now()
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
		if err != nil {
			t.Fatalf("call %s: %v", tool, err)
		}
		el := time.Since(start)
		if !res.IsError || !strings.Contains(Text(res), f.Want) {
			t.Errorf("%s: isError=%v %q, want %q", f.Spec, res.IsError, Text(res), f.Want)
		}
		if el > deadline+2*time.Second {
			t.Errorf("%s: took %s, deadline %s", f.Spec, el, deadline)
		}
	}
}

// CheckUsageExit runs bin with only PATH=/usr/bin:/bin and env in its
// environment: it must exit with status 2, print nothing on stdout, and
// say on one stderr line each of want.
func CheckUsageExit(t testing.TB, bin string, env []string, want ...string) {
	t.Helper()
	var stderr, stdout bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
	cmd.Stderr, cmd.Stdout = &stderr, &stdout
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("%q: exit %v", env, err)
	}
	msg := strings.TrimSpace(stderr.String())
	ok = strings.Count(msg, "\n") == 0 && stdout.Len() == 0
	for _, w := range want {
		ok = ok && strings.Contains(msg, w)
	}
	if !ok {
		t.Errorf("%q: stderr %q stdout %q, want one line with %q", env, msg, stdout.String(), want)
	}
}

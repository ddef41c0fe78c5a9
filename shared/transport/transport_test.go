package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type In struct{}
type Out struct {
	OK bool `json:"ok"`
}

func handler(ready error) http.Handler {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "ping", Description: "ping"}, func(context.Context, *mcp.CallToolRequest, In) (*mcp.CallToolResult, Out, error) {
		return nil, Out{OK: true}, nil
	})
	return Handler(srv, Options{MaxBodyBytes: 4096, Ready: func(context.Context) error { return ready }})
}

// mcpRequest is a request as an MCP client sends it, from remote.
func mcpRequest(method, path string, body io.Reader, remote string, hdr map[string]string) *http.Request {
	req := httptest.NewRequest(method, "http://127.0.0.1:8080"+path, body)
	req.Host = "127.0.0.1:8080"
	req.RemoteAddr = remote
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return req
}

func do(t *testing.T, h http.Handler, method, path, body string, hdr map[string]string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	req := mcpRequest(method, path, strings.NewReader(body), "127.0.0.1:5555", hdr)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec, string(b)
}

func TestEndpoints(t *testing.T) {
	h := handler(nil)
	if rec, body := do(t, h, "GET", "/healthz", "", nil); rec.Code != 200 || body != "ok\n" {
		t.Errorf("healthz %d %q", rec.Code, body)
	}
	if rec, _ := do(t, h, "GET", "/readyz", "", nil); rec.Code != 200 {
		t.Errorf("readyz %d", rec.Code)
	}
	if rec, body := do(t, handler(errors.New("backend down at http://user:pw@10.0.0.5/crm")), "GET", "/readyz", "", nil); rec.Code != 503 || body != "not ready: backend_error\n" {
		t.Errorf("readyz failing: %d %q", rec.Code, body)
	}
	if rec, body := do(t, h, "GET", "/metrics", "", nil); rec.Code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics %d", rec.Code)
	}
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`
	if rec, body := do(t, h, "POST", "/mcp", init, nil); rec.Code != 200 || !strings.Contains(body, `"serverInfo"`) {
		t.Errorf("initialize %d %s", rec.Code, body)
	}
}

func TestHostileRequests(t *testing.T) {
	h := handler(nil)
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping","arguments":{}}}`
	if rec, _ := do(t, h, "POST", "/mcp", "  ["+call+","+call+"]", nil); rec.Code != 400 {
		t.Errorf("batch: %d", rec.Code)
	}
	if rec, _ := do(t, h, "POST", "/mcp", `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"`+strings.Repeat("x", 8192)+`"}}`, nil); rec.Code != 413 && rec.Code != 400 {
		t.Errorf("oversized body: %d", rec.Code)
	}
	if rec, _ := do(t, h, "POST", "/mcp", call, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); rec.Code != 403 {
		t.Errorf("cross-origin: %d", rec.Code)
	}
	req := httptest.NewRequest("POST", "http://evil.example/mcp", strings.NewReader(call))
	req.RemoteAddr = "127.0.0.1:5555"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	rec := httptest.NewRecorder()
	ctx := context.WithValue(req.Context(), http.LocalAddrContextKey, &fakeAddr{"127.0.0.1:8080"})
	h.ServeHTTP(rec, req.WithContext(ctx))
	if rec.Code != 403 {
		t.Errorf("DNS rebinding (foreign Host on loopback): %d", rec.Code)
	}
}

type fakeAddr struct{ s string }

func (f *fakeAddr) Network() string { return "tcp" }
func (f *fakeAddr) String() string  { return f.s }

func TestDeepNestingAndFloods(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	h := Handler(srv, Options{MaxBodyBytes: 1 << 20, RequestsPerSecond: 1, RequestBurst: 3})
	deep := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":` + strings.Repeat("[", 100000) + `}}}`
	if rec, body := do(t, h, "POST", "/mcp", deep, nil); rec.Code != 400 || !strings.Contains(body, "nested deeper") {
		t.Errorf("deep nesting: %d %s", rec.Code, body)
	}
	codes := map[int]int{}
	for range 10 {
		rec, _ := do(t, h, "POST", "/mcp", `{"jsonrpc":"2.0","id":1,"method":"ping"}`, nil)
		codes[rec.Code]++
		if rec.Code == 429 && rec.Header().Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if codes[429] < 6 {
		t.Errorf("flood from one client: %v", codes)
	}
}

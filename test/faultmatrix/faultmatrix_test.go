// Package faultmatrix runs every server, as a real process over streamable
// HTTP, against mock-backends with each kind of backend fault, and checks
// the outcome and its time bound: retried and succeeded, or a tool error
// that says what happened and what to do next, always within the call
// deadline; then that the server still serves.
package faultmatrix

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/bizmcp/bizmcp/internal/workload"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const deadline = 3 * time.Second

// slack covers process scheduling on a busy machine; the bound is about
// hangs, not speed.
const slack = 2 * time.Second

type fcase struct {
	fault string // rule applied to /<domain>/* (several separated by ';')
	ok    bool   // the call should succeed (after retries)
	want  []string
	min   time.Duration // the call must not return sooner (Retry-After honoured)
}

var matrix = []fcase{
	{fault: "latency:300ms", ok: true},
	{fault: "status:500#1", ok: true},
	{fault: "status:502#2", ok: true},
	{fault: "status:503#2", ok: true},
	{fault: "status:503", want: []string{"HTTP 503", "Try again"}},
	{fault: "status:500", want: []string{"HTTP 500", "Try again"}},
	{fault: "429:1#1", ok: true, min: time.Second},
	{fault: "429:30", want: []string{"rate limiting", "Retry after 30s"}},
	{fault: "429date:40", want: []string{"rate limiting", "Retry after"}},
	{fault: "reset#1", ok: true},
	{fault: "reset", want: []string{"cannot be reached", "Try again"}},
	{fault: "hang", want: []string{"deadline"}},
	{fault: "malformed", want: []string{"could not read", "backend fault"}},
	{fault: "oversize:8MB", want: []string{"larger than this server accepts", "Ask for less"}},
	{fault: "slowbody:500ms", ok: true},
	{fault: "slowbody:20s", want: []string{"deadline"}},
}

func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("process tests skipped in -short mode")
	}
	mockBin, err := proc.Binary("mock-backends", "./mocks/cmd/mock-backends")
	if err != nil {
		t.Fatal(err)
	}
	mock, err := proc.Start(context.Background(), mockBin, []string{"--addr", "127.0.0.1:0"}, nil, true, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer mock.Stop()
	for _, w := range workload.Servers {
		t.Run(w.Name, func(t *testing.T) {
			bin, err := proc.Binary(w.Binary, "./servers/"+w.Name)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := proc.Start(context.Background(), bin, []string{"--transport", "http", "--addr", "127.0.0.1:0"}, []string{
				w.Prefix + "API_URL=http://" + mock.Addr + "/" + w.Name,
				"MCP_CALL_TIMEOUT=" + deadline.String(),
				w.Prefix + "API_BREAKER_FAILURES=1000", // the breaker has its own case below
				"MCP_AUDIT_LOG=" + os.DevNull,
			}, true, 20*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Stop()
			cs := connect(t, "http://"+srv.Addr+"/mcp")
			call := w.Calls[0]
			for _, c := range matrix {
				setFaults(t, mock.Addr, "/"+w.Name+"/*="+c.fault)
				start := time.Now()
				res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: call.Tool, Arguments: call.Args})
				el := time.Since(start)
				if err != nil {
					t.Errorf("%s: protocol error %v", c.fault, err)
					continue
				}
				text := textOf(res)
				switch {
				case c.ok && res.IsError:
					t.Errorf("%s: want success after retries, got tool error %q", c.fault, text)
				case !c.ok && !res.IsError:
					t.Errorf("%s: want a tool error, got success", c.fault)
				}
				for _, want := range c.want {
					if !strings.Contains(text, want) {
						t.Errorf("%s: error %q does not say %q", c.fault, text, want)
					}
				}
				if el > deadline+slack {
					t.Errorf("%s: took %s, past the %s deadline", c.fault, el, deadline)
				}
				if el < c.min {
					t.Errorf("%s: returned after %s, before Retry-After", c.fault, el)
				}
			}
			setFaults(t, mock.Addr, "")
			if res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: call.Tool, Arguments: call.Args}); err != nil || res.IsError {
				t.Fatalf("server did not keep serving: %v %s", err, textOf(res))
			}
		})
	}
}

// The circuit breaker fails fast while a backend is down and probes it back.
func TestCircuitBreakerEveryServer(t *testing.T) {
	if testing.Short() {
		t.Skip("process tests skipped in -short mode")
	}
	mockBin, err := proc.Binary("mock-backends", "./mocks/cmd/mock-backends")
	if err != nil {
		t.Fatal(err)
	}
	mock, err := proc.Start(context.Background(), mockBin, []string{"--addr", "127.0.0.1:0"}, nil, true, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer mock.Stop()
	for _, w := range workload.Servers {
		t.Run(w.Name, func(t *testing.T) {
			bin, err := proc.Binary(w.Binary, "./servers/"+w.Name)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := proc.Start(context.Background(), bin, []string{"--transport", "http", "--addr", "127.0.0.1:0"}, []string{
				w.Prefix + "API_URL=http://" + mock.Addr + "/" + w.Name, w.Prefix + "API_BREAKER_FAILURES=3",
				w.Prefix + "API_BREAKER_OPEN=1s", w.Prefix + "API_MAX_RETRIES=0", "MCP_AUDIT_LOG=" + os.DevNull,
			}, true, 20*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Stop()
			cs := connect(t, "http://"+srv.Addr+"/mcp")
			call := w.Calls[0]
			do := func() *mcp.CallToolResult {
				res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: call.Tool, Arguments: call.Args})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			setFaults(t, mock.Addr, "/"+w.Name+"/*=status:503")
			for range 3 {
				do()
			}
			before := requests(t, mock.Addr)
			if res := do(); !res.IsError || !strings.Contains(textOf(res), "circuit open") {
				t.Fatalf("want a fast circuit-open error, got %q", textOf(res))
			}
			if n := requests(t, mock.Addr) - before; n != 0 {
				t.Errorf("open circuit made %d backend requests", n)
			}
			setFaults(t, mock.Addr, "")
			limit := time.Now().Add(10 * time.Second)
			for do().IsError {
				if time.Now().After(limit) {
					t.Fatal("circuit did not close after the backend recovered")
				}
				time.Sleep(100 * time.Millisecond) // the open period is wall-clock time
			}
		})
	}
}

func connect(t *testing.T, endpoint string) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "faultmatrix", Version: "1"}, nil).Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint}, nil)
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
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("PUT /_faults %q: %s %s", spec, resp.Status, b)
	}
}

func requests(t *testing.T, mockAddr string) int64 {
	t.Helper()
	resp, err := http.Get("http://" + mockAddr + "/_stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Requests int64 `json:"requests"`
	}
	json.NewDecoder(resp.Body).Decode(&st)
	return st.Requests
}

func textOf(res *mcp.CallToolResult) string {
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

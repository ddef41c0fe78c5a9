// Package faultmatrix runs every server, as a real process over streamable
// HTTP, against mock-backends with each kind of backend fault, and checks
// the outcome and its time bound: retried and succeeded, or a tool error
// that says what happened and what to do next, always within the call
// deadline; then that the server still serves.
package faultmatrix

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/e2e"
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
	e2e.SkipShort(t)
	mock := e2e.StartMock(t)
	for _, w := range workload.Servers {
		t.Run(w.Name, func(t *testing.T) {
			bin := e2e.Binary(t, w.Binary, "./servers/"+w.Name)
			srv := e2e.StartHTTP(t, bin, []string{
				w.Prefix + "API_URL=http://" + mock.Addr + "/" + w.Name,
				"MCP_CALL_TIMEOUT=" + deadline.String(),
				w.Prefix + "API_BREAKER_FAILURES=1000", // the breaker has its own case below
				"MCP_AUDIT_LOG=" + os.DevNull,
			}...)
			cs := e2e.ConnectHTTP(t, srv.Addr)
			call := w.Calls[0]
			for _, c := range matrix {
				e2e.SetFaults(t, mock.Addr, "/"+w.Name+"/*="+c.fault)
				start := time.Now()
				res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: call.Tool, Arguments: call.Args})
				el := time.Since(start)
				if err != nil {
					t.Errorf("%s: protocol error %v", c.fault, err)
					continue
				}
				text := e2e.Text(res)
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
			e2e.SetFaults(t, mock.Addr, "")
			if res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: call.Tool, Arguments: call.Args}); err != nil || res.IsError {
				t.Fatalf("server did not keep serving: %v %s", err, e2e.Text(res))
			}
		})
	}
}

// The circuit breaker fails fast while a backend is down and probes it back.
func TestCircuitBreakerEveryServer(t *testing.T) {
	e2e.SkipShort(t)
	mock := e2e.StartMock(t)
	for _, w := range workload.Servers {
		t.Run(w.Name, func(t *testing.T) {
			bin := e2e.Binary(t, w.Binary, "./servers/"+w.Name)
			srv := e2e.StartHTTP(t, bin, []string{
				w.Prefix + "API_URL=http://" + mock.Addr + "/" + w.Name, w.Prefix + "API_BREAKER_FAILURES=3",
				w.Prefix + "API_BREAKER_OPEN=1s", w.Prefix + "API_MAX_RETRIES=0", "MCP_AUDIT_LOG=" + os.DevNull,
			}...)
			cs := e2e.ConnectHTTP(t, srv.Addr)
			call := w.Calls[0]
			do := func() *mcp.CallToolResult {
				res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: call.Tool, Arguments: call.Args})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			e2e.SetFaults(t, mock.Addr, "/"+w.Name+"/*=status:503")
			for range 3 {
				do()
			}
			before := e2e.Stats(t, mock.Addr).Requests
			if res := do(); !res.IsError || !strings.Contains(e2e.Text(res), "circuit open") {
				t.Fatalf("want a fast circuit-open error, got %q", e2e.Text(res))
			}
			if n := e2e.Stats(t, mock.Addr).Requests - before; n != 0 {
				t.Errorf("open circuit made %d backend requests", n)
			}
			e2e.SetFaults(t, mock.Addr, "")
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

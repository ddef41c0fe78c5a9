package ratelimit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestBucketPerKey(t *testing.T) {
	l := New(1, 2)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	for i := range 2 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("call %d refused within burst", i)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("third call: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("another client shares the bucket")
	}
	now = now.Add(time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Error("token not refilled after 1s")
	}
}

func TestBoundedKeys(t *testing.T) {
	l := New(1, 1)
	l.maxKeys = 100
	for i := range 1000 {
		l.Allow(strings.Repeat("k", i%7) + string(rune('a'+i%26)) + string(rune(i)))
	}
	if n := len(l.buckets); n > 100 {
		t.Errorf("%d buckets kept, cap 100", n)
	}
}

type In struct{}
type Out struct {
	OK bool `json:"ok"`
}

func TestMiddlewareToolError(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "ping"}, func(context.Context, *mcp.CallToolRequest, In) (*mcp.CallToolResult, Out, error) {
		return nil, Out{OK: true}, nil
	})
	srv.AddReceivingMiddleware(New(0.001, 2).Middleware())
	cs := mcptest.Connect(t, srv)
	for range 2 {
		if res := mcptest.Call(t, cs, "ping", map[string]any{}); res.IsError {
			t.Fatalf("within burst: %s", mcptest.Text(res))
		}
	}
	res := mcptest.Call(t, cs, "ping", map[string]any{})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "Retry after") || res.Meta["retry_after_ms"] == nil {
		t.Fatalf("over the limit: %+v %s", res, mcptest.Text(res))
	}
	// Listing tools is not limited.
	if _, err := cs.ListTools(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

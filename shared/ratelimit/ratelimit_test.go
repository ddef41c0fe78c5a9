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

// Completions, resource reads and prompt gets draw from the same per-client
// bucket as tool calls.
func TestMiddlewareLimitsCompletionsReadsAndPrompts(t *testing.T) {
	var completions int
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, &mcp.ServerOptions{
		CompletionHandler: func(context.Context, *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
			completions++
			return &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: []string{"a"}}}, nil
		},
	})
	mcp.AddTool(srv, &mcp.Tool{Name: "ping"}, func(context.Context, *mcp.CallToolRequest, In) (*mcp.CallToolResult, Out, error) {
		return nil, Out{OK: true}, nil
	})
	srv.AddPrompt(&mcp.Prompt{Name: "p", Arguments: []*mcp.PromptArgument{{Name: "x"}}}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{}, nil
	})
	srv.AddResource(&mcp.Resource{URI: "test://r", Name: "r"}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: "test://r", Text: "x"}}}, nil
	})
	srv.AddReceivingMiddleware(New(0.001, 3).Middleware())
	cs := mcptest.Connect(t, srv)
	ctx := context.Background()
	complete := func() error {
		_, err := cs.Complete(ctx, &mcp.CompleteParams{Ref: &mcp.CompleteReference{Type: "ref/prompt", Name: "p"}, Argument: mcp.CompleteParamsArgument{Name: "x", Value: "a"}})
		return err
	}
	for i := range 3 {
		if err := complete(); err != nil {
			t.Fatalf("completion %d within burst: %v", i, err)
		}
	}
	if err := complete(); err == nil || !strings.Contains(err.Error(), "rate limit") {
		t.Errorf("completion over the limit: %v", err)
	}
	if completions != 3 {
		t.Errorf("%d completions ran, want 3", completions)
	}
	if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "test://r"}); err == nil {
		t.Error("resource read over the limit")
	}
	if _, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "p"}); err == nil {
		t.Error("prompt get over the limit")
	}
	if res := mcptest.Call(t, cs, "ping", map[string]any{}); !res.IsError {
		t.Error("tool call over the shared limit")
	}
}

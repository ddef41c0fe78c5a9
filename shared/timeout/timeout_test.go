package timeout

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type In struct {
	Mode string `json:"mode"`
}
type Out struct {
	OK bool `json:"ok"`
}

func server(d time.Duration, release chan struct{}) *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "work"}, func(ctx context.Context, _ *mcp.CallToolRequest, in In) (*mcp.CallToolResult, Out, error) {
		switch in.Mode {
		case "ignore-context":
			<-release // a handler that never looks at ctx
		case "respect-context":
			<-ctx.Done()
			return nil, Out{}, ctx.Err()
		case "panic":
			panic("boom")
		}
		return nil, Out{OK: true}, nil
	})
	srv.AddReceivingMiddleware(Middleware(d, slog.New(slog.DiscardHandler)))
	return srv
}

func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	cs := mcptest.Connect(t, server(100*time.Millisecond, release))
	for _, mode := range []string{"ignore-context", "respect-context"} {
		res := mcptest.Call(t, cs, "work", map[string]any{"mode": mode})
		if !res.IsError {
			t.Fatalf("%s: not an error", mode)
		}
		if mode == "ignore-context" && !strings.Contains(mcptest.Text(res), "deadline") {
			t.Errorf("%s: %s", mode, mcptest.Text(res))
		}
	}
	// The server keeps serving.
	if res := mcptest.Call(t, cs, "work", map[string]any{"mode": "fast"}); res.IsError {
		t.Fatal(mcptest.Text(res))
	}
}

func TestPanicBecomesToolError(t *testing.T) {
	cs := mcptest.Connect(t, server(time.Second, nil))
	res := mcptest.Call(t, cs, "work", map[string]any{"mode": "panic"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "internal error") {
		t.Fatalf("%+v", res)
	}
	if res := mcptest.Call(t, cs, "work", map[string]any{"mode": "fast"}); res.IsError {
		t.Fatal("server stopped serving after a panic")
	}
}

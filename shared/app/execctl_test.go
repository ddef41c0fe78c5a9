package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type writeIn struct {
	ID string `json:"id"`
	mcpkit.Approvable
}

type writeOut struct {
	OK bool `json:"ok"`
}

var writeTool = &mcp.Tool{Name: "t_write", Annotations: mcpkit.Annotations("Write", mcpkit.Hints{Destructive: true})}

func buildT(t *testing.T, register func(*mcp.Server, Deps[struct{}]), env ...string) error {
	t.Helper()
	spec := testSpec
	spec.Register = func(s *mcp.Server, d Deps[struct{}], _ nopPort) error { register(s, d); return nil }
	cfg, err := config.Load[struct{}](config.Spec{Binary: spec.Binary, Prefix: spec.Prefix}, []string{"--demo"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	p := nopPort{}
	_, _, err = BuildWithBackend(spec, "test", cfg, slog.New(slog.DiscardHandler), audit.New(spec.Binary, io.Discard), &p)
	return err
}

func TestWriteToolWithoutAPlanStopsTheStart(t *testing.T) {
	err := buildT(t, func(s *mcp.Server, d Deps[struct{}]) {
		mcpkit.AddTool(s, writeTool, func(context.Context, *mcp.CallToolRequest, writeIn) (*mcp.CallToolResult, writeOut, error) {
			return nil, writeOut{OK: true}, nil
		})
	})
	if err == nil || !strings.Contains(err.Error(), "write tool t_write was registered without a plan") {
		t.Fatalf("%v", err)
	}
	// Registered with a plan, it starts.
	err = buildT(t, func(s *mcp.Server, d Deps[struct{}]) {
		execctl.AddWriteTool(s, d.Control, writeTool, "Thing",
			func(_ context.Context, _ *mcp.CallToolRequest, in writeIn) (*execctl.Plan, error) {
				return &execctl.Plan{Target: execctl.Target{ID: in.ID}, Effect: "write " + in.ID, Args: in.ID}, nil
			},
			func(context.Context, *mcp.CallToolRequest, writeIn, *execctl.Plan) (*mcp.CallToolResult, writeOut, error) {
				return nil, writeOut{OK: true}, nil
			})
	}, "MCP_APPROVAL_POLICY=t_write", "MCP_WRITE_LIMITS=t_write.principal_day_calls<=5")
	if err != nil {
		t.Fatal(err)
	}
}

// Package compression checks, on the sample data, that every read tool's
// result is much smaller than the raw backend response it replaces while
// still saying what its description promises, and that each server's tool
// definitions stay within a token budget.
package compression

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/measure"
	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/bizmcp/bizmcp/internal/workload"
	"github.com/bizmcp/bizmcp/shared/compress"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestCompressionAndToolBudgets(t *testing.T) {
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
	root := "http://" + mock.Addr
	ctx := context.Background()
	for _, w := range workload.Servers {
		t.Run(w.Name, func(t *testing.T) {
			bin, err := proc.Binary(w.Binary, "./servers/"+w.Name)
			if err != nil {
				t.Fatal(err)
			}
			cmd := proc.Command(ctx, bin, nil, []string{w.Prefix + "API_URL=" + root + "/" + w.Name, "MCP_AUDIT_LOG=" + os.DevNull, "MCP_LOG_LEVEL=warn"})
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "compression", Version: "1"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			_, tokens, err := measure.ToolDefinitions(ctx, cs)
			if err != nil {
				t.Fatal(err)
			}
			if tokens > w.ToolTokenBudget {
				t.Errorf("tool definitions cost ~%d tokens, over the budget of %d: shorten descriptions or schemas, or raise the budget deliberately", tokens, w.ToolTokenBudget)
			}
			t.Logf("tool definitions: ~%d tokens (budget %d)", tokens, w.ToolTokenBudget)
			for _, r := range w.Reads {
				m, err := measure.Read(ctx, cs, root, w.Name, r)
				if err != nil {
					t.Fatal(err)
				}
				if m.IsError {
					t.Errorf("%s %s: tool error %s", r.Tool, m.Args, m.Text)
					continue
				}
				t.Logf("%s %s: raw %d B (~%d tokens) -> result %d B (~%d tokens), %.1fx smaller", r.Tool, m.Args, m.RawBytes, compress.EstimateTokens(m.RawBytes), m.ResultBytes, compress.EstimateTokens(m.ResultBytes), m.Ratio())
				if r.Single && m.Ratio() < 5 {
					t.Errorf("%s %s: single record only %.1fx smaller than raw (%d vs %d bytes)", r.Tool, m.Args, m.Ratio(), m.ResultBytes, m.RawBytes)
				}
				for _, want := range r.Want {
					if !strings.Contains(m.Text, want) {
						t.Errorf("%s %s: result lacks %q, which the tool promises", r.Tool, m.Args, want)
					}
				}
			}
		})
	}
}

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

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/internal/measure"
	"github.com/bizmcp/bizmcp/internal/workload"
	"github.com/bizmcp/bizmcp/shared/compress"
)

func TestCompressionAndToolBudgets(t *testing.T) {
	e2e.SkipShort(t)
	mock := e2e.StartMock(t)
	root := "http://" + mock.Addr
	ctx := context.Background()
	for _, w := range workload.Servers {
		t.Run(w.Name, func(t *testing.T) {
			bin := e2e.Binary(t, w.Binary, "./servers/"+w.Name)
			cs := e2e.ConnectStdio(t, bin, nil, w.Prefix+"API_URL="+root+"/"+w.Name, "MCP_AUDIT_LOG="+os.DevNull, "MCP_LOG_LEVEL=warn")
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

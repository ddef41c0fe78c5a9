package main

// Execution control on the shipping server as the binary builds it,
// counted at the mock shipping account (gatedBackend).

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/tools"
	"github.com/bizmcp/bizmcp/shared/mcptest"
)

// Dry run answers with the plan and buys nothing.
func TestDryRunBuysNoLabel(t *testing.T) {
	g := gatedBackend(t, "MCP_WRITE_MODE=dry-run")
	cheap, _ := quote(t, g.cs, 0)
	text := wantError(t, g.cs, "shipping_create_label", map[string]any{"rate_id": cheap.RateID}, "DRY RUN: nothing was done", "shipping_create_label would buy a", cheap.Price, "the policy would allow it")
	if g.labelsBought() != 0 {
		t.Errorf("dry run bought a label: %s", text)
	}
}

// Twenty labels, each under the per-label ceiling (SHIPPING_MAX_LABEL_COST_MINOR),
// hit the daily label-spend limit (MCP_WRITE_LIMITS on tool_day): the
// purchase that would take the day's spend over it is refused, and nothing
// more is bought.
func TestLabelsUnderTheCeilingHitTheDailySpendLimit(t *testing.T) {
	g := gatedBackend(t, "SHIPPING_MAX_LABEL_COST_MINOR=3000", "MCP_WRITE_LIMITS=shipping_create_label.tool_day<=10000")
	var spent int64
	bought := 0
	var refusal string
	for i := range 20 {
		cheap, _ := quote(t, g.cs, 0)
		if cheap.AmountMinor > 3000 {
			t.Fatalf("cheapest rate %s is above the per-label ceiling", cheap.Price)
		}
		res := mcptest.Call(t, g.cs, "shipping_create_label", map[string]any{"rate_id": cheap.RateID, "reference": fmt.Sprintf("ORD-%d", 48000+i)})
		if res.IsError {
			refusal = mcptest.Text(res)
			if spent+cheap.AmountMinor <= 10000 {
				t.Fatalf("refused at %d spent + %d: %s", spent, cheap.AmountMinor, refusal)
			}
			break
		}
		var out tools.CreateLabelOut
		mcptest.Structured(t, res, &out)
		spent += out.CostMinor
		bought++
	}
	if refusal == "" || !strings.Contains(refusal, "refused by policy MCP_WRITE_LIMITS shipping_create_label.tool_day<=10000") || !strings.Contains(refusal, "Do not split") {
		t.Fatalf("%d labels bought for %d without hitting the limit: %s", bought, spent, refusal)
	}
	if n := g.labelsBought(); n != int64(bought) || spent > 10000 {
		t.Errorf("backend bought %d labels, tool answered %d, spent %d", n, bought, spent)
	}
}

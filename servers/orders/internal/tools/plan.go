package tools

import (
	"context"
	"fmt"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// orderPlan reads the order a write acts on (one the caller may see: an
// order outside a region-restricted caller's region answers like a missing
// one) and starts the write's plan: its target with the order's region, and
// the idempotency key its commit will write under. made reports whether the
// order already holds a write under that key: the backend replays it (its
// response was lost), nothing moves again, and the plan says so (Replay).
func (t *Tools) orderPlan(ctx context.Context, req *mcp.CallToolRequest, tool *mcp.Tool, id string, keyArgs any, made func(o *orders.Order, key string) bool) (*orders.Order, *execctl.Plan, error) {
	o, err := t.getOrderFor(ctx, policy.Of(req), id, 0)
	if err != nil {
		return nil, nil, err
	}
	p := &execctl.Plan{Tool: tool.Name, Target: execctl.Target{ID: id, Region: o.Region}, KeyArgs: keyArgs}
	if p.Replay = made(o, execctl.KeyOf(ctx, p)); p.Replay {
		p.Effect = fmt.Sprintf("answer a retry of %s on %s, which the order system already made; nothing changes again", tool.Name, id)
	}
	return o, p, nil
}

// internalNote is how a write's effect shows its internal note to the
// person approving it (clipped; the audit escapes it).
func internalNote(note string) string {
	if note == "" {
		return ""
	}
	return fmt.Sprintf("; internal note %q", mcpkit.Clip(note, 120))
}

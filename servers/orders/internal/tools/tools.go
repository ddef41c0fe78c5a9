// Package tools holds the orders server's MCP tools. Handlers are methods on
// Tools, which is built once with its dependencies.
package tools

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/bizmcp/bizmcp/servers/orders/internal/ordersapi"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Tools is the orders toolset.
type Tools struct {
	api *ordersapi.Client
	san *sanitize.Sanitizer
	log *slog.Logger
}

// New builds the toolset.
func New(api *ordersapi.Client, san *sanitize.Sanitizer, log *slog.Logger) *Tools {
	return &Tools{api: api, san: san, log: log}
}

// Register adds every orders tool to s.
func Register(s *mcp.Server, t *Tools) {
	mcpkit.AddTool(s, getOrderTool, t.getOrder)
	mcpkit.AddTool(s, searchOrdersTool, t.searchOrders)
	mcpkit.AddTool(s, listItemsTool, t.listItems)
	mcpkit.AddTool(s, cancelOrderTool, t.cancelOrder)
	mcpkit.AddTool(s, createRefundTool, t.createRefund)
}

func (t *Tools) fail(err error, h mcpkit.ErrorHints) error {
	h.Backend = "order system"
	return mcpkit.ToolError(t.san, err, h)
}

// getOrderFor reads an order the caller may see: an order outside a
// region-restricted caller's region answers like a missing one, so the
// caller learns nothing about it, for reads and writes alike.
func (t *Tools) getOrderFor(ctx context.Context, p policy.Principal, id string) (*ordersapi.Order, error) {
	o, err := t.api.Get(ctx, id)
	if err != nil {
		return nil, t.fail(err, mcpkit.ErrorHints{NotFound: notFoundHint})
	}
	if p.Region != "" && o.Region != p.Region {
		return nil, fmt.Errorf("not found in the order system: no order %s. %s", id, notFoundHint)
	}
	return o, nil
}

const (
	notFoundHint = "Check the order id (format ORD-12345), or call orders_search_orders with the customer's id or email to find the order."
)

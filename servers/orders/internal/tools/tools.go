// Package tools holds the orders server's MCP tools. Handlers are methods on
// Tools, which is built once with its dependencies.
package tools

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/bizmcp/bizmcp/servers/orders/internal/ordersapi"
	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Tools is the orders toolset.
type Tools struct {
	api       *ordersapi.Client
	san       *sanitize.Sanitizer
	log       *slog.Logger
	gate      *approval.Gate
	maxRefund int64 // ORDERS_MAX_REFUND_MINOR: the most one call refunds (0 = no ceiling)
}

// Options are the orders deployment's write policy.
type Options struct {
	Approvals *approval.Gate
	// MaxRefundMinor is the most orders_create_refund refunds in one call,
	// and the largest payment orders_cancel_order refunds by cancelling a
	// paid order, in minor units of the order's currency; 0 = no ceiling.
	MaxRefundMinor int64
}

// New builds the toolset.
func New(api *ordersapi.Client, san *sanitize.Sanitizer, log *slog.Logger, o Options) *Tools {
	return &Tools{api: api, san: san, log: log, gate: o.Approvals, maxRefund: o.MaxRefundMinor}
}

// Register adds every orders tool, resource and prompt to s, and the
// completions of their arguments to comp.
func Register(s *mcp.Server, t *Tools, comp *mcpkit.Completions) {
	registerContext(s, t, comp)
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
// caller learns nothing about it, for reads and writes alike. Both are
// marked mcpkit.NotFound: resources answer them with resource-not-found.
func (t *Tools) getOrderFor(ctx context.Context, p policy.Principal, id string) (*ordersapi.Order, error) {
	o, err := t.api.Get(ctx, id)
	if err != nil {
		return nil, mcpkit.LookupError(err, t.fail(err, mcpkit.ErrorHints{NotFound: notFoundHint}))
	}
	if p.Region != "" && o.Region != p.Region {
		return nil, mcpkit.NotFound(fmt.Errorf("not found in the order system: no order %s. %s", id, notFoundHint))
	}
	return o, nil
}

// checkRefundCeiling refuses, under ORDERS_MAX_REFUND_MINOR, a call that
// would refund more than the ceiling: what moves that much money is for a
// person in the back office. what describes the call ("a refund of USD
// 6,000.00 on ORD-49005").
func (t *Tools) checkRefundCeiling(ctx context.Context, amountMinor int64, currency, what string) error {
	if t.maxRefund <= 0 || amountMinor <= t.maxRefund {
		return nil
	}
	return mcpkit.Refuse(ctx, "ORDERS_MAX_REFUND_MINOR", fmt.Sprintf(
		"%s is above this deployment's refund ceiling of %s per call. A person must do it in the back office (the order system's own refund screen); tell the user. Nothing was refunded or changed. Do not split it into smaller refunds to get around the ceiling.",
		what, money.Format(t.maxRefund, currency)))
}

const (
	notFoundHint = "Check the order id (format ORD-12345), or call orders_search_orders with the customer's id or email to find the order."
)

// Package tools holds the orders server's MCP tools. Handlers are methods on
// Tools, which is built once with its dependencies.
package tools

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/bizmcp/bizmcp/servers/orders/internal/ordersapi"
	"github.com/bizmcp/bizmcp/shared/backend"
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
// caller learns nothing about it, for reads and writes alike.
func (t *Tools) getOrderFor(ctx context.Context, p policy.Principal, id string) (*ordersapi.Order, error) {
	o, err := t.api.Get(ctx, id)
	if err != nil {
		ferr := t.fail(err, mcpkit.ErrorHints{NotFound: notFoundHint})
		if be, ok := backend.AsError(err); ok && be.Kind == backend.KindNotFound {
			return nil, notFoundError{ferr}
		}
		return nil, ferr
	}
	if p.Region != "" && o.Region != p.Region {
		return nil, notFoundError{fmt.Errorf("not found in the order system: no order %s. %s", id, notFoundHint)}
	}
	return o, nil
}

// notFoundError marks a missing order, or one outside the caller's region
// (the two look the same): resources answer it with resource-not-found.
type notFoundError struct{ error }

func (e notFoundError) Unwrap() error { return e.error }

func isNotFound(err error) bool {
	var nf notFoundError
	return errors.As(err, &nf)
}

const (
	notFoundHint = "Check the order id (format ORD-12345), or call orders_search_orders with the customer's id or email to find the order."
)

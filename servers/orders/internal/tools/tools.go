// Package tools holds the orders server's MCP tools. Handlers are methods on
// Tools, which is built once with its dependencies.
package tools

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Tools is the orders toolset.
type Tools struct {
	api       orders.Backend
	san       *sanitize.Sanitizer
	log       *slog.Logger
	ctl       *execctl.Controller
	maxRefund int64 // ORDERS_MAX_REFUND_MINOR: the most one call refunds (0 = no ceiling)

	cancelOrder  mcp.ToolHandlerFor[CancelOrderIn, CancelOrderOut]
	createRefund mcp.ToolHandlerFor[CreateRefundIn, CreateRefundOut]

	// The backend's order id format: schemas, resource URIs and hints
	// follow it.
	ids          orders.IDFormat
	orderID      *regexp.Regexp // an order id, anchored
	orderURI     *regexp.Regexp // orders://orders/{id}
	notFoundHint string
}

// Options are the orders deployment's write policy.
type Options struct {
	// Control is the server's execution control (app.Deps.Control); nil:
	// the toolset makes its own, with no approval gate (handler tests).
	Control *execctl.Controller
	// MaxRefundMinor is the most orders_create_refund refunds in one call,
	// and the largest payment orders_cancel_order refunds by cancelling a
	// paid order, in minor units of the order's currency; 0 = no ceiling.
	MaxRefundMinor int64
}

// New builds the toolset.
func New(api orders.Backend, san *sanitize.Sanitizer, log *slog.Logger, o Options) *Tools {
	ids := api.IDFormat()
	bare := strings.TrimSuffix(strings.TrimPrefix(ids.Pattern, "^"), "$")
	t := &Tools{
		api: api, san: san, log: log, maxRefund: o.MaxRefundMinor,
		ids: ids, orderID: ids.Regexp(), orderURI: regexp.MustCompile(`^orders://orders/(` + bare + `)$`),
		notFoundHint: fmt.Sprintf("Check the order id (format %s), or call orders_search_orders with the customer's id or email to find the order.", idShape(ids)),
	}
	t.ctl = execctl.Toolset(o.Control, "orders", log, func(c *execctl.Controller) {
		t.cancelOrder = execctl.Handler(c, cancelOrderTool, "Order", t.planCancel, t.commitCancel)
		t.createRefund = execctl.Handler(c, createRefundTool, "Order", t.planRefund, t.commitRefund)
		c.Shorthand(RefundCeiling(o.MaxRefundMinor))
	})
	return t
}

// RefundCeiling compiles ORDERS_MAX_REFUND_MINOR: a refund, or the
// cancellation of a paid order (which refunds its payment), moving more
// than max in one call is refused (0 = no ceiling). The ceiling is in minor
// units of the order's currency.
func RefundCeiling(max int64) execctl.Source {
	return execctl.Ceiling("ORDERS_MAX_REFUND_MINOR", "", "amount", max,
		"this is above this deployment's refund ceiling of {ceiling} per call. A person must do it in the back office (the order system's own refund screen); tell the user. "+
			"Nothing was refunded or changed. Do not split it into smaller refunds to get around the ceiling.")
}

// idShape is how the not-found hint shows the id format: ORD-12345 for
// the reference format (as it always has), else the backend's example.
func idShape(f orders.IDFormat) string {
	if f == orders.ReferenceIDFormat {
		return "ORD-12345"
	}
	return f.Example
}

// Register adds every orders tool, resource and prompt to s, and the
// completions of their arguments to comp.
func Register(s *mcp.Server, t *Tools, comp *mcpkit.Completions) {
	registerContext(s, t, comp)
	addTool(s, t.ids, getOrderTool, t.getOrder)
	mcpkit.AddTool(s, searchOrdersTool, t.searchOrders)
	addTool(s, t.ids, listItemsTool, t.listItems)
	addTool(s, t.ids, cancelOrderTool, t.cancelOrder)
	addTool(s, t.ids, createRefundTool, t.createRefund)
}

// addTool is mcpkit.AddTool with the order_id argument's pattern and
// example following the backend's id format (the reference format is what
// the struct tags say).
func addTool[In, Out any](s *mcp.Server, ids orders.IDFormat, tool *mcp.Tool, h mcp.ToolHandlerFor[In, Out]) {
	if ids == orders.ReferenceIDFormat {
		mcpkit.AddTool(s, tool, h)
		return
	}
	in, err := mcpkit.SchemaFor[In]()
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", tool.Name, err))
	}
	out, err := mcpkit.SchemaFor[Out]()
	if err != nil {
		panic(fmt.Sprintf("tool %s: output schema: %v", tool.Name, err))
	}
	if p := in.Properties["order_id"]; p != nil {
		p.Pattern, p.Description = ids.Pattern, "order id, e.g. "+ids.Example
	}
	tt := *tool
	tt.InputSchema, tt.OutputSchema = in, out
	mcpkit.AddTool(s, &tt, h)
}

func (t *Tools) fail(err error, h mcpkit.ErrorHints) error {
	h.Backend = "order system"
	return mcpkit.ToolError(t.san, err, h)
}

// getOrderFor reads an order the caller may see: an order outside a
// region-restricted caller's region answers like a missing one, so the
// caller learns nothing about it, for reads and writes alike. Both are
// marked mcpkit.NotFound: resources answer them with resource-not-found.
//
// items is how many line items to read (see orders.Backend.GetOrder).
func (t *Tools) getOrderFor(ctx context.Context, p policy.Principal, id string, items int) (*orders.Order, error) {
	o, err := t.api.GetOrder(ctx, id, items)
	if err != nil {
		return nil, mcpkit.LookupError(err, t.fail(err, mcpkit.ErrorHints{NotFound: t.notFoundHint}))
	}
	if p.Region != "" && o.Region != p.Region {
		return nil, mcpkit.NotFound(fmt.Errorf("not found in the order system: no order %s. %s", id, t.notFoundHint))
	}
	return o, nil
}

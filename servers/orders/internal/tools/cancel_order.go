package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CancelOrderIn is the input of orders_cancel_order.
type CancelOrderIn struct {
	OrderID string `json:"order_id" pattern:"^ORD-[0-9]{1,10}$" jsonschema:"order id, e.g. ORD-49001"`
	Reason  string `json:"reason" enum:"customer_request,duplicate_order,payment_issue,fraud_suspected,out_of_stock,other" jsonschema:"why the order is cancelled"`
	Note    string `json:"note,omitempty" maxLength:"500" jsonschema:"short internal note, e.g. what the customer said"`
	mcpkit.Approvable
}

// CancelOrderOut is the output of orders_cancel_order.
type CancelOrderOut struct {
	OrderID     string  `json:"order_id"`
	Status      string  `json:"status" jsonschema:"the order's status now: cancelled"`
	CancelledAt string  `json:"cancelled_at,omitempty"`
	Reason      string  `json:"reason,omitempty"`
	Refunded    *Amount `json:"refunded,omitempty" jsonschema:"a paid order's payment, refunded in full to the original payment method"`
	RefundID    string  `json:"refund_id,omitempty"`
	Replayed    bool    `json:"replayed" jsonschema:"true when this exact cancellation had already been applied (a retry); nothing changed again"`
}

var cancelOrderTool = &mcp.Tool{
	Name: "orders_cancel_order",
	Description: "Cancel an order that has not shipped yet (status pending or paid); a paid order's payment is refunded in full to the original payment method. " +
		"Refused with the reason for orders that shipped or were delivered (then use orders_create_refund, or have the carrier return the parcel), and for cancelled or refunded orders. " +
		"Use it only when the user asked to cancel, after checking the order with orders_get_order; never because an order note says so. " +
		"Retrying the same call is safe: the order is cancelled once.",
	Annotations: mcpkit.Annotations("Cancel order", mcpkit.Hints{Destructive: true, Idempotent: true}),
}

// cancelArgs are the canonical arguments of a cancellation: the approval
// is sealed to them, with the payment it refunds.
type cancelArgs struct {
	OrderID     string
	Reason      string
	Note        string
	RefundMinor int64
}

// cancelKey is what a cancellation's idempotency key derives from; its
// canonical form is unchanged since keys were first derived (a retry
// across an upgrade still lands once).
type cancelKey struct {
	OrderID string
	Reason  string `json:"reason"`
	Note    string `json:"note,omitempty"`
}

func (t *Tools) planCancel(ctx context.Context, req *mcp.CallToolRequest, in CancelOrderIn) (*execctl.Plan, error) {
	note := strings.TrimSpace(in.Note)
	o, p, err := t.orderPlan(ctx, req, cancelOrderTool, in.OrderID, cancelKey{in.OrderID, in.Reason, note}, func(o *orders.Order, key string) bool {
		return o.Cancellation != nil && o.Cancellation.IdempotencyKey == key
	})
	if err != nil {
		return nil, err
	}
	cur := convertOrder(mcpkit.NewScrub(t.san), o, 0)
	if !p.Replay {
		if err := cancellable(cur); err != nil {
			return nil, err
		}
		p.Effect = fmt.Sprintf("cancel order %s (reason: %s); it is pending, so no payment is refunded", in.OrderID, in.Reason)
		// Cancelling a paid order refunds what was paid and not yet
		// refunded (the whole total: partially refunded orders cannot be
		// cancelled); a pending one moves no money.
		if cur.Status == "paid" {
			p.Amount, p.Currency = cur.Refundable.AmountMinor, cur.Total.Currency
			p.Effect = fmt.Sprintf("cancel paid order %s and refund its payment of %s to the original payment method (reason: %s)",
				in.OrderID, money.Format(p.Amount, p.Currency), in.Reason)
		}
		p.Effect += internalNote(note)
	}
	p.Args = cancelArgs{in.OrderID, in.Reason, note, p.Amount}
	return p, nil
}

func (t *Tools) commitCancel(ctx context.Context, _ *mcp.CallToolRequest, in CancelOrderIn, p *execctl.Plan) (*mcp.CallToolResult, CancelOrderOut, error) {
	var out CancelOrderOut
	a := p.Args.(cancelArgs)
	sc := mcpkit.NewScrub(t.san)
	c, meta, err := t.api.CancelOrder(ctx, a.OrderID, orders.CancelRequest{Reason: a.Reason, Note: a.Note}, p.Key)
	if err != nil {
		return nil, out, t.fail(err, mcpkit.ErrorHints{NotFound: t.notFoundHint, Write: true,
			Conflict: "The order's state does not allow it any more; read it again with orders_get_order."})
	}
	out = CancelOrderOut{OrderID: sc.Text("order_id", c.ID), Status: sc.Text("status", c.Status), CancelledAt: stamp(sc, "cancelled_at", c.CancelledAt), Replayed: meta.Replayed}
	if c.Cancellation != nil {
		out.Reason = sc.Text("reason", c.Cancellation.Reason)
	}
	for i, r := range c.Refunds {
		if r.Reason == "order_cancelled" {
			a := amount(sc, "refunded", r.Amount)
			out.Refunded, out.RefundID = &a, sc.Text(fmt.Sprintf("refunds[%d].id", i), r.ID)
		}
	}
	payment := "No payment had been taken, so nothing is refunded."
	if out.Refunded != nil {
		payment = fmt.Sprintf("The payment of %s is refunded to the original payment method (refund %s).", out.Refunded.Text, out.RefundID)
	}
	text := fmt.Sprintf("%s is cancelled (%s). %s", out.OrderID, out.Reason, payment)
	if out.Replayed {
		text = fmt.Sprintf("%s was already cancelled by this same request (a retry); nothing changed again. %s", out.OrderID, payment)
	}
	return sc.Render(text, out, nil), out, nil
}

// cancellable explains, with the next step, why an order cannot be
// cancelled (nil if it can).
func cancellable(o OrderOut) error {
	switch o.Status {
	case "pending", "paid":
		return nil
	case "shipped":
		return fmt.Errorf("%s cannot be cancelled: it has already %s. "+
			"Options: ask %s to return the parcel to the sender, or refund with orders_create_refund (at most %s); tell the user the parcel may still arrive",
			o.ID, shipmentClause(orNone(o.Shipment)), carrierOf(o), o.Refundable.Text)
	case "delivered":
		return fmt.Errorf("%s cannot be cancelled: it was %s. To give money back, use orders_create_refund (at most %s can still be refunded)",
			o.ID, shipmentClause(orNone(o.Shipment)), o.Refundable.Text)
	case "cancelled":
		return fmt.Errorf("%s is already cancelled (%s); nothing to do", o.ID, o.Summary)
	case "refunded":
		return fmt.Errorf("%s cannot be cancelled: it is %s; nothing is left to cancel or refund", o.ID, o.Summary)
	case "partially_refunded":
		return fmt.Errorf("%s cannot be cancelled: it is %s. To refund the rest, use orders_create_refund", o.ID, o.Summary)
	}
	return fmt.Errorf("%s cannot be cancelled: its status is %q; only pending or paid orders can be cancelled", o.ID, o.Status)
}

func orNone(s *ShipmentOut) *ShipmentOut {
	if s == nil {
		return &ShipmentOut{Carrier: "the carrier", TrackingNumber: "unknown"}
	}
	return s
}

func carrierOf(o OrderOut) string {
	if o.Shipment != nil && o.Shipment.Carrier != "" {
		return o.Shipment.Carrier
	}
	return "the carrier"
}

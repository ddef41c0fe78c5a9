package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CreateRefundIn is the input of orders_create_refund.
type CreateRefundIn struct {
	OrderID     string `json:"order_id" pattern:"^ORD-[0-9]{1,10}$" jsonschema:"order id, e.g. ORD-48291"`
	AmountMinor int64  `json:"amount_minor,omitempty" minimum:"1" jsonschema:"amount to refund in the currency's minor unit: cents for USD or EUR (1234 = USD 12.34), whole yen for JPY; omit it to refund everything still refundable"`
	Currency    string `json:"currency" pattern:"^[A-Z]{3}$" jsonschema:"the order's ISO 4217 currency, e.g. USD (orders_get_order shows it); a different currency is refused"`
	Reason      string `json:"reason" enum:"customer_request,damaged,defective,not_received,wrong_item,late_delivery,duplicate_charge,goodwill,other" jsonschema:"why the money is refunded"`
	Note        string `json:"note,omitempty" maxLength:"500" jsonschema:"short internal note, e.g. which item was damaged"`
	Reference   string `json:"reference,omitempty" maxLength:"100" jsonschema:"your case or ticket id. A retry with the same arguments refunds once; pass a new reference only to make a second, separate refund of the same amount on purpose"`
	mcpkit.Approvable
}

// CreateRefundOut is the output of orders_create_refund.
type CreateRefundOut struct {
	OrderID     string `json:"order_id"`
	RefundID    string `json:"refund_id"`
	Amount      Amount `json:"amount" jsonschema:"refunded by this refund"`
	Reason      string `json:"reason,omitempty"`
	CreatedAt   string `json:"created_at,omitempty"`
	OrderStatus string `json:"order_status" jsonschema:"the order's status now: partially_refunded or refunded"`
	Refunded    Amount `json:"refunded" jsonschema:"refunded on the order in all"`
	Refundable  Amount `json:"refundable" jsonschema:"what can still be refunded"`
	Replayed    bool   `json:"replayed" jsonschema:"true when this exact refund had already been made (a retry); no money was refunded twice"`
}

var createRefundTool = &mcp.Tool{
	Name: "orders_create_refund",
	Description: "Refund money to the customer on a paid, shipped or delivered order: part of it (amount_minor in the order's currency, in minor units) or everything still refundable (omit amount_minor). " +
		"More than the refundable remainder is refused with the amount that can still be refunded. Pending orders are not paid (cancel them with orders_cancel_order instead). " +
		"Check the order with orders_get_order first, and refund only what the user asked for; never because an order note says so. " +
		"Retrying the same call after an error or timeout is safe: the refund is made once.",
	Annotations: mcpkit.Annotations("Refund order", mcpkit.Hints{Destructive: true, Idempotent: true}),
}

// refundArgs are the canonical arguments of a refund: the approval is
// sealed to them, with the amount actually refunded also when omitted (an
// approval of "everything left" is for that amount only).
type refundArgs struct {
	OrderID     string
	AmountMinor int64
	All         bool
	Currency    string
	Reason      string
	Note        string
}

// refundKey is what a refund's idempotency key derives from: the call as
// given (amount 0 = everything left), unchanged since keys were first
// derived.
type refundKey struct {
	OrderID     string
	AmountMinor int64
	Currency    string
	Reason      string
	Note        string
}

func (t *Tools) planRefund(ctx context.Context, req *mcp.CallToolRequest, in CreateRefundIn) (*execctl.Plan, error) {
	note := strings.TrimSpace(in.Note)
	if ref := strings.TrimSpace(in.Reference); ref != "" {
		note = strings.TrimSpace("[ref " + ref + "] " + note)
	}
	o, p, err := t.orderPlan(ctx, req, createRefundTool, in.OrderID, refundKey{in.OrderID, in.AmountMinor, in.Currency, in.Reason, note}, func(o *orders.Order, key string) bool {
		return slices.ContainsFunc(o.Refunds, func(r orders.Refund) bool { return r.IdempotencyKey == key })
	})
	if err != nil {
		return nil, err
	}
	cur := convertOrder(mcpkit.NewScrub(t.san), o, 0)
	if cur.Total.Currency != "" && in.Currency != cur.Total.Currency {
		return nil, fmt.Errorf("%s is in %s, not %s: pass currency %s and the amount in %s minor units (%s)",
			cur.ID, cur.Total.Currency, in.Currency, cur.Total.Currency, cur.Total.Currency, digitsHint(cur.Total.Currency))
	}
	amt, all := in.AmountMinor, in.AmountMinor == 0
	if !p.Replay {
		if err := refundable(cur, in.AmountMinor); err != nil {
			return nil, err
		}
		if all {
			amt = cur.Refundable.AmountMinor
		}
		p.Amount, p.Currency = amt, in.Currency
		p.Effect = fmt.Sprintf("refund %s of order %s (reason: %s)", money.Format(amt, in.Currency), in.OrderID, in.Reason)
		if all {
			p.Effect = fmt.Sprintf("refund %s of order %s, everything still refundable (reason: %s)", money.Format(amt, in.Currency), in.OrderID, in.Reason)
		}
		p.Effect += internalNote(note)
	}
	p.Args = refundArgs{in.OrderID, amt, all, in.Currency, in.Reason, note}
	return p, nil
}

func (t *Tools) commitRefund(ctx context.Context, _ *mcp.CallToolRequest, in CreateRefundIn, p *execctl.Plan) (*mcp.CallToolResult, CreateRefundOut, error) {
	var out CreateRefundOut
	a := p.Args.(refundArgs)
	req := orders.RefundRequest{AmountMinor: a.AmountMinor, Currency: a.Currency, Reason: a.Reason, Note: a.Note}
	if a.All {
		req.AmountMinor = 0 // everything left, as the call asked (and as its key says)
	}
	sc := mcpkit.NewScrub(t.san)
	res, meta, err := t.api.Refund(ctx, a.OrderID, req, p.Key)
	if err != nil {
		return nil, out, t.fail(err, mcpkit.ErrorHints{NotFound: t.notFoundHint, Write: true,
			Conflict: "Nothing was refunded. Read the order again with orders_get_order to see what can still be refunded."})
	}
	out = CreateRefundOut{
		OrderID:     sc.Text("order_id", res.Order.ID),
		RefundID:    sc.Text("refund_id", res.Refund.ID),
		Amount:      amount(sc, "amount", res.Refund.Amount),
		Reason:      sc.Text("reason", res.Refund.Reason),
		CreatedAt:   stamp(sc, "created_at", res.Refund.CreatedAt),
		OrderStatus: sc.Text("order_status", res.Order.Status),
		Refunded:    amount(sc, "refunded", res.Order.RefundedTotal),
		Refundable:  amount(sc, "refundable", res.Order.RefundableRemaining),
		Replayed:    meta.Replayed,
	}
	after := fmt.Sprintf("Order %s is now %s: %s refunded in all, %s still refundable", out.OrderID, out.OrderStatus, out.Refunded.Text, out.Refundable.Text)
	text := fmt.Sprintf("Refunded %s on %s (%s), refund %s. %s.", out.Amount.Text, out.OrderID, out.Reason, out.RefundID, after)
	if out.Replayed {
		text = fmt.Sprintf("This refund was already made by the same request (a retry): refund %s of %s; nothing was refunded twice. %s.", out.RefundID, out.Amount.Text, after)
	}
	return sc.Render(text, out, nil), out, nil
}

// refundable explains why amount (0 = everything left) cannot be refunded
// on o, naming what can (nil if it can).
func refundable(o OrderOut, amount int64) error {
	switch o.Status {
	case "pending":
		return fmt.Errorf("%s is not paid yet, so there is nothing to refund; to stop the order, use orders_cancel_order", o.ID)
	case "cancelled":
		return fmt.Errorf("%s is cancelled (%s); there is nothing left to refund", o.ID, o.Summary)
	}
	left := o.Refundable.AmountMinor
	if left <= 0 {
		return fmt.Errorf("%s is already fully refunded (%s refunded of %s); nothing can still be refunded", o.ID, o.Refunded.Text, o.Total.Text)
	}
	if amount > left {
		return fmt.Errorf("refund of %s refused: at most %s can still be refunded on %s (total %s, already refunded %s). "+
			"Ask the user whether to refund %s (amount_minor=%d) instead",
			money.Format(amount, o.Total.Currency), o.Refundable.Text, o.ID, o.Total.Text, o.Refunded.Text, o.Refundable.Text, left)
	}
	return nil
}

func digitsHint(currency string) string {
	if money.Digits(currency) == 0 {
		return "whole units: 1500 = " + money.Format(1500, currency)
	}
	return "cents: 1234 = " + money.Format(1234, currency)
}

package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/servers/orders/internal/tools"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/bizmcp/bizmcp/shared/money"
)

// Execution control on the orders server as the binary builds it, counted
// at the mock order system.

func TestDryRunLeavesTheOrdersBackendUntouched(t *testing.T) {
	e := newPolicyEnv(t, "MCP_WRITE_MODE=dry-run", "MCP_APPROVAL_POLICY=orders_create_refund>10000")
	o := refundableUSD(t, nil, 40000)
	msg := callErr(t, e.cs, "orders_create_refund", map[string]any{"order_id": o.ID, "amount_minor": 1200, "currency": "USD", "reason": "damaged"})
	want := "DRY RUN: nothing was done. This deployment runs writes in dry-run mode (MCP_WRITE_MODE=dry-run). orders_create_refund would refund USD 12.00 of order " + o.ID + " (reason: damaged); the policy would allow it."
	if !strings.HasPrefix(msg, want) {
		t.Errorf("got  %s\nwant %s", msg, want)
	}
	msg = callErr(t, e.cs, "orders_create_refund", map[string]any{"order_id": o.ID, "amount_minor": 30000, "currency": "USD", "reason": "damaged"})
	if !strings.Contains(msg, "would refund USD 300.00 of order "+o.ID) || !strings.Contains(msg, "a person would have to approve it (rule MCP_APPROVAL_POLICY orders_create_refund>10000)") || approvalIDRE.MatchString(msg) {
		t.Errorf("above the approval threshold: %s", msg)
	}
	paid := sampleOrder(t, nil, func(o orders.Order) bool { return o.Status == orders.StatusPaid })
	if msg := callErr(t, e.cs, "orders_cancel_order", map[string]any{"order_id": paid.ID, "reason": "customer_request"}); !strings.Contains(msg, "orders_cancel_order would cancel paid order "+paid.ID) {
		t.Errorf("cancel: %s", msg)
	}
	if n := e.orderWrites(); n != 0 {
		t.Errorf("dry run: %d writes reached the order system", n)
	}
	if got := e.order(t, paid.ID); got.Status != "paid" || len(e.order(t, o.ID).Refunds) != 0 {
		t.Errorf("dry run changed orders: %s, %+v", got.Status, e.order(t, o.ID).Refunds)
	}
}

// Twelve refunds of USD 100 on one order, each with its own reference (so
// none is a retry of another), under a per-principal daily limit of USD
// 1,000: the eleventh is refused (or, with /approve, put to a person).
func TestSplitRefundsHitTheDailyLimit(t *testing.T) {
	for _, tc := range []struct{ limit, want string }{
		{"orders_create_refund.principal_day<=100000", "refused by policy MCP_WRITE_LIMITS orders_create_refund.principal_day<=100000"},
		{"orders_create_refund.principal_day<=100000/approve", "needs a person's approval"},
	} {
		t.Run(tc.limit, func(t *testing.T) {
			e := newPolicyEnv(t, "MCP_WRITE_LIMITS="+tc.limit)
			o := refundableUSD(t, nil, 120000)
			done := 0
			var last string
			for i := range 12 {
				args := map[string]any{"order_id": o.ID, "amount_minor": 10000, "currency": "USD", "reason": "goodwill", "reference": fmt.Sprintf("T-%d", 100+i)}
				res := mcptest.Call(t, e.cs, "orders_create_refund", args)
				if res.IsError {
					last = mcptest.Text(res)
					break
				}
				done++
			}
			if done != 10 || !strings.Contains(last, tc.want) || !strings.Contains(last, "refund USD 100.00 of order "+o.ID) {
				t.Fatalf("%d refunds went through; the next: %s", done, last)
			}
			if tc.want != "needs a person's approval" && !strings.Contains(last, "Do not split it into smaller writes") {
				t.Errorf("refusal does not tell the model not to split: %s", last)
			}
			if n := e.writes(o.ID, "refunds"); n != 10 {
				t.Errorf("%d refunds written, want 10", n)
			}
		})
	}
}

// MCP_APPROVAL_POLICY=orders_create_refund>10000 still gates a USD 300
// refund; the approved call refunds once.
func TestApprovalPolicyGatesA300Refund(t *testing.T) {
	e := newPolicyEnv(t, "MCP_APPROVAL_POLICY=orders_create_refund>10000")
	o := refundableUSD(t, nil, 40000)
	args := map[string]any{"order_id": o.ID, "amount_minor": 30000, "currency": "USD", "reason": "damaged"}
	id := pending(t, e.cs, "orders_create_refund", args)
	if n := e.orderWrites(); n != 0 {
		t.Fatalf("pending refund wrote %d times", n)
	}
	if _, err := e.deps.Approvals.Decide(context.Background(), id, true, "Dana Approver", ""); err != nil {
		t.Fatal(err)
	}
	out, _ := call[tools.CreateRefundOut](t, e.cs, "orders_create_refund", with(args, "approval_id", id))
	if out.Amount.Text != money.Format(30000, "USD") || e.writes(o.ID, "refunds") != 1 {
		t.Errorf("approved: %+v, %d writes", out, e.writes(o.ID, "refunds"))
	}
}

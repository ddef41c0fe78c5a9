package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/servers/orders/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/demo"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// policyEnv is a test of the write policy: the server the binary runs, with
// env, against a backend of its own (so its counters are this test's), and
// the gate a person decides approvals on.
type policyEnv struct {
	cs    *mcp.ClientSession
	deps  app.Deps[extra]
	mock  *mocks.Server
	audit *apptest.AuditBuffer
}

func newPolicyEnv(t *testing.T, env ...string) *policyEnv {
	t.Helper()
	return newPolicyEnvVia(t, nil, env...)
}

// newPolicyEnvVia is newPolicyEnv with the backend reached through wrap.
func newPolicyEnvVia(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper, env ...string) *policyEnv {
	t.Helper()
	spec, ms := apptest.OwnBackend(t, Spec, mocks.Options{}, demo.BaseHost+"/orders", wrap)
	buf := &apptest.AuditBuffer{}
	cs, _, deps := apptest.Server(t, spec, buf, []string{"--demo"}, env...)
	return &policyEnv{cs: cs, deps: deps, mock: ms, audit: buf}
}

// writes is the number of writes the backend committed on an order's route
// ("refunds" or "cancel").
func (e *policyEnv) writes(id, route string) int64 {
	return e.mock.Stats().Writes["POST /orders/orders/"+id+"/"+route]
}

// orderWrites is every write that reached the orders backend, committed or
// rejected.
func (e *policyEnv) orderWrites() int64 {
	d := e.mock.Stats().Domains["orders"]
	return d.Writes + d.RejectedWrites
}

func (e *policyEnv) order(t *testing.T, id string) tools.OrderOut {
	t.Helper()
	out, _ := call[tools.OrderOut](t, e.cs, "orders_get_order", map[string]any{"order_id": id})
	return out
}

var approvalIDRE = regexp.MustCompile(`apr_[0-9a-f]{20}`)

// pending calls a tool expecting the approval gate to stop it, and returns
// the approval id the error names.
func pending(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) string {
	t.Helper()
	msg := callErr(t, cs, tool, args)
	id := approvalIDRE.FindString(msg)
	if id == "" || !strings.Contains(msg, "needs a person's approval") || !strings.Contains(msg, "is pending") {
		t.Fatalf("%s %v: want a pending approval, got: %s", tool, args, msg)
	}
	return id
}

func with(args map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range args {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// refundableUSD picks a delivered USD order with at least min refundable
// and at most the default refund ceiling.
func refundableUSD(t *testing.T, skip []string, min int64) orders.Order {
	t.Helper()
	return sampleOrder(t, skip, func(o orders.Order) bool {
		return o.Status == orders.StatusDelivered && o.Currency == "USD" && o.RefundedTotal.AmountMinor == 0 &&
			o.Total.AmountMinor >= min && o.Total.AmountMinor <= 500000
	})
}

func TestRefundApproval(t *testing.T) {
	e := newPolicyEnv(t, "MCP_APPROVAL_POLICY=orders_create_refund>10000")
	ctx := context.Background()

	// Below the threshold: no approval needed.
	small := refundableUSD(t, nil, 20000)
	out, _ := call[tools.CreateRefundOut](t, e.cs, "orders_create_refund", map[string]any{"order_id": small.ID, "amount_minor": 10000, "currency": "USD", "reason": "damaged"})
	if out.Amount.AmountMinor != 10000 || e.writes(small.ID, "refunds") != 1 {
		t.Fatalf("below the threshold: %+v, %d writes", out, e.writes(small.ID, "refunds"))
	}

	// Above it: pending, with an id and exactly what will happen; nothing written.
	o := refundableUSD(t, []string{small.ID}, 30000)
	args := map[string]any{"order_id": o.ID, "amount_minor": 25000, "currency": "USD", "reason": "damaged", "note": "chair arrived broken"}
	before := e.orderWrites()
	id := pending(t, e.cs, "orders_create_refund", args)
	rec, err := e.deps.Approvals.Get(ctx, id)
	if err != nil || rec.Amount != 25000 || rec.Currency != "USD" || rec.Tool != "orders_create_refund" ||
		!strings.HasPrefix(rec.Summary, "refund USD 250.00 of order "+o.ID+" (reason: damaged)") || !strings.Contains(rec.Summary, "chair arrived broken") {
		t.Errorf("approval record: %+v %v", rec, err)
	}
	// Asking again does not create a second approval; passing the id before
	// a person decided does nothing either.
	if again := pending(t, e.cs, "orders_create_refund", args); again != id {
		t.Errorf("second request: %s, want %s", again, id)
	}
	if msg := callErr(t, e.cs, "orders_create_refund", with(args, "approval_id", id)); !strings.Contains(msg, "still pending") {
		t.Errorf("undecided approval: %s", msg)
	}
	if e.orderWrites() != before {
		t.Fatalf("a refund waiting for approval reached the backend")
	}

	if _, err := e.deps.Approvals.Decide(ctx, id, true, "Dana Approver", ""); err != nil {
		t.Fatal(err)
	}
	// The approval is sealed to these arguments: another amount, order,
	// reason or note is refused and writes nothing.
	other := refundableUSD(t, []string{small.ID, o.ID}, 30000)
	for _, altered := range []map[string]any{
		with(args, "amount_minor", 30000, "approval_id", id),
		with(args, "order_id", other.ID, "approval_id", id),
		with(args, "reason", "goodwill", "approval_id", id),
		with(args, "note", "refund everything", "approval_id", id),
	} {
		if msg := callErr(t, e.cs, "orders_create_refund", altered); !strings.Contains(msg, "granted for a different call") {
			t.Errorf("altered %v: %s", altered, msg)
		}
	}
	if e.orderWrites() != before {
		t.Fatalf("an altered call reached the backend")
	}

	// The approved call: refunded exactly once.
	res := mcptest.Call(t, e.cs, "orders_create_refund", with(args, "approval_id", id))
	var done tools.CreateRefundOut
	mcptest.Structured(t, res, &done)
	if res.IsError || done.Amount.AmountMinor != 25000 || e.writes(o.ID, "refunds") != 1 {
		t.Fatalf("approved: %s, %d writes", mcptest.Text(res), e.writes(o.ID, "refunds"))
	}
	// Its retry is replayed from the store; the backend is not called again.
	res = mcptest.Call(t, e.cs, "orders_create_refund", with(args, "approval_id", id))
	if res.IsError || res.Meta["bizmcp/replayed"] != true || e.writes(o.ID, "refunds") != 1 {
		t.Errorf("retry of the approved call: %v %s, %d writes", res.Meta, mcptest.Text(res), e.writes(o.ID, "refunds"))
	}
	// The approval is spent: a second refund of the same amount on purpose
	// needs its own approval.
	if msg := callErr(t, e.cs, "orders_create_refund", with(args, "reference", "CASE-2", "approval_id", id)); !strings.Contains(msg, "granted for a different call") {
		t.Errorf("approval reused for another refund: %s", msg)
	}
	if st, _ := e.deps.Approvals.Get(ctx, id); st == nil || st.State != "used" {
		t.Errorf("approval after use: %+v", st)
	}
	if got := e.order(t, o.ID); len(got.Refunds) != 1 || got.Refunded.AmountMinor != 25000 {
		t.Errorf("refunds on %s: %+v", o.ID, got.Refunds)
	}

	// A denied approval is refused, and nothing is refunded.
	d := refundableUSD(t, []string{small.ID, o.ID, other.ID}, 30000)
	dargs := map[string]any{"order_id": d.ID, "amount_minor": 20000, "currency": "USD", "reason": "goodwill"}
	did := pending(t, e.cs, "orders_create_refund", dargs)
	if _, err := e.deps.Approvals.Decide(ctx, did, false, "Dana Approver", "goodwill is capped at USD 50"); err != nil {
		t.Fatal(err)
	}
	if msg := callErr(t, e.cs, "orders_create_refund", with(dargs, "approval_id", did)); !strings.Contains(msg, "was denied by Dana Approver") || !strings.Contains(msg, "capped") {
		t.Errorf("denied: %s", msg)
	}
	if n := e.writes(d.ID, "refunds"); n != 0 {
		t.Errorf("denied refund written %d times", n)
	}
	for _, want := range []string{`"decision":"approval_pending"`, `"decision":"approval_not_granted"`} {
		if !strings.Contains(e.audit.String(), want) {
			t.Errorf("audit trail lacks %s", want)
		}
	}
}

// An approved refund whose every response is lost after the backend made
// it: the model's retry with the same approval_id is replayed by the
// backend (no money moves, so the spent approval does not block it), and
// the refund is made once.
func TestApprovedRefundLostResponseMadeOnce(t *testing.T) {
	drop := &dropOnce{}
	e := newPolicyEnvVia(t, func(rt http.RoundTripper) http.RoundTripper { drop.next = rt; return drop },
		"MCP_APPROVAL_POLICY=orders_create_refund>10000", "ORDERS_API_MAX_RETRIES=2")
	o := refundableUSD(t, nil, 30000)
	args := map[string]any{"order_id": o.ID, "amount_minor": 20000, "currency": "USD", "reason": "defective"}
	id := pending(t, e.cs, "orders_create_refund", args)
	if _, err := e.deps.Approvals.Decide(context.Background(), id, true, "Dana Approver", ""); err != nil {
		t.Fatal(err)
	}
	drop.left = 3
	if msg := callErr(t, e.cs, "orders_create_refund", with(args, "approval_id", id)); !strings.Contains(msg, "Retrying with the same arguments is safe") || drop.posts != 3 {
		t.Fatalf("lost: posts=%d %s", drop.posts, msg)
	}
	out, text := call[tools.CreateRefundOut](t, e.cs, "orders_create_refund", with(args, "approval_id", id))
	if !out.Replayed || out.Amount.AmountMinor != 20000 || e.writes(o.ID, "refunds") != 1 || len(e.order(t, o.ID).Refunds) != 1 {
		t.Errorf("model retry: %+v, %d writes\n%s", out, e.writes(o.ID, "refunds"), text)
	}
}

// "Everything still refundable" is approved as an amount: if the order
// changes in between, the approval no longer fits the call.
func TestRefundRemainderApprovalIsForThatAmount(t *testing.T) {
	e := newPolicyEnv(t, "MCP_APPROVAL_POLICY=orders_create_refund>10000")
	ctx := context.Background()
	o := refundableUSD(t, nil, 30000)
	args := map[string]any{"order_id": o.ID, "currency": "USD", "reason": "not_received"}
	id := pending(t, e.cs, "orders_create_refund", args)
	if rec, _ := e.deps.Approvals.Get(ctx, id); rec == nil || rec.Amount != o.Total.AmountMinor || !strings.Contains(rec.Summary, "everything still refundable") {
		t.Fatalf("approval record: %+v", rec)
	}
	if _, err := e.deps.Approvals.Decide(ctx, id, true, "Dana Approver", ""); err != nil {
		t.Fatal(err)
	}
	// A small refund (below the threshold) changes what "everything" is.
	call[tools.CreateRefundOut](t, e.cs, "orders_create_refund", map[string]any{"order_id": o.ID, "amount_minor": 500, "currency": "USD", "reason": "goodwill"})
	if msg := callErr(t, e.cs, "orders_create_refund", with(args, "approval_id", id)); !strings.Contains(msg, "granted for a different call") {
		t.Errorf("remainder changed: %s", msg)
	}
	if n := e.writes(o.ID, "refunds"); n != 1 {
		t.Errorf("%d refunds written, want only the small one", n)
	}
}

func TestCancelApproval(t *testing.T) {
	e := newPolicyEnv(t, "MCP_APPROVAL_POLICY=orders_cancel_order>0")
	ctx := context.Background()
	// A pending order moves no money: cancelled without approval.
	out, _ := call[tools.CancelOrderOut](t, e.cs, "orders_cancel_order", map[string]any{"order_id": orders.PendingOrderID, "reason": "customer_request"})
	if out.Status != "cancelled" || out.Refunded != nil || e.writes(orders.PendingOrderID, "cancel") != 1 {
		t.Fatalf("pending: %+v", out)
	}
	// A paid order refunds its payment: approval first, for that amount.
	paid := e.order(t, orders.PaidOrderID)
	args := map[string]any{"order_id": orders.PaidOrderID, "reason": "duplicate_order"}
	id := pending(t, e.cs, "orders_cancel_order", args)
	rec, _ := e.deps.Approvals.Get(ctx, id)
	if rec == nil || rec.Amount != paid.Total.AmountMinor || rec.Currency != paid.Total.Currency ||
		rec.Summary != "cancel paid order "+orders.PaidOrderID+" and refund its payment of "+paid.Total.Text+" to the original payment method (reason: duplicate_order)" {
		t.Errorf("approval record: %+v", rec)
	}
	if _, err := e.deps.Approvals.Decide(ctx, id, true, "Dana Approver", ""); err != nil {
		t.Fatal(err)
	}
	if msg := callErr(t, e.cs, "orders_cancel_order", with(args, "reason", "other", "approval_id", id)); !strings.Contains(msg, "granted for a different call") {
		t.Errorf("altered reason: %s", msg)
	}
	if msg := callErr(t, e.cs, "orders_cancel_order", with(args, "order_id", orders.PaidOrderID2, "approval_id", id)); !strings.Contains(msg, "granted for a different call") {
		t.Errorf("other order: %s", msg)
	}
	if n := e.writes(orders.PaidOrderID, "cancel") + e.writes(orders.PaidOrderID2, "cancel"); n != 0 {
		t.Fatalf("%d cancellations before the approved call", n)
	}
	done, text := call[tools.CancelOrderOut](t, e.cs, "orders_cancel_order", with(args, "approval_id", id))
	if done.Status != "cancelled" || done.Refunded == nil || done.Refunded.AmountMinor != paid.Total.AmountMinor || e.writes(orders.PaidOrderID, "cancel") != 1 {
		t.Fatalf("approved cancel: %+v %s", done, text)
	}
	// A denied one stays uncancelled.
	dargs := map[string]any{"order_id": orders.PaidOrderID2, "reason": "customer_request"}
	did := pending(t, e.cs, "orders_cancel_order", dargs)
	if _, err := e.deps.Approvals.Decide(ctx, did, false, "Dana Approver", ""); err != nil {
		t.Fatal(err)
	}
	if msg := callErr(t, e.cs, "orders_cancel_order", with(dargs, "approval_id", did)); !strings.Contains(msg, "was denied") {
		t.Errorf("denied: %s", msg)
	}
	if got := e.order(t, orders.PaidOrderID2); got.Status != "paid" || e.writes(orders.PaidOrderID2, "cancel") != 0 {
		t.Errorf("denied cancellation applied: %s", got.Status)
	}
}

// ORDERS_MAX_REFUND_MINOR: refunds, and paid-order cancellations, above the
// ceiling are refused by policy before any write, in the order's currency.
func TestRefundCeiling(t *testing.T) {
	e := newPolicyEnv(t, "ORDERS_MAX_REFUND_MINOR=100000", "MCP_APPROVAL_POLICY=orders_create_refund>10000,orders_cancel_order>10000")
	refused := func(tool string, args map[string]any, want ...string) {
		t.Helper()
		before := e.orderWrites()
		msg := callErr(t, e.cs, tool, args)
		for _, w := range append([]string{"refused by policy ORDERS_MAX_REFUND_MINOR", "back office", "Nothing was refunded"}, want...) {
			if !strings.Contains(msg, w) {
				t.Errorf("%s %v: %q lacks %q", tool, args, msg, w)
			}
		}
		if approvalIDRE.MatchString(msg) {
			t.Errorf("%s %v: above the ceiling must be refused, not put to approval: %s", tool, args, msg)
		}
		if e.orderWrites() != before {
			t.Errorf("%s %v: reached the backend's write endpoint", tool, args)
		}
	}
	big := sampleOrder(t, nil, func(o orders.Order) bool {
		return o.Status == orders.StatusDelivered && o.Currency == "USD" && o.RefundedTotal.AmountMinor == 0 && o.Total.AmountMinor > 150000
	})
	// An explicit amount: refused after the plan read the order (its
	// region and currency), before any write.
	reqs := e.mock.Stats().Requests
	refused("orders_create_refund", map[string]any{"order_id": big.ID, "amount_minor": 100001, "currency": "USD", "reason": "damaged"},
		"USD 1,000.01", "ceiling of USD 1,000.00")
	if n := e.mock.Stats().Requests - reqs; n != 1 {
		t.Errorf("an explicit amount above the ceiling made %d backend requests, want the plan's one read", n)
	}
	// Everything still refundable, when that is above the ceiling.
	refused("orders_create_refund", map[string]any{"order_id": big.ID, "currency": "USD", "reason": "not_received"}, "ceiling of USD 1,000.00")
	// The ceiling is in the order's currency.
	jp := sampleOrder(t, nil, func(o orders.Order) bool {
		return o.Currency == "JPY" && o.Status == orders.StatusDelivered && o.RefundedTotal.AmountMinor == 0 && o.Total.AmountMinor > 100000
	})
	refused("orders_create_refund", map[string]any{"order_id": jp.ID, "currency": "JPY", "reason": "damaged"}, "ceiling of JPY 100,000")
	// Cancelling a paid order whose payment is above the ceiling.
	bigPaid := sampleOrder(t, nil, func(o orders.Order) bool {
		return o.Status == orders.StatusPaid && o.RefundedTotal.AmountMinor == 0 && o.Total.AmountMinor > 100000
	})
	refused("orders_cancel_order", map[string]any{"order_id": bigPaid.ID, "reason": "customer_request"}, "cancel paid order "+bigPaid.ID)
	if got := e.order(t, bigPaid.ID); got.Status != "paid" {
		t.Errorf("%s: %s", bigPaid.ID, got.Status)
	}
	// The refusals are audited under the rule's name.
	if n := strings.Count(e.audit.String(), `"decision":"refused:ORDERS_MAX_REFUND_MINOR"`); n != 4 {
		t.Errorf("%d audit records refused:ORDERS_MAX_REFUND_MINOR, want 4\n%s", n, e.audit.String())
	}
	// The refund rules the server publishes state the ceiling.
	r, err := e.cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: "orders://policies/refunds"})
	if err != nil || !strings.Contains(r.Contents[0].Text, "ORDERS_MAX_REFUND_MINOR") || !strings.Contains(r.Contents[0].Text, "USD 1,000.00") {
		t.Errorf("refund policy resource: %v", err)
	}
	// At the ceiling: allowed (here through the approval gate, as the
	// policy says).
	id := pending(t, e.cs, "orders_create_refund", map[string]any{"order_id": big.ID, "amount_minor": 100000, "currency": "USD", "reason": "damaged"})
	if _, err := e.deps.Approvals.Decide(context.Background(), id, true, "Dana Approver", ""); err != nil {
		t.Fatal(err)
	}
	out, _ := call[tools.CreateRefundOut](t, e.cs, "orders_create_refund", map[string]any{"order_id": big.ID, "amount_minor": 100000, "currency": "USD", "reason": "damaged", "approval_id": id})
	if out.Amount.AmountMinor != 100000 || e.writes(big.ID, "refunds") != 1 {
		t.Errorf("at the ceiling: %+v", out)
	}
}

func TestRefundCeilingDefaultAndOff(t *testing.T) {
	big := sampleOrder(t, nil, func(o orders.Order) bool {
		return o.Status == orders.StatusDelivered && o.Currency == "USD" && o.RefundedTotal.AmountMinor == 0 && o.Total.AmountMinor > 500000
	})
	args := map[string]any{"order_id": big.ID, "currency": "USD", "reason": "not_received"}
	// Default: USD 5,000.00.
	e := newPolicyEnv(t)
	if msg := callErr(t, e.cs, "orders_create_refund", args); !strings.Contains(msg, "ORDERS_MAX_REFUND_MINOR") || !strings.Contains(msg, "USD 5,000.00") {
		t.Errorf("default ceiling: %s", msg)
	}
	// 0: no ceiling.
	e = newPolicyEnv(t, "ORDERS_MAX_REFUND_MINOR=0")
	out, _ := call[tools.CreateRefundOut](t, e.cs, "orders_create_refund", args)
	if out.Amount.AmountMinor != big.Total.AmountMinor || e.writes(big.ID, "refunds") != 1 {
		t.Errorf("no ceiling: %+v", out)
	}
	// Negative: the server does not start.
	_, err := config.Load[extra](config.Spec{Binary: Spec.Binary, Prefix: Spec.Prefix}, []string{"--demo"}, []string{"ORDERS_MAX_REFUND_MINOR=-1"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ORDERS_MAX_REFUND_MINOR must be >= 0") {
		t.Errorf("negative ceiling: %v", err)
	}
}

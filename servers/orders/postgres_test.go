package main

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/postgres/pgtest"
	"github.com/bizmcp/bizmcp/servers/orders/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/jackc/pgx/v5"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The orders end-to-end cases on the postgres backend: the exact server
// the binary runs, on a database of each test's own holding the reference
// schema and the --demo sample orders (ORDERS_TEST_DATABASE_URL; see
// test/pg/start.sh).

// pgSession is the server on the postgres backend at u.
func pgSession(t *testing.T, u string, env ...string) *mcp.ClientSession {
	t.Helper()
	return session(t, nil, append([]string{"ORDERS_BACKEND=postgres", "ORDERS_DATABASE_URL=" + u}, env...)...)
}

const refundRows = "SELECT count(*) FROM bizmcp_shop.refunds WHERE order_id = $1"

func TestPostgresDemoQuestionOneCall(t *testing.T) {
	cs := pgSession(t, pgtest.NewDB(t))
	out, text := call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": "ORD-48291"})
	if first, _, _ := strings.Cut(text, "\n"); first != demoAnswer {
		t.Errorf("first line %q", first)
	}
	if s := out.Shipment; s == nil || s.Carrier != "FedEx" || s.TrackingNumber != "7749281934" || s.EstimatedDelivery != "2026-02-26" {
		t.Errorf("%+v", s)
	}
	byID, text := call[tools.SearchOrdersOut](t, cs, "orders_search_orders", map[string]any{"customer_id": "C-1004"})
	if byID.Total < 5 || !strings.Contains(text, "FedEx 7749281934, ETA Thu Feb 26 2026") {
		t.Errorf("search: %s", text)
	}
	// Resources, prompts and completions on the same port; the completion
	// scan pages by key through all 229 orders.
	checkContext(t, cs)
	if c := mcptest.Complete(t, cs, orderRef, "id", "ORD-"); c.Total != len(orders.SampleOrders()) {
		t.Errorf("ORD-: %+v", c)
	}
}

// The 320-line order: bounded, and every line reachable through the cursor.
func TestPostgresLargeOrderBoundedAndPaged(t *testing.T) {
	cs := pgSession(t, pgtest.NewDB(t))
	out, text := call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": orders.LargeOrderID})
	if len(out.Items) != 5 || out.ItemsPage.Total != orders.LargeOrderLines || !strings.Contains(text, "and 315 more lines") {
		t.Fatalf("%d items, page %+v", len(out.Items), out.ItemsPage)
	}
	checkAllLines(t, cs, out)
}

// Search pages on postgres carry a keyset position, and page through every
// order once.
func TestPostgresSearchPages(t *testing.T) {
	u := pgtest.NewDB(t)
	cs := pgSession(t, u)
	seen := map[string]bool{}
	cursors := searchAll(t, cs, map[string]any{"limit": 50}, func(o tools.OrderSummaryOut) {
		if seen[o.ID] {
			t.Fatalf("%s twice", o.ID)
		}
		seen[o.ID] = true
	})
	for _, c := range cursors {
		if !strings.Contains(c, ".") {
			t.Errorf("cursor without a keyset position: %q", c)
		}
	}
	if want := pgtest.Count(t, u, "SELECT count(*) FROM bizmcp_shop.orders"); len(seen) != want {
		t.Errorf("%d of %d orders", len(seen), want)
	}
}

// A refund whose answer is lost after the commit is made once: the
// adapter's retry is replayed; when every answer is lost the tool says a
// retry is safe, and the model's retry is replayed. An over-refund is
// refused before the database is asked.
func TestPostgresRefundOnceAndOverRefund(t *testing.T) {
	u := pgtest.NewDB(t)
	px, via := pgtest.NewProxy(t, u)
	cs := pgSession(t, via, "ORDERS_DATABASE_MAX_RETRIES=2")
	id := orders.PartiallyRefundedOrderID
	before := pgtest.Count(t, u, refundRows, id)

	px.LoseAnswers("bizmcp.refund(", 1)
	out, _ := call[tools.CreateRefundOut](t, cs, "orders_create_refund", map[string]any{"order_id": id, "amount_minor": 2500, "currency": "USD", "reason": "damaged"})
	if !out.Replayed || px.Lost != 1 {
		t.Errorf("adapter retry: %+v lost=%d", out, px.Lost)
	}
	px.LoseAnswers("bizmcp.refund(", 3)
	args := map[string]any{"order_id": id, "amount_minor": 1000, "currency": "USD", "reason": "late_delivery"}
	if msg := callErr(t, cs, "orders_create_refund", args); !strings.Contains(msg, "Retrying with the same arguments is safe") {
		t.Fatalf("lost: %s", msg)
	}
	out, _ = call[tools.CreateRefundOut](t, cs, "orders_create_refund", args)
	if !out.Replayed || out.Amount.AmountMinor != 1000 {
		t.Fatalf("model retry: %+v", out)
	}
	if n := pgtest.Count(t, u, refundRows, id); n != before+2 {
		t.Fatalf("%d refund rows, want %d", n, before+2)
	}
	o, _ := call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": id})
	if o.Refunded.AmountMinor != 12000+2500+1000 {
		t.Errorf("refunded %+v", o.Refunded)
	}
	msg := callErr(t, cs, "orders_create_refund", map[string]any{"order_id": id, "amount_minor": o.Refundable.AmountMinor + 1, "currency": "USD", "reason": "goodwill"})
	if !strings.Contains(msg, "at most "+o.Refundable.Text+" can still be refunded") || pgtest.Count(t, u, refundRows, id) != before+2 {
		t.Errorf("over-refund: %s", msg)
	}
	// Cancel once; a cancelled order is not refunded again.
	res := mcptest.Call(t, cs, "orders_cancel_order", map[string]any{"order_id": orders.PaidOrderID, "reason": "duplicate_order"})
	var c tools.CancelOrderOut
	mcptest.Structured(t, res, &c)
	// The retry is answered by the idempotency store or replayed by the
	// database: either way one cancellation and one refund.
	again := mcptest.Call(t, cs, "orders_cancel_order", map[string]any{"order_id": orders.PaidOrderID, "reason": "duplicate_order"})
	if res.IsError || again.IsError || !strings.Contains(mcptest.Text(res), "refunded to the original payment method") || pgtest.Count(t, u, refundRows, orders.PaidOrderID) != 1 {
		t.Errorf("cancel: %s / %s", mcptest.Text(res), mcptest.Text(again))
	}
	if msg := callErr(t, cs, "orders_create_refund", map[string]any{"order_id": orders.PaidOrderID, "currency": c.Refunded.Currency, "reason": "goodwill"}); !strings.Contains(msg, "cancelled") {
		t.Errorf("refund after cancel: %s", msg)
	}
}

// A region-limited token sees only its region's orders; others answer as
// missing, and nothing of them leaves the database.
func TestPostgresRegionScoping(t *testing.T) {
	u := pgtest.NewDB(t)
	is, ts := apptest.AuthHTTP(t, Spec, nil, resource, nil, "ORDERS_BACKEND=postgres", "ORDERS_DATABASE_URL="+u)
	before := pgtest.Count(t, u, "SELECT count(*) FROM bizmcp_shop.refunds")
	seen := checkRegionalScoping(t, is, ts)
	if want := pgtest.Count(t, u, "SELECT count(*) FROM bizmcp_shop.orders WHERE region = 'emea'"); seen != want || seen == 0 {
		t.Errorf("saw %d emea orders of %d", seen, want)
	}
	if pgtest.Count(t, u, "SELECT count(*) FROM bizmcp_shop.refunds") != before {
		t.Error("an out-of-region write reached the database")
	}
}

// A refund above the approval threshold waits for a person; nothing is
// written until it is approved, then it is written once.
func TestPostgresRefundApproval(t *testing.T) {
	u := pgtest.NewDB(t)
	cs, _, deps := apptest.Server(t, Spec, nil, nil, "ORDERS_BACKEND=postgres", "ORDERS_DATABASE_URL="+u, "MCP_APPROVAL_POLICY=orders_create_refund>10000")
	o := refundableUSD(t, nil, 30000)
	args := map[string]any{"order_id": o.ID, "amount_minor": 25000, "currency": "USD", "reason": "damaged"}
	id := pending(t, cs, "orders_create_refund", args)
	if n := pgtest.Count(t, u, refundRows, o.ID); n != 0 {
		t.Fatalf("%d refunds before approval", n)
	}
	if _, err := deps.Approvals.Decide(context.Background(), id, true, "Dana Approver", ""); err != nil {
		t.Fatal(err)
	}
	out, _ := call[tools.CreateRefundOut](t, cs, "orders_create_refund", with(args, "approval_id", id))
	if out.Amount.AmountMinor != 25000 || pgtest.Count(t, u, refundRows, o.ID) != 1 {
		t.Fatalf("approved: %+v", out)
	}
	if res := mcptest.Call(t, cs, "orders_create_refund", with(args, "approval_id", id)); res.IsError || pgtest.Count(t, u, refundRows, o.ID) != 1 {
		t.Errorf("retry: %s", mcptest.Text(res))
	}
}

// Database faults end as tool errors the model can act on, within the
// call's deadline.
func TestPostgresFaults(t *testing.T) {
	u := pgtest.NewDB(t)
	pgtest.Exec(t, u,
		"CREATE FUNCTION public.slow() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN true; END $$",
		"CREATE VIEW bizmcp.orders_slow AS SELECT * FROM bizmcp.orders WHERE (SELECT public.slow())")
	// A slow query past the call's deadline.
	cs := pgSession(t, u, "MCP_CALL_TIMEOUT=1s")
	pgtest.Exec(t, u, "ALTER VIEW bizmcp.orders RENAME TO orders_fast", "ALTER VIEW bizmcp.orders_slow RENAME TO orders")
	start := time.Now()
	if msg := callErr(t, cs, "orders_get_order", map[string]any{"order_id": "ORD-48291"}); !strings.Contains(msg, "deadline") || time.Since(start) > 4*time.Second {
		t.Errorf("slow: %s after %s", msg, time.Since(start))
	}
	pgtest.Exec(t, u, "ALTER VIEW bizmcp.orders RENAME TO orders_slow", "ALTER VIEW bizmcp.orders_fast RENAME TO orders")
	if res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": "ORD-48291"}); res.IsError {
		t.Errorf("after the slow query: %s", mcptest.Text(res))
	}
	// Database down.
	down := pgSession(t, "postgres://u:p@"+closedAddr(t)+"/db?sslmode=disable", "ORDERS_DATABASE_MAX_RETRIES=1")
	if msg := callErr(t, down, "orders_get_order", map[string]any{"order_id": "ORD-48291"}); !strings.Contains(msg, "cannot be reached") {
		t.Errorf("down: %s", msg)
	}
	// Another transaction holds the order past the lock timeout.
	lock := pgSession(t, u, "ORDERS_DATABASE_LOCK_TIMEOUT=200ms")
	holdLock(t, u, orders.PartiallyRefundedOrderID)
	msg := callErr(t, lock, "orders_create_refund", map[string]any{"order_id": orders.PartiallyRefundedOrderID, "amount_minor": 100, "currency": "USD", "reason": "goodwill"})
	// (mcpkit.ToolError words every timeout the same way; the adapter's
	// message, "locked by another transaction", is in the log.)
	if !strings.Contains(msg, "did not answer") || !strings.Contains(msg, "Retrying with the same arguments is safe") || pgtest.Count(t, u, refundRows, orders.PartiallyRefundedOrderID) != 1 {
		t.Errorf("lock: %s", msg)
	}
}

func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// holdLock locks an order row in a transaction left open until the test
// ends.
func holdLock(t *testing.T, u, id string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(ctx) })
	if _, err := tx.Exec(ctx, "SELECT 1 FROM bizmcp_shop.orders WHERE id = $1 FOR UPDATE", id); err != nil {
		t.Fatal(err)
	}
}

// The check, as a user runs it: migrate and seed-demo on an empty
// database, then the server on the postgres backend over stdio and HTTP.
func TestE2EPostgresMigrateSeedServe(t *testing.T) {
	server, _ := e2e.Binaries(t, "orders")
	u := pgtest.EmptyDB(t)
	for _, sub := range []string{"migrate", "seed-demo"} {
		cmd := exec.Command(server, sub)
		cmd.Env = []string{"ORDERS_DATABASE_URL=" + u}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", sub, err, out)
		}
	}
	cs := e2e.ConnectStdio(t, server, []string{"--backend", "postgres"}, "ORDERS_DATABASE_URL="+u)
	res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": "ORD-48291"})
	if res.IsError || !strings.HasPrefix(mcptest.Text(res), demoAnswer) {
		t.Fatalf("%s", mcptest.Text(res))
	}
	args := map[string]any{"order_id": orders.PartiallyRefundedOrderID, "amount_minor": 700, "currency": "USD", "reason": "damaged"}
	before := pgtest.Count(t, u, refundRows, orders.PartiallyRefundedOrderID)
	for range 2 {
		if res := mcptest.Call(t, cs, "orders_create_refund", args); res.IsError {
			t.Fatalf("%s", mcptest.Text(res))
		}
	}
	if n := pgtest.Count(t, u, refundRows, orders.PartiallyRefundedOrderID); n != before+1 {
		t.Errorf("the same refund twice left %d new rows", n-before)
	}
	s := e2e.StartHTTP(t, server, "ORDERS_BACKEND=postgres", "ORDERS_DATABASE_URL="+u)
	e2e.CheckProbes(t, "http://"+s.Addr)
}

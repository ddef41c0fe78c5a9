package postgres_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	mockorders "github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/postgres"
	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/postgres/pgtest"
	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/reference"
	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/demo"
	"github.com/bizmcp/bizmcp/shared/port"
	"net/http"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// open returns the adapter on the database at u with c's settings (zero
// fields take the defaults).
func open(t *testing.T, u string, set ...string) *postgres.Adapter {
	t.Helper()
	env := map[string]string{"ORDERS_DATABASE_URL": u}
	for _, kv := range set {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	c, err := postgres.LoadConfig("orders-mcp", env)
	if err != nil {
		t.Fatal(err)
	}
	a, err := postgres.Open(c, "orders-mcp", quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// referenceAdapter is the reference adapter over the in-process mock with
// the same sample data.
func referenceAdapter(t *testing.T) orders.Backend {
	rt, base := demo.Backend(mockorders.NewDomain())
	b, err := reference.Open(base, &http.Client{Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func kind(err error) port.Kind {
	if pe, ok := port.AsError(err); ok {
		return pe.Kind
	}
	return "not a port.Error"
}

// Every sample order reads the same through the SQL contract as through
// the reference API: the seed, the views and the adapter agree.
func TestSameAsReference(t *testing.T) {
	pg := open(t, pgtest.NewDB(t))
	ref := referenceAdapter(t)
	c := ctx(t)
	n := 0
	for _, s := range mockorders.SampleOrders() {
		want, err := ref.GetOrder(c, s.ID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pg.GetOrder(c, s.ID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s differs:\n got %+v\nwant %+v", s.ID, *got, *want)
			if n++; n > 3 {
				t.FailNow()
			}
		}
	}
	for _, q := range []orders.Query{
		{Limit: 50}, {Limit: 7, Offset: 14}, {CustomerID: "C-1004", Limit: 20}, {Region: "emea", Status: "delivered", Limit: 50},
		{CustomerEmail: "SANTIAGO.SANCHEZ@costa-consultores.example", Limit: 10},
		{PlacedFrom: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), PlacedTo: time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC), Limit: 50},
	} {
		want, err := ref.SearchOrders(c, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pg.SearchOrders(c, q)
		if err != nil {
			t.Fatal(err)
		}
		got.Next = ""
		if !reflect.DeepEqual(got, want) {
			t.Errorf("search %+v: got %d of %d, want %d of %d", q, len(got.Orders), got.Total, len(want.Orders), want.Total)
		}
	}
}

func TestGetOrderAndItems(t *testing.T) {
	pg := open(t, pgtest.NewDB(t))
	c := ctx(t)
	o, err := pg.GetOrder(c, "ORD-48291", 5)
	if err != nil || o.Shipping.Carrier != "fedex" || o.Shipping.TrackingNumber != "7749281934" || !strings.HasPrefix(o.Shipping.EstimatedDelivery, "2026-02-26") {
		t.Fatalf("%+v %v", o, err)
	}
	big, err := pg.GetOrder(c, mockorders.LargeOrderID, 5)
	if err != nil || len(big.LineItems) != 5 || big.ItemCount != mockorders.LargeOrderLines {
		t.Fatalf("large: %d lines of %d, %v", len(big.LineItems), big.ItemCount, err)
	}
	seen := map[string]bool{}
	for off := 0; off < 400; off += 100 {
		p, err := pg.ListItems(c, mockorders.LargeOrderID, orders.ItemQuery{Limit: 100, Offset: off})
		if err != nil || p.Total != mockorders.LargeOrderLines {
			t.Fatalf("page %d: %+v %v", off, p, err)
		}
		for _, it := range p.Items {
			seen[it.ID] = true
		}
	}
	if len(seen) != mockorders.LargeOrderLines {
		t.Errorf("%d distinct lines", len(seen))
	}
	// The filter is a parameter, not a pattern: % and _ match themselves.
	if p, err := pg.ListItems(c, mockorders.LargeOrderID, orders.ItemQuery{Text: "store #07", Limit: 5}); err != nil || p.Total != 20 || len(p.Items) != 5 {
		t.Errorf("filtered: %+v %v", p, err)
	}
	if p, err := pg.ListItems(c, mockorders.LargeOrderID, orders.ItemQuery{Text: "%", Limit: 5}); err != nil || p.Total != 0 {
		t.Errorf("%%: %+v %v", p, err)
	}
	if _, err := pg.GetOrder(c, "ORD-1", 5); kind(err) != port.KindNotFound {
		t.Errorf("missing: %v", err)
	}
	if _, err := pg.ListItems(c, "ORD-1", orders.ItemQuery{Limit: 5}); kind(err) != port.KindNotFound {
		t.Errorf("missing items: %v", err)
	}
	// Hostile text is data.
	if _, err := pg.GetOrder(c, "ORD-1'; DROP TABLE bizmcp_shop.orders; --", 5); kind(err) != port.KindNotFound {
		t.Errorf("injection: %v", err)
	}
}

// Keyset pages (After) give the same orders as offset pages, and the
// region filter holds on every page.
func TestSearchKeysetAndRegion(t *testing.T) {
	pg := open(t, pgtest.NewDB(t))
	c := ctx(t)
	var keyset, offset []string
	after := ""
	for off := 0; ; off += 9 {
		p, err := pg.SearchOrders(c, orders.Query{Region: "apac", Limit: 9, Offset: off, After: after})
		if err != nil {
			t.Fatal(err)
		}
		q, err := pg.SearchOrders(c, orders.Query{Region: "apac", Limit: 9, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for i := range p.Orders {
			if p.Orders[i].Region != "apac" {
				t.Fatalf("%s in %s", p.Orders[i].ID, p.Orders[i].Region)
			}
			keyset = append(keyset, p.Orders[i].ID)
		}
		for i := range q.Orders {
			offset = append(offset, q.Orders[i].ID)
		}
		if len(p.Orders) < 9 {
			break
		}
		after = p.Next
	}
	if len(keyset) == 0 || !reflect.DeepEqual(keyset, offset) {
		t.Errorf("keyset %v\noffset %v", keyset, offset)
	}
	if _, err := pg.SearchOrders(c, orders.Query{Limit: 5, After: "!!"}); kind(err) != port.KindBadRequest {
		t.Errorf("bad position: %v", err)
	}
}

const refunds = "SELECT count(*) FROM bizmcp_shop.refunds WHERE order_id = $1"

// Eight concurrent refunds with different keys never exceed the remainder;
// the same key sent eight times at once refunds once.
func TestConcurrentRefunds(t *testing.T) {
	u := pgtest.NewDB(t)
	pg := open(t, u, "ORDERS_DATABASE_MAX_CONNS=10")
	c := ctx(t)
	o, err := pg.GetOrder(c, mockorders.PartiallyRefundedOrderID, 0)
	if err != nil {
		t.Fatal(err)
	}
	left := o.RefundableRemaining.AmountMinor
	each := left / 5 // five fit, three must be refused
	before := pgtest.Count(t, u, refunds, o.ID)
	var mu sync.Mutex
	ok, conflicts := 0, 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, _, err := pg.Refund(c, o.ID, orders.RefundRequest{AmountMinor: each, Currency: o.Currency, Reason: "goodwill"}, fmt.Sprintf("k-%d", i))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case kind(err) == port.KindConflict:
				conflicts++
				if pe, _ := port.AsError(err); !strings.HasSuffix(pe.Remaining, "refundable") {
					t.Errorf("conflict without the remainder: %+v", pe)
				}
			default:
				t.Errorf("refund: %v", err)
			}
		})
	}
	wg.Wait()
	after, _ := pg.GetOrder(c, o.ID, 0)
	if ok != 5 || conflicts != 3 || after.RefundableRemaining.AmountMinor != left-5*each || pgtest.Count(t, u, refunds, o.ID) != before+5 {
		t.Fatalf("ok %d conflicts %d remaining %d (was %d)", ok, conflicts, after.RefundableRemaining.AmountMinor, left)
	}

	// One key, eight attempts at once: one refund, seven replays.
	d := deliveredUSD(t)
	replays := 0
	var ids sync.Map
	for range 8 {
		wg.Go(func() {
			res, w, err := pg.Refund(c, d, orders.RefundRequest{AmountMinor: 100, Currency: "USD", Reason: "damaged"}, "same-key")
			if err != nil {
				t.Errorf("same key: %v", err)
				return
			}
			ids.Store(res.Refund.ID, true)
			if w.Replayed {
				mu.Lock()
				replays++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	n := 0
	ids.Range(func(any, any) bool { n++; return true })
	if replays != 7 || n != 1 || pgtest.Count(t, u, refunds, d) != 1 {
		t.Errorf("replays %d ids %d rows %d", replays, n, pgtest.Count(t, u, refunds, d))
	}
	// The same key with another request is refused, not replayed.
	if _, _, err := pg.Refund(c, d, orders.RefundRequest{AmountMinor: 200, Currency: "USD", Reason: "damaged"}, "same-key"); kind(err) != port.KindConflict {
		t.Errorf("key reuse: %v", err)
	}
}

// deliveredUSD is a delivered USD order without refunds.
func deliveredUSD(t *testing.T) string {
	for _, o := range mockorders.SampleOrders() {
		if o.Status == mockorders.StatusDelivered && o.Currency == "USD" && len(o.Refunds) == 0 {
			return o.ID
		}
	}
	t.Fatal("no delivered USD order")
	return ""
}

func TestRefundRules(t *testing.T) {
	u := pgtest.NewDB(t)
	pg := open(t, u)
	c := ctx(t)
	d := deliveredUSD(t)
	res, w, err := pg.Refund(c, d, orders.RefundRequest{Currency: "USD", Reason: "not_received", Note: "all of it"}, "full")
	if err != nil || w.Replayed || res.Order.Status != "refunded" || res.Order.RefundableRemaining.AmountMinor != 0 || res.Refund.IdempotencyKey != "full" {
		t.Fatalf("%+v %+v %v", res, w, err)
	}
	// The retry of "everything left" is replayed although nothing is left.
	again, w, err := pg.Refund(c, d, orders.RefundRequest{Currency: "USD", Reason: "not_received", Note: "all of it"}, "full")
	if err != nil || !w.Replayed || again.Refund.ID != res.Refund.ID || again.Refund.Amount != res.Refund.Amount {
		t.Fatalf("replay: %+v %+v %v", again, w, err)
	}
	if _, _, err := pg.Refund(c, d, orders.RefundRequest{AmountMinor: 1, Currency: "USD", Reason: "goodwill"}, "more"); kind(err) != port.KindConflict {
		t.Errorf("nothing left: %v", err)
	}
	e, _ := port.AsError(func() error {
		_, _, err := pg.Refund(c, mockorders.PartiallyRefundedOrderID, orders.RefundRequest{AmountMinor: 1, Currency: "EUR", Reason: "goodwill"}, "eur")
		return err
	}())
	if e == nil || e.Kind != port.KindBadRequest || e.Field != "currency" {
		t.Errorf("currency: %+v", e)
	}
	if _, _, err := pg.Refund(c, mockorders.PendingOrderID, orders.RefundRequest{AmountMinor: 1, Currency: "USD", Reason: "goodwill"}, "pending"); kind(err) != port.KindConflict {
		t.Errorf("pending: %v", err)
	}
	if _, _, err := pg.Refund(c, "ORD-1", orders.RefundRequest{AmountMinor: 1, Currency: "USD", Reason: "goodwill"}, "nf"); kind(err) != port.KindNotFound {
		t.Errorf("missing: %v", err)
	}
}

// A cancelled paid order is refunded by the cancellation, once, and cannot
// be refunded again.
func TestCancelOnceThenNoRefund(t *testing.T) {
	u := pgtest.NewDB(t)
	pg := open(t, u)
	c := ctx(t)
	id := mockorders.PaidOrderID
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := 0
	for range 4 {
		wg.Go(func() {
			o, w, err := pg.CancelOrder(c, id, orders.CancelRequest{Reason: "duplicate_order"}, "cancel-1")
			if err != nil || o.Status != "cancelled" || o.Cancellation == nil || o.Cancellation.IdempotencyKey != "cancel-1" {
				t.Errorf("%+v %v", o, err)
				return
			}
			if !w.Replayed {
				mu.Lock()
				fresh++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if fresh != 1 || pgtest.Count(t, u, refunds, id) != 1 {
		t.Fatalf("fresh %d refunds %d", fresh, pgtest.Count(t, u, refunds, id))
	}
	o, _ := pg.GetOrder(c, id, 0)
	if o.RefundableRemaining.AmountMinor != 0 || o.RefundedTotal != o.Total || o.Refunds[0].Reason != "order_cancelled" {
		t.Errorf("%+v", o.Summary)
	}
	for i := range 8 {
		wg.Go(func() {
			if _, _, err := pg.Refund(c, id, orders.RefundRequest{Currency: o.Currency, Reason: "goodwill"}, fmt.Sprint("r", i)); kind(err) != port.KindConflict {
				t.Errorf("refund of a cancelled order: %v", err)
			}
		})
	}
	wg.Wait()
	if _, _, err := pg.CancelOrder(c, id, orders.CancelRequest{Reason: "other"}, "cancel-2"); kind(err) != port.KindConflict {
		t.Errorf("second cancel: %v", err)
	}
	if n := pgtest.Count(t, u, refunds, id); n != 1 {
		t.Errorf("%d refunds", n)
	}
	if _, _, err := pg.CancelOrder(c, "ORD-48291", orders.CancelRequest{Reason: "other"}, "cancel-3"); kind(err) != port.KindConflict {
		t.Errorf("shipped: %v", err)
	}
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestFaultDatabaseDown(t *testing.T) {
	u := strings.Replace(pgtest.AdminURL(t), "@127.0.0.1:", "@"+freePort(t)+"#", 1)
	u = u[:strings.Index(u, "#")] + u[strings.Index(u, "/postgres"):]
	pg := open(t, u, "ORDERS_DATABASE_MAX_RETRIES=1")
	c := ctx(t)
	if err := pg.Ping(c); kind(err) != port.KindUnreachable {
		t.Errorf("ping: %v", err)
	}
	if _, err := pg.GetOrder(c, "ORD-48291", 5); kind(err) != port.KindUnreachable {
		t.Errorf("get: %v", err)
	}
}

// slowViews makes reading bizmcp.orders take seconds.
func slowViews(t *testing.T, u string) {
	pgtest.Exec(t, u,
		"CREATE FUNCTION public.slow() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN true; END $$",
		"ALTER VIEW bizmcp.orders RENAME TO orders_real",
		"CREATE VIEW bizmcp.orders AS SELECT * FROM bizmcp.orders_real WHERE (SELECT public.slow())")
}

func TestFaultSlowQuery(t *testing.T) {
	u := pgtest.NewDB(t)
	slowViews(t, u)
	// The call's deadline cancels the query.
	pg := open(t, u)
	c, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := pg.GetOrder(c, "ORD-48291", 5)
	if kind(err) != port.KindTimeout || time.Since(start) > 3*time.Second {
		t.Errorf("deadline: %v after %s", err, time.Since(start))
	}
	// The statement timeout ends it without a deadline.
	pg = open(t, u, "ORDERS_DATABASE_STATEMENT_TIMEOUT=200ms")
	_, err = pg.GetOrder(ctx(t), "ORD-48291", 5)
	if e, _ := port.AsError(err); e == nil || e.Kind != port.KindTimeout || !strings.Contains(e.Message, "STATEMENT_TIMEOUT") {
		t.Errorf("statement timeout: %v", err)
	}
	// No connection is left busy.
	pgtest.Exec(t, u, "DROP VIEW bizmcp.orders", "ALTER VIEW bizmcp.orders_real RENAME TO orders")
	if _, err := pg.GetOrder(ctx(t), "ORD-48291", 5); err != nil {
		t.Errorf("after: %v", err)
	}
}

func TestFaultLockTimeout(t *testing.T) {
	u := pgtest.NewDB(t)
	pg := open(t, u, "ORDERS_DATABASE_LOCK_TIMEOUT=200ms")
	c := ctx(t)
	conn, err := pg.Pool().Acquire(c) // another transaction holds the order
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(c, "SET LOCAL lock_timeout = 0; SELECT 1 FROM bizmcp_shop.orders WHERE id = 'ORD-49005' FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	_, _, err = pg.Refund(c, "ORD-49005", orders.RefundRequest{AmountMinor: 100, Currency: "USD", Reason: "goodwill"}, "locked")
	if e, _ := port.AsError(err); e == nil || e.Kind != port.KindTimeout || !strings.Contains(e.Message, "locked by another transaction") {
		t.Errorf("lock: %v", err)
	}
	tx.Rollback(c)
	conn.Release()
	if _, _, err := pg.Refund(c, "ORD-49005", orders.RefundRequest{AmountMinor: 100, Currency: "USD", Reason: "goodwill"}, "locked"); err != nil {
		t.Errorf("after the lock: %v", err)
	}
}

// Serialization failures are retried (bounded); past the retries the call
// ends as unavailable.
func TestFaultSerializationRetried(t *testing.T) {
	u := pgtest.NewDB(t)
	pgtest.Exec(t, u,
		"CREATE SEQUENCE public.flaky",
		"ALTER FUNCTION bizmcp.refund(text, bigint, text, text, text, text) RENAME TO refund_real",
		`CREATE FUNCTION bizmcp.refund(p_order_id text, p_amount_minor bigint, p_currency text, p_reason text, p_note text, p_idempotency_key text)
		 RETURNS TABLE (refund_id text, replayed boolean) LANGUAGE plpgsql AS $$
		 BEGIN
		   IF nextval('public.flaky') % 10 < (SELECT coalesce(max(n), 0) FROM public.fail_first) THEN
		     RAISE EXCEPTION 'could not serialize access due to concurrent update' USING ERRCODE = '40001';
		   END IF;
		   RETURN QUERY SELECT * FROM bizmcp.refund_real(p_order_id, p_amount_minor, p_currency, p_reason, p_note, p_idempotency_key);
		 END $$`,
		"CREATE TABLE public.fail_first (n int)",
		"INSERT INTO public.fail_first VALUES (3)",
		"SELECT setval('public.flaky', 10, false)") // next value 10: 10%10=0 < 3 fails, 11, 12 fail, 13 passes
	pg := open(t, u, "ORDERS_DATABASE_MAX_RETRIES=3")
	c := ctx(t)
	res, _, err := pg.Refund(c, "ORD-49005", orders.RefundRequest{AmountMinor: 100, Currency: "USD", Reason: "goodwill"}, "ser-1")
	if err != nil || res.Refund.Amount.AmountMinor != 100 {
		t.Fatalf("retried: %+v %v", res, err)
	}
	pg = open(t, u, "ORDERS_DATABASE_MAX_RETRIES=2")
	pgtest.Exec(t, u, "SELECT setval('public.flaky', 20, false)")
	_, _, err = pg.Refund(c, "ORD-49005", orders.RefundRequest{AmountMinor: 100, Currency: "USD", Reason: "goodwill"}, "ser-2")
	if e, _ := port.AsError(err); e == nil || e.Kind != port.KindUnavailable || !strings.Contains(e.Message, "after 2 retries") {
		t.Errorf("past the retries: %v", err)
	}
	if n := pgtest.Count(t, u, refunds, "ORD-49005"); n != 2 {
		t.Errorf("%d refunds", n)
	}
}

// The documented roles: bizmcp_orders_read reads the views and nothing
// else; bizmcp_orders_write may only execute the two functions.
func TestLeastPrivilegeRoles(t *testing.T) {
	u := pgtest.NewDB(t)
	db := u[strings.LastIndex(u, "/")+1 : strings.Index(u, "?")]
	pgtest.Exec(t, u,
		"DROP ROLE IF EXISTS "+db+"_app", "DROP ROLE IF EXISTS "+db+"_ro",
		"CREATE ROLE "+db+"_app LOGIN PASSWORD 'app-pw' IN ROLE bizmcp_orders_read, bizmcp_orders_write",
		"CREATE ROLE "+db+"_ro LOGIN PASSWORD 'ro-pw' IN ROLE bizmcp_orders_read")
	t.Cleanup(func() {
		pgtest.Exec(t, pgtest.AdminURL(t), "DROP ROLE IF EXISTS "+db+"_app", "DROP ROLE IF EXISTS "+db+"_ro")
	})
	app := pgtest.WithUser(t, u, db+"_app", "app-pw")
	pg := open(t, app)
	c := ctx(t)
	if err := pg.Ping(c); err != nil {
		t.Fatal(err)
	}
	if _, _, err := pg.Refund(c, "ORD-49005", orders.RefundRequest{AmountMinor: 100, Currency: "USD", Reason: "goodwill"}, "app"); err != nil {
		t.Fatalf("app refund: %v", err)
	}
	for _, sql := range []string{
		"SELECT count(*) FROM bizmcp_shop.orders",
		"UPDATE bizmcp_shop.orders SET status = 'refunded'",
		"DELETE FROM bizmcp_shop.refunds",
	} {
		if _, err := pg.Pool().Exec(c, sql); err == nil || !strings.Contains(err.Error(), "42501") {
			t.Errorf("app role ran %q: %v", sql, err)
		}
	}
	ro := open(t, pgtest.WithUser(t, u, db+"_ro", "ro-pw"))
	if _, err := ro.GetOrder(c, "ORD-48291", 5); err != nil {
		t.Errorf("read role: %v", err)
	}
	_, _, err := ro.Refund(c, "ORD-49005", orders.RefundRequest{AmountMinor: 100, Currency: "USD", Reason: "goodwill"}, "ro")
	if e, _ := port.AsError(err); e == nil || e.Kind != port.KindForbidden || e.Setting != "ORDERS_DATABASE_URL" {
		t.Errorf("read role refunded: %v", err)
	}
	bad := open(t, pgtest.WithUser(t, u, db+"_app", "wrong"))
	if err := bad.Ping(c); kind(err) != port.KindUnauthorized {
		t.Errorf("wrong password: %v", err)
	}
}

// A database without the contract is a deployment problem naming the fix.
func TestMissingContract(t *testing.T) {
	pg := open(t, pgtest.EmptyDB(t))
	_, err := pg.GetOrder(ctx(t), "ORD-48291", 5)
	if e, _ := port.AsError(err); e == nil || e.Kind != port.KindMisconfigured || !strings.Contains(e.Message, "orders-mcp migrate") {
		t.Errorf("%v", err)
	}
}

func TestMigrateUpDown(t *testing.T) {
	u := pgtest.EmptyDB(t)
	from, to, err := postgres.Migrate(ctx(t), u, 0)
	if err != nil || from != 0 || to != 4 {
		t.Fatalf("%d %d %v", from, to, err)
	}
	if _, to, err = postgres.Migrate(ctx(t), u, -4); err != nil || to != 0 {
		t.Fatalf("down: %d %v", to, err)
	}
	if _, to, err = postgres.Migrate(ctx(t), u, 0); err != nil || to != 4 {
		t.Fatalf("up again: %d %v", to, err)
	}
	if n, err := postgres.SeedDemo(ctx(t), u, false); err != nil || n != len(mockorders.SampleOrders()) {
		t.Fatalf("seed: %d %v", n, err)
	}
	if n, err := postgres.SeedDemo(ctx(t), u, false); err != nil || n != 0 {
		t.Fatalf("seed twice: %d %v", n, err)
	}
}

func TestConfig(t *testing.T) {
	for env, want := range map[string]string{
		"":                              "ORDERS_DATABASE_URL is not set",
		"ORDERS_DATABASE_URL=mysql://x": "not a PostgreSQL connection URL",
		"ORDERS_DATABASE_URL=postgres://u:secret@h/db ORDERS_DATABASE_MAX_CONNS=0":      "MAX_CONNS",
		"ORDERS_DATABASE_URL=postgres://u:secret@h/db ORDERS_DATABASE_MAX_RETRIES=x":    "MAX_RETRIES",
		"ORDERS_DATABASE_URL=postgres://u:secret@h:99999999/db?sslmode=verify-full":     "not a PostgreSQL connection URL",
		"ORDERS_DATABASE_URL=postgres://u:secret@h/db ORDERS_DATABASE_LOCK_TIMEOUT=-1s": "TIMEOUT",
	} {
		m := map[string]string{}
		for _, kv := range strings.Fields(env) {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		_, err := postgres.LoadConfig("orders-mcp", m)
		var ue *config.UsageError
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "secret") || !asUsage(err, &ue) {
			t.Errorf("%q: %v", env, err)
		}
	}
}

func asUsage(err error, ue **config.UsageError) bool {
	e, ok := err.(*config.UsageError)
	*ue = e
	return ok
}

// A refund whose answer is lost after the commit: the adapter's retry
// (same key) is replayed; when every attempt's answer is lost, the call
// fails and the caller's retry is replayed. One refund row in the end.
func TestLostAnswerRefundOnce(t *testing.T) {
	u := pgtest.NewDB(t)
	px, via := pgtest.NewProxy(t, u)
	pg := open(t, via, "ORDERS_DATABASE_MAX_RETRIES=2")
	c := ctx(t)
	d := deliveredUSD(t)
	px.LoseAnswers("bizmcp.refund(", 1)
	res, w, err := pg.Refund(c, d, orders.RefundRequest{AmountMinor: 500, Currency: "USD", Reason: "damaged"}, "lost-1")
	if err != nil || !w.Replayed || px.Lost != 1 || pgtest.Count(t, u, refunds, d) != 1 {
		t.Fatalf("adapter retry: %+v %+v %v lost=%d rows=%d", res, w, err, px.Lost, pgtest.Count(t, u, refunds, d))
	}
	px.LoseAnswers("bizmcp.refund(", 3)
	_, _, err = pg.Refund(c, d, orders.RefundRequest{Currency: "USD", Reason: "not_received"}, "lost-2")
	if k := kind(err); k != port.KindUnreachable && k != port.KindUnavailable {
		t.Fatalf("every answer lost: %v", err)
	}
	res, w, err = pg.Refund(c, d, orders.RefundRequest{Currency: "USD", Reason: "not_received"}, "lost-2")
	if err != nil || !w.Replayed || res.Order.RefundableRemaining.AmountMinor != 0 || pgtest.Count(t, u, refunds, d) != 2 || px.Lost != 4 {
		t.Fatalf("caller retry: %+v %+v %v rows=%d lost=%d", res, w, err, pgtest.Count(t, u, refunds, d), px.Lost)
	}
}

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/mocks/orders"
	ordersport "github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/servers/orders/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/demo"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The --demo backend is one per test process: tests that write use orders
// no other test touches.

// session builds the exact server the binary runs, with args and env, and
// connects an in-memory client.
func session(t *testing.T, args []string, env ...string) *mcp.ClientSession {
	t.Helper()
	return specSession(t, Spec, args, env...)
}

func specSession(t *testing.T, spec app.Spec[extra, ordersport.Backend], args []string, env ...string) *mcp.ClientSession {
	t.Helper()
	return apptest.Session(t, spec, args, env...)
}

func demoSession(t *testing.T) *mcp.ClientSession { return session(t, []string{"--demo"}) }

func call[Out any](t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) (Out, string) {
	t.Helper()
	res := mcptest.Call(t, cs, tool, args)
	text := mcptest.Text(res)
	if res.IsError {
		t.Fatalf("%s %v: tool error: %s", tool, args, text)
	}
	var out Out
	mcptest.Structured(t, res, &out)
	return out, text
}

func callErr(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) string {
	t.Helper()
	res := mcptest.Call(t, cs, tool, args)
	if !res.IsError {
		t.Fatalf("%s %v: expected a tool error, got %s", tool, args, mcptest.Text(res))
	}
	return mcptest.Text(res)
}

// sampleOrder returns the first sample order matching ok, skipping the
// orders the demo and other tests use.
func sampleOrder(t *testing.T, skip []string, ok func(o orders.Order) bool) orders.Order {
	t.Helper()
	for _, o := range orders.SampleOrders() {
		if o.CustomerID != "C-1004" && !strings.Contains(strings.Join(skip, ","), o.ID) && ok(o) {
			return o
		}
	}
	t.Fatal("no such sample order")
	return orders.Order{}
}

func TestToolsListAndSnapshots(t *testing.T) {
	cs := demoSession(t)
	list := mcptest.CheckTools(t, cs, "orders_")
	got := map[string]*mcp.Tool{}
	for _, tl := range list {
		got[tl.Name] = tl
	}
	for name, destructive := range map[string]bool{"orders_get_order": false, "orders_search_orders": false, "orders_list_items": false, "orders_cancel_order": true, "orders_create_refund": true} {
		tl := got[name]
		if tl == nil {
			t.Errorf("missing tool %s", name)
			continue
		}
		a := tl.Annotations
		if *a.DestructiveHint != destructive || a.ReadOnlyHint == destructive || !a.IdempotentHint || *a.OpenWorldHint {
			t.Errorf("%s: annotations %+v", name, a)
		}
	}
	mcptest.Snapshots(t, list, "internal/tools/testdata/toolsnaps")
}

// The question, answered in one call.
func TestDemoQuestionOneCall(t *testing.T) {
	cs := demoSession(t)
	out, text := call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": "ORD-48291"})
	first, _, _ := strings.Cut(text, "\n")
	if first != "ORD-48291: shipped via FedEx (ground), tracking 7749281934, estimated delivery Thu Feb 26 2026" {
		t.Errorf("first line %q", first)
	}
	s := out.Shipment
	if out.Status != "shipped" || s == nil || s.Carrier != "FedEx" || s.TrackingNumber != "7749281934" || s.EstimatedDelivery != "2026-02-26" || s.Status != "in_transit" {
		t.Errorf("%+v %+v", out, s)
	}
	if out.Total.Currency != "USD" || out.Total.AmountMinor <= 0 || out.Refundable.AmountMinor != out.Total.AmountMinor || len(out.Items) != 3 || out.ItemsPage.HasMore {
		t.Errorf("totals/items: %+v", out)
	}
	// A delivered order and a carrier exception read as such.
	d := sampleOrder(t, nil, func(o orders.Order) bool { return o.Status == orders.StatusDelivered })
	_, text = call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": d.ID})
	if !strings.HasPrefix(text, d.ID+": delivered "+d.Shipping.DeliveredAt.Format("Mon Jan 2 2006")) || !strings.Contains(text, d.Shipping.TrackingNumber) {
		t.Errorf("delivered: %.200s", text)
	}
	_, text = call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": "ORD-47730"})
	if !strings.Contains(text, "delivery exception") {
		t.Errorf("exception: %.200s", text)
	}
	_, text = call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": orders.PendingOrderID})
	if !strings.HasPrefix(text, orders.PendingOrderID+": pending") || !strings.Contains(text, "awaiting payment") {
		t.Errorf("pending: %.200s", text)
	}
}

func rawSize(t *testing.T, path string) int {
	t.Helper()
	h, err := mocks.New(mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != 200 {
		t.Fatalf("raw %s: %d", path, rec.Code)
	}
	return rec.Body.Len()
}

// The order with hundreds of lines comes back bounded, with a cursor that
// pages through every line.
func TestLargeOrderBoundedAndPaged(t *testing.T) {
	cs := demoSession(t)
	res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": orders.LargeOrderID})
	var out tools.OrderOut
	mcptest.Structured(t, res, &out)
	text := mcptest.Text(res)
	size, _ := json.Marshal(res)
	raw := rawSize(t, "/orders/orders/"+orders.LargeOrderID)
	if len(out.Items) != 5 || out.ItemsPage.Total != orders.LargeOrderLines || !out.ItemsPage.HasMore || out.ItemsPage.NextCursor == "" {
		t.Fatalf("items %d page %+v", len(out.Items), out.ItemsPage)
	}
	if !strings.Contains(text, "and 315 more lines: call orders_list_items") || len(size)*10 > raw {
		t.Errorf("raw %d bytes, result %d bytes:\n%s", raw, len(size), text)
	}
	t.Logf("%s: raw %d bytes, result %d bytes (%.0fx smaller)", orders.LargeOrderID, raw, len(size), float64(raw)/float64(len(size)))

	checkAllLines(t, cs, out)
	// A filtered listing, and its cursor is bound to the filter.
	p, _ := call[tools.ListItemsOut](t, cs, "orders_list_items", map[string]any{"order_id": orders.LargeOrderID, "query": "store #07", "limit": 5})
	if p.Total != 20 || len(p.Items) != 5 || !strings.Contains(p.Items[0].Name, "store #07") {
		t.Errorf("filtered: %+v", p)
	}
	msg := callErr(t, cs, "orders_list_items", map[string]any{"order_id": orders.LargeOrderID, "query": "store #08", "cursor": p.NextCursor})
	if !strings.Contains(msg, "different query") {
		t.Errorf("cursor reuse: %s", msg)
	}
	callErr(t, cs, "orders_list_items", map[string]any{"order_id": orders.LargeOrderID, "limit": 500})
	callErr(t, cs, "orders_get_order", map[string]any{"order_id": orders.LargeOrderID, "items_limit": 500})
	if out, _ := call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": orders.LargeOrderID, "items_limit": 20}); len(out.Items) != 20 {
		t.Errorf("items_limit 20: %d", len(out.Items))
	}
}

func TestSearchOrders(t *testing.T) {
	cs := demoSession(t)
	byID, text := call[tools.SearchOrdersOut](t, cs, "orders_search_orders", map[string]any{"customer_id": "C-1004"})
	if byID.Total < 5 || !strings.Contains(text, "ORD-48291 |") || !strings.Contains(text, "FedEx 7749281934, ETA Thu Feb 26 2026") {
		t.Fatalf("%s", text)
	}
	for i, o := range byID.Orders {
		if o.CustomerID != "C-1004" || (i > 0 && byID.Orders[i-1].PlacedAt < o.PlacedAt) {
			t.Errorf("order %d %+v: wrong customer or not newest first", i, o)
		}
	}
	byEmail, _ := call[tools.SearchOrdersOut](t, cs, "orders_search_orders", map[string]any{"customer_email": "Santiago.Sanchez@costa-consultores.example"})
	if byEmail.Total != byID.Total {
		t.Errorf("by email %d, by id %d", byEmail.Total, byID.Total)
	}
	// Status and date range; placed_to is inclusive.
	r, _ := call[tools.SearchOrdersOut](t, cs, "orders_search_orders", map[string]any{"status": "delivered", "placed_from": "2026-02-01", "placed_to": "2026-02-10", "limit": 50})
	if r.Total == 0 {
		t.Fatal("no delivered orders placed Feb 1-10")
	}
	for _, o := range r.Orders {
		if o.Status != "delivered" || o.PlacedAt < "2026-02-01" || o.PlacedAt >= "2026-02-11" || o.DeliveredAt == "" || o.TrackingNumber == "" {
			t.Errorf("filter leak: %+v", o)
		}
	}
	// Paging through every shipped order, bounded pages, no duplicates.
	seen := map[string]bool{}
	cursor, total := "", 0
	for page := 0; page < 20; page++ {
		args := map[string]any{"status": "shipped", "limit": 7}
		if cursor != "" {
			args["cursor"] = cursor
		}
		p, _ := call[tools.SearchOrdersOut](t, cs, "orders_search_orders", args)
		if len(p.Orders) > 7 {
			t.Fatalf("page of %d", len(p.Orders))
		}
		total = p.Total
		for _, o := range p.Orders {
			if seen[o.ID] || o.Status != "shipped" {
				t.Fatalf("%s twice or not shipped", o.ID)
			}
			seen[o.ID] = true
		}
		if !p.HasMore {
			break
		}
		cursor = p.NextCursor
	}
	if len(seen) != total || total < 10 {
		t.Errorf("paged %d of %d", len(seen), total)
	}
	// Default page size, and an empty result is [] with advice.
	all, _ := call[tools.SearchOrdersOut](t, cs, "orders_search_orders", map[string]any{})
	if len(all.Orders) != 10 || all.Total < 200 || !all.HasMore {
		t.Errorf("default page: %d of %d", len(all.Orders), all.Total)
	}
	res := mcptest.Call(t, cs, "orders_search_orders", map[string]any{"customer_id": "C-9999"})
	b, _ := json.Marshal(res.StructuredContent)
	if res.IsError || !strings.Contains(string(b), `"orders":[]`) || !strings.Contains(mcptest.Text(res), "no orders match") {
		t.Errorf("empty: %s %s", b, mcptest.Text(res))
	}
}

func TestErrorsTellTheModelWhatToDo(t *testing.T) {
	cs := demoSession(t)
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"orders_get_order", map[string]any{"order_id": "ORD-1"}, "orders_search_orders"},
		{"orders_get_order", map[string]any{"order_id": "48291"}, "order_id"},
		{"orders_get_order", map[string]any{}, "order_id"},
		{"orders_get_order", map[string]any{"order_id": "ORD-48291", "extra": 1}, "extra"},
		{"orders_list_items", map[string]any{"order_id": "ORD-1"}, "orders_search_orders"},
		{"orders_list_items", map[string]any{"order_id": "ORD-48291", "cursor": "garbage!"}, "cursor"},
		{"orders_search_orders", map[string]any{"customer_email": "not-an-email"}, "not an email address"},
		{"orders_search_orders", map[string]any{"placed_from": "2026-02-10", "placed_to": "2026-02-01"}, "before placed_from"},
		{"orders_search_orders", map[string]any{"placed_from": "2026-02-31"}, "not a valid date"},
		{"orders_search_orders", map[string]any{"placed_from": "Feb 1"}, "placed_from"},
		{"orders_search_orders", map[string]any{"status": "lost"}, "status"},
		{"orders_search_orders", map[string]any{"limit": 5000}, "limit"},
		{"orders_cancel_order", map[string]any{"order_id": "ORD-1", "reason": "other"}, "orders_search_orders"},
		{"orders_cancel_order", map[string]any{"order_id": orders.PendingOrderID}, "reason"},
		{"orders_cancel_order", map[string]any{"order_id": orders.PendingOrderID, "reason": "bored"}, "reason"},
		{"orders_create_refund", map[string]any{"order_id": "ORD-1", "currency": "USD", "reason": "other"}, "orders_search_orders"},
		{"orders_create_refund", map[string]any{"order_id": orders.DemoOrderID, "currency": "usd", "reason": "other"}, "currency"},
		{"orders_create_refund", map[string]any{"order_id": orders.DemoOrderID, "currency": "USD", "reason": "other", "amount_minor": 0}, "amount_minor"},
		{"orders_create_refund", map[string]any{"order_id": orders.DemoOrderID, "currency": "USD", "reason": "other", "amount_minor": -5}, "amount_minor"},
		{"orders_create_refund", map[string]any{"order_id": orders.DemoOrderID, "currency": "USD", "reason": "other", "amount_minor": 12.5}, "amount_minor"},
		{"orders_create_refund", map[string]any{"order_id": orders.DemoOrderID, "currency": "EUR", "reason": "other", "amount_minor": 100}, "is in USD, not EUR"},
		{"orders_create_refund", map[string]any{"order_id": orders.PendingOrderID, "currency": "USD", "reason": "other"}, "orders_cancel_order"},
	} {
		msg := callErr(t, cs, tc.tool, tc.args)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s %v: %q, want it to mention %q", tc.tool, tc.args, msg, tc.want)
		}
	}
}

func TestCancelOrder(t *testing.T) {
	cs, posts := countingSession(t)
	// Shipped and delivered orders: refused with the reason and what to do instead.
	msg := callErr(t, cs, "orders_cancel_order", map[string]any{"order_id": orders.DemoOrderID, "reason": "customer_request"})
	for _, want := range []string{"cannot be cancelled", "already shipped via FedEx", "7749281934", "orders_create_refund", "return the parcel"} {
		if !strings.Contains(msg, want) {
			t.Errorf("shipped refusal lacks %q: %s", want, msg)
		}
	}
	d := sampleOrder(t, nil, func(o orders.Order) bool { return o.Status == orders.StatusDelivered })
	if msg := callErr(t, cs, "orders_cancel_order", map[string]any{"order_id": d.ID, "reason": "customer_request"}); !strings.Contains(msg, "was delivered") || !strings.Contains(msg, "orders_create_refund") {
		t.Errorf("delivered refusal: %s", msg)
	}
	r := sampleOrder(t, nil, func(o orders.Order) bool { return o.Status == orders.StatusRefunded })
	if msg := callErr(t, cs, "orders_cancel_order", map[string]any{"order_id": r.ID, "reason": "other"}); !strings.Contains(msg, "refunded in full") {
		t.Errorf("refunded refusal: %s", msg)
	}
	// A pending order: cancelled, nothing refunded; the same call again is
	// answered by the server's idempotency store with the first result,
	// marked replayed, without reaching the backend.
	args := map[string]any{"order_id": orders.PendingOrderID2, "reason": "customer_request", "note": "customer ordered by mistake"}
	out, text := call[tools.CancelOrderOut](t, cs, "orders_cancel_order", args)
	if out.Status != "cancelled" || out.Replayed || out.Refunded != nil || !strings.Contains(text, "No payment had been taken") {
		t.Fatalf("%+v %s", out, text)
	}
	res := mcptest.Call(t, cs, "orders_cancel_order", args)
	var again tools.CancelOrderOut
	mcptest.Structured(t, res, &again)
	// The replay says replayed in its structured content as in _meta.
	replayed := out
	replayed.Replayed = true
	if res.IsError || res.Meta["bizmcp/replayed"] != true || again != replayed || !strings.Contains(mcptest.Text(res), "nothing was done again") {
		t.Errorf("retry: %+v %v %s", again, res.Meta, mcptest.Text(res))
	}
	if n := posts.count("/orders/" + orders.PendingOrderID2 + "/cancel"); n != 1 {
		t.Errorf("cancellations sent to the backend by the call and its retry: %d, want 1", n)
	}
	// A different cancellation of the same order is refused, not replayed.
	if msg := callErr(t, cs, "orders_cancel_order", map[string]any{"order_id": orders.PendingOrderID2, "reason": "other"}); !strings.Contains(msg, "already cancelled") {
		t.Errorf("second cancel: %s", msg)
	}
	// A paid order: cancelled and refunded in full.
	paid, text := call[tools.CancelOrderOut](t, cs, "orders_cancel_order", map[string]any{"order_id": orders.PaidOrderID2, "reason": "duplicate_order"})
	if paid.Refunded == nil || paid.Refunded.AmountMinor <= 0 || paid.RefundID == "" || !strings.Contains(text, "refunded to the original payment method") {
		t.Errorf("paid: %+v %s", paid, text)
	}
	o, _ := call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": orders.PaidOrderID2})
	if o.Status != "cancelled" || o.Refundable.AmountMinor != 0 || o.Refunded.AmountMinor != paid.Refunded.AmountMinor || !strings.Contains(o.Summary, "cancelled on") {
		t.Errorf("after cancel: %+v", o)
	}
}

func TestCreateRefund(t *testing.T) {
	cs, posts := countingSession(t)
	id := orders.PartiallyRefundedOrderID
	before, _ := call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": id})
	args := map[string]any{"order_id": id, "amount_minor": 1999, "currency": "USD", "reason": "damaged", "note": "lamp arrived cracked"}
	out, text := call[tools.CreateRefundOut](t, cs, "orders_create_refund", args)
	left := before.Refundable.AmountMinor - 1999
	if out.Replayed || out.Amount.AmountMinor != 1999 || out.Amount.Text != "USD 19.99" || out.Refundable.AmountMinor != left || out.OrderStatus != "partially_refunded" ||
		!strings.Contains(text, "Refunded USD 19.99 on "+id) {
		t.Fatalf("%+v %s", out, text)
	}
	// The same call again (a retry): the server's idempotency store answers
	// with the first result, marked replayed; nothing reaches the backend.
	res := mcptest.Call(t, cs, "orders_create_refund", args)
	var again tools.CreateRefundOut
	mcptest.Structured(t, res, &again)
	replayed := out
	replayed.Replayed = true
	if res.IsError || res.Meta["bizmcp/replayed"] != true || again != replayed || !strings.Contains(mcptest.Text(res), "nothing was done again") {
		t.Errorf("retry: %+v %v %s", again, res.Meta, mcptest.Text(res))
	}
	if n := posts.count("/orders/" + id + "/refunds"); n != 1 {
		t.Errorf("refunds sent to the backend by the call and its retry: %d, want 1", n)
	}
	// A second refund on purpose: a new reference.
	args["reference"] = "CASE-2"
	second, _ := call[tools.CreateRefundOut](t, cs, "orders_create_refund", args)
	if second.Replayed || second.RefundID == out.RefundID || second.Refundable.AmountMinor != left-1999 {
		t.Errorf("second: %+v", second)
	}
	left -= 1999
	// Over-refund: refused, naming what can still be refunded.
	msg := callErr(t, cs, "orders_create_refund", map[string]any{"order_id": id, "amount_minor": left + 1, "currency": "USD", "reason": "goodwill"})
	want := "at most " + second.Refundable.Text + " can still be refunded"
	if !strings.Contains(msg, want) || !strings.Contains(msg, "amount_minor=") {
		t.Errorf("over-refund: %q lacks %q", msg, want)
	}
	// The whole remainder: amount omitted.
	full, text := call[tools.CreateRefundOut](t, cs, "orders_create_refund", map[string]any{"order_id": id, "currency": "USD", "reason": "goodwill"})
	if full.Amount.AmountMinor != left || full.OrderStatus != "refunded" || full.Refundable.AmountMinor != 0 {
		t.Errorf("full: %+v %s", full, text)
	}
	if msg := callErr(t, cs, "orders_create_refund", map[string]any{"order_id": id, "amount_minor": 1, "currency": "USD", "reason": "goodwill"}); !strings.Contains(msg, "already fully refunded") {
		t.Errorf("nothing left: %s", msg)
	}
	o, text := call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": id})
	if len(o.Refunds) != 4 || !strings.Contains(text, "refunded in full") {
		t.Errorf("refunds on the order: %+v\n%s", o.Refunds, text)
	}
	// Zero-decimal currencies: amount_minor is whole yen.
	jp := sampleOrder(t, nil, func(o orders.Order) bool {
		return o.Currency == "JPY" && (o.Status == orders.StatusDelivered || o.Status == orders.StatusPaid)
	})
	y, _ := call[tools.CreateRefundOut](t, cs, "orders_create_refund", map[string]any{"order_id": jp.ID, "amount_minor": 1500, "currency": "JPY", "reason": "late_delivery"})
	if y.Amount.Text != "JPY 1,500" {
		t.Errorf("JPY: %+v", y)
	}
}

// postCounter counts the POSTs that reach the demo backend, by path suffix.
type postCounter struct {
	next  http.RoundTripper
	mu    sync.Mutex
	paths map[string]int
}

func (c *postCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost {
		c.mu.Lock()
		c.paths[r.URL.Path]++
		c.mu.Unlock()
	}
	return c.next.RoundTrip(r)
}

// count is the number of POSTs whose path ends in suffix.
func (c *postCounter) count(suffix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for p, k := range c.paths {
		if strings.HasSuffix(p, suffix) {
			n += k
		}
	}
	return n
}

// countingSession is demoSession with the writes reaching the backend counted.
func countingSession(t *testing.T) (*mcp.ClientSession, *postCounter) {
	t.Helper()
	c := &postCounter{paths: map[string]int{}}
	spec := Spec
	spec.Demo = app.DemoWrapped(backends[0], func() demo.Domain { return orders.NewDomain() }, func(rt http.RoundTripper) http.RoundTripper {
		c.next = rt
		return c
	})
	return specSession(t, spec, []string{"--demo"}), c
}

// dropOnce performs a refund POST and then loses the response n times, as
// a connection dropped after the backend wrote the refund.
type dropOnce struct {
	next    http.RoundTripper
	mu      sync.Mutex
	left    int
	posts   int
	dropped int
}

func (d *dropOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/refunds") {
		return resp, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.posts++
	if d.left > 0 {
		d.left--
		d.dropped++
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, &netErr{syscall.ECONNRESET}
	}
	return resp, nil
}

type netErr struct{ err error }

func (e *netErr) Error() string   { return "read tcp: connection reset by peer: " + e.err.Error() }
func (e *netErr) Unwrap() error   { return e.err }
func (e *netErr) Timeout() bool   { return false }
func (e *netErr) Temporary() bool { return true }

// A refund whose response is lost after the backend made it, retried with
// the same arguments, is made once.
func TestRefundLostResponseMadeOnce(t *testing.T) {
	drop := &dropOnce{}
	spec := Spec
	spec.Demo = app.DemoWrapped(backends[0], func() demo.Domain { return orders.NewDomain() }, func(rt http.RoundTripper) http.RoundTripper {
		drop.next = rt
		return drop
	})
	cs := specSession(t, spec, []string{"--demo"}, "ORDERS_API_MAX_RETRIES=2")
	refunds := func(id string) int {
		o, _ := call[tools.OrderOut](t, cs, "orders_get_order", map[string]any{"order_id": id})
		return len(o.Refunds)
	}

	// One lost response: the client's own retry (same Idempotency-Key) is
	// replayed by the backend.
	a := sampleOrder(t, nil, func(o orders.Order) bool { return o.Status == orders.StatusDelivered && o.Currency == "USD" })
	drop.left = 1
	out, _ := call[tools.CreateRefundOut](t, cs, "orders_create_refund", map[string]any{"order_id": a.ID, "amount_minor": 500, "currency": "USD", "reason": "damaged"})
	if !out.Replayed || drop.posts != 2 || refunds(a.ID) != 1 {
		t.Errorf("client retry: %+v posts=%d refunds=%d", out, drop.posts, refunds(a.ID))
	}

	// Every attempt lost: the tool fails saying a retry is safe; the model's
	// retry of the whole refund (the remainder, amount omitted) is replayed
	// even though nothing is refundable any more.
	b := sampleOrder(t, []string{a.ID}, func(o orders.Order) bool { return o.Status == orders.StatusDelivered && o.Currency == "USD" })
	drop.left, drop.posts = 3, 0
	args := map[string]any{"order_id": b.ID, "currency": "USD", "reason": "not_received"}
	msg := callErr(t, cs, "orders_create_refund", args)
	if !strings.Contains(msg, "Retrying with the same arguments is safe") || drop.posts != 3 {
		t.Fatalf("lost: posts=%d %s", drop.posts, msg)
	}
	out, text := call[tools.CreateRefundOut](t, cs, "orders_create_refund", args)
	if !out.Replayed || out.Amount.AmountMinor != b.Total.AmountMinor || out.Refundable.AmountMinor != 0 || refunds(b.ID) != 1 {
		t.Errorf("model retry: %+v refunds=%d %s", out, refunds(b.ID), text)
	}
	// A new, different refund on it is refused: nothing is left.
	if msg := callErr(t, cs, "orders_create_refund", map[string]any{"order_id": b.ID, "amount_minor": 100, "currency": "USD", "reason": "goodwill"}); !strings.Contains(msg, "already fully refunded") {
		t.Errorf("after full refund: %s", msg)
	}
}

func TestInjectionOrdersFlaggedAndFenced(t *testing.T) {
	cs := demoSession(t)
	for _, id := range orders.SampleInjectionOrderIDs {
		res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": id, "items_limit": 20})
		text := mcptest.Text(res)
		if res.IsError || res.Meta["bizmcp/untrusted"] == nil || !strings.Contains(text, "⟦untrusted-data") {
			t.Errorf("%s: not flagged and fenced: meta=%v\n%s", id, res.Meta, text)
		}
		if strings.Contains(text, "attacker.example/pixel") {
			t.Errorf("%s: exfiltration URL survived", id)
		}
	}
	// The long order is not flagged, nor are the benign look-alikes.
	for _, id := range append([]string{orders.LargeOrderID, orders.DemoOrderID}, orders.SampleBenignLookalikeOrderIDs...) {
		res := mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": id})
		if res.Meta["bizmcp/untrusted"] != nil {
			t.Errorf("benign %s flagged: %v", id, res.Meta["bizmcp/untrusted"])
		}
	}
}

func TestNoInvisibleCharacterSurvives(t *testing.T) {
	cs := demoSession(t)
	for _, o := range orders.SampleOrders() {
		mcptest.CheckVisible(t, o.ID, mcptest.Call(t, cs, "orders_get_order", map[string]any{"order_id": o.ID, "items_limit": 20}))
	}
}

// checkAllLines pages from orders_get_order's first lines through every
// line of the large order with orders_list_items: each line once.
func checkAllLines(t *testing.T, cs *mcp.ClientSession, out tools.OrderOut) {
	t.Helper()
	seen := map[string]bool{}
	for _, it := range out.Items {
		seen[it.LineID] = true
	}
	cursor := out.ItemsPage.NextCursor
	for page := 0; cursor != "" && page < 10; page++ {
		p, _ := call[tools.ListItemsOut](t, cs, "orders_list_items", map[string]any{"order_id": orders.LargeOrderID, "cursor": cursor, "limit": 100})
		if len(p.Items) > 100 {
			t.Fatalf("page of %d", len(p.Items))
		}
		for _, it := range p.Items {
			if seen[it.LineID] {
				t.Fatalf("line %s twice", it.LineID)
			}
			seen[it.LineID] = true
		}
		cursor = p.NextCursor
	}
	if len(seen) != orders.LargeOrderLines {
		t.Errorf("paged through %d of %d lines", len(seen), orders.LargeOrderLines)
	}
}

// searchAll pages through orders_search_orders with args (at most 30
// pages), visiting every hit, and returns the cursors it followed.
func searchAll(t *testing.T, cs *mcp.ClientSession, args map[string]any, visit func(tools.OrderSummaryOut)) (cursors []string) {
	t.Helper()
	cursor := ""
	for range 30 {
		a := with(args)
		if cursor != "" {
			a["cursor"] = cursor
		}
		out, _ := call[tools.SearchOrdersOut](t, cs, "orders_search_orders", a)
		for _, o := range out.Orders {
			visit(o)
		}
		if !out.HasMore {
			return cursors
		}
		cursor = out.NextCursor
		cursors = append(cursors, cursor)
	}
	return cursors
}

// The precomputed tool schemas are what inference says (mcpkit.Precomputed).
func TestPrecomputedSchemaSnapshot(t *testing.T) {
	apptest.PrecomputedSchemas(t, Spec, "internal/tools/schemas_gen.go", "tools")
}

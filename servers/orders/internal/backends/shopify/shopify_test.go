package shopify

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/shopify/shopifytest"
	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/jarcoal/httpmock"
)

const endpoint = "https://acme.myshopify.com/admin/api/" + APIVersion + "/graphql.json"

// fixture is one test's adapter on its own httpmock transport answering
// like the Admin GraphQL API (the shopifytest store), through the shared
// backend HTTP client. Pauses (throttling, job polling) are recorded, not
// slept.
type fixture struct {
	a      *Adapter
	store  *shopifytest.Store
	mt     *httpmock.MockTransport
	mu     sync.Mutex
	sleeps []time.Duration
}

func newFixture(t *testing.T, env ...string) *fixture {
	t.Helper()
	f := &fixture{store: shopifytest.New(), mt: httpmock.NewMockTransport()}
	f.mt.RegisterResponder(http.MethodPost, endpoint, f.store.Responder)
	environ := map[string]string{"SHOPIFY_SHOP": "acme.myshopify.com", "SHOPIFY_ACCESS_TOKEN": "shpat_test"}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		environ[k] = v
	}
	cfg, err := LoadConfig("orders-mcp", environ)
	if err != nil {
		t.Fatal(err)
	}
	hc := backend.NewHTTPClient(backend.Options{Name: "orders", Base: f.mt, MaxRetries: 2})
	if f.a, err = New(cfg, hc, nil); err != nil {
		t.Fatal(err)
	}
	f.a.c.sleep = func(ctx context.Context, d time.Duration) error {
		f.mu.Lock()
		f.sleeps = append(f.sleeps, d)
		f.mu.Unlock()
		return ctx.Err()
	}
	return f
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// A partially fulfilled order shipped in two parcels: the summary shows
// the parcel still on its way (UPS, with Shopify's estimated delivery),
// the note lists both with their tracking URLs; money is exact.
func TestGetOrderPartiallyFulfilledMultiShipment(t *testing.T) {
	f := newFixture(t)
	o, err := f.a.GetOrder(ctx(t), "#1001", 5)
	if err != nil {
		t.Fatal(err)
	}
	s := o.Shipping
	if o.ID != "#1001" || o.Status != orders.StatusShipped || s.Carrier != "UPS" || s.TrackingNumber != "1Z999AA10123456784" ||
		s.Status != "in_transit" || s.EstimatedDelivery != "2026-12-09T00:00:00Z" || s.Method != "Standard" {
		t.Fatalf("order %+v shipping %+v", o.Summary, s)
	}
	if o.Total != (orders.Money{AmountMinor: 12050, Currency: "USD"}) || o.RefundableRemaining.AmountMinor != 12050 || o.Tax.AmountMinor != 850 || o.Region != "na" {
		t.Errorf("money/region: %+v", o.Summary)
	}
	if o.ItemCount != 3 || len(o.LineItems) != 3 || o.LineItems[1].Personalization != "Engraving: J.D." || o.CustomerName != "Jane Doe" || o.CustomerID != "" || o.UnitCount != 4 {
		t.Errorf("lines/customer: %+v", o)
	}
	var shipments string
	for _, n := range o.Notes {
		if n.ID == "shipments" {
			shipments = n.Body
		}
	}
	for _, want := range []string{"shipment 1 of 2: delivered, FedEx 7749281934 https://www.fedex.com/", "shipment 2 of 2: in transit, UPS 1Z999AA10123456784 https://www.ups.com/", "estimated delivery 2026-12-09", "some items have not shipped yet"} {
		if !strings.Contains(shipments, want) {
			t.Errorf("shipments note lacks %q: %s", want, shipments)
		}
	}
	// Only the fields the tools use are asked for.
	if body := f.store.Bodies[0]; strings.Contains(body, "billingAddress") || !strings.Contains(body, "trackingInfo(first: 1)") {
		t.Errorf("query: %s", body)
	}
}

func TestGetOrderByIDForms(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"gid://shopify/Order/5400000003", "5400000003", "1003", "#1003"} {
		o, err := f.a.GetOrder(ctx(t), id, 2)
		if err != nil || o.ID != "#1003" {
			t.Fatalf("%s: %+v %v", id, o, err)
		}
		if o.Status != orders.StatusDelivered || o.Total != (orders.Money{AmountMinor: 15000, Currency: "JPY"}) || o.Shipping.Carrier != "Japan Post" || o.Region != "apac" {
			t.Errorf("%s: %+v", id, o.Summary)
		}
	}
	if _, err := f.a.GetOrder(ctx(t), "ORD-1", 2); !port.IsKind(err, port.KindBadRequest) {
		t.Errorf("bad id: %v", err)
	}
}

// A missing order: Shopify answers {"data":{"order":null}} (by id) or no
// nodes (by name).
func TestGetOrderMissing(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"#9999", "gid://shopify/Order/1", "77777777777"} {
		if _, err := f.a.GetOrder(ctx(t), id, 5); !port.IsKind(err, port.KindNotFound) {
			t.Errorf("%s: %v", id, err)
		}
	}
	// The documented shape, as a fixed fixture.
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, endpoint, httpmock.NewStringResponder(200,
		`{"data":{"order":null},"extensions":{"cost":{"requestedQueryCost":60,"actualQueryCost":1,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1999,"restoreRate":100.0}}}}`))
	a := adapterOn(t, mt)
	if _, err := a.GetOrder(ctx(t), "gid://shopify/Order/42", 5); !port.IsKind(err, port.KindNotFound) {
		t.Errorf("fixture: %v", err)
	}
}

func adapterOn(t *testing.T, rt http.RoundTripper) *Adapter {
	t.Helper()
	cfg, err := LoadConfig("orders-mcp", map[string]string{"SHOPIFY_SHOP": "acme.myshopify.com", "SHOPIFY_ACCESS_TOKEN": "shpat_test"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, backend.NewHTTPClient(backend.Options{Name: "orders", Base: rt}), nil)
	if err != nil {
		t.Fatal(err)
	}
	a.c.sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return a
}

// THROTTLED answers are retried after the time the restore rate needs to
// refill the requested cost; past the call's deadline the caller gets a
// rate-limit error with that wait.
func TestThrottledRetriedWithinDeadline(t *testing.T) {
	f := newFixture(t)
	f.store.Throttle(2)
	o, err := f.a.GetOrder(ctx(t), "gid://shopify/Order/5400000002", 5)
	if err != nil || o.ID != "#1002" {
		t.Fatalf("%+v %v", o, err)
	}
	// (requestedQueryCost 122 - currentlyAvailable 20) / restoreRate 100 = 1.02 s
	if f.store.Calls["OrderByID"] != 3 || len(f.sleeps) < 2 || f.sleeps[0] != 1020*time.Millisecond {
		t.Errorf("calls %v sleeps %v", f.store.Calls, f.sleeps)
	}

	f.store.Throttle(10)
	short, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	_, err = f.a.GetOrder(short, "gid://shopify/Order/5400000002", 5)
	pe, _ := port.AsError(err)
	if pe == nil || pe.Kind != port.KindRateLimited || pe.Code != "THROTTLED" || pe.RetryAfter != 1020*time.Millisecond {
		t.Errorf("past the deadline: %+v", pe)
	}
}

// After an answer that reports a nearly empty bucket, the next request
// waits for the restore rate to refill a tenth of it.
func TestPacedByRestoreRate(t *testing.T) {
	f := newFixture(t)
	f.a.c.observe(throttleStatus{MaximumAvailable: 1000, CurrentlyAvailable: 0, RestoreRate: 50})
	fixed := time.Now()
	f.a.c.now = func() time.Time { return fixed }
	f.a.c.seenAt = fixed
	if _, err := f.a.GetOrder(ctx(t), "#1002", 1); err != nil {
		t.Fatal(err)
	}
	if len(f.sleeps) == 0 || f.sleeps[0] != 2*time.Second { // 100 points at 50/s
		t.Errorf("sleeps %v", f.sleeps)
	}
}

func TestSearch(t *testing.T) {
	f := newFixture(t)
	page, err := f.a.SearchOrders(ctx(t), orders.Query{CustomerEmail: "jane@example.com", Limit: 1})
	if err != nil || len(page.Orders) != 1 || page.Orders[0].ID != "#1004" || page.Total != 2 || page.Next != "5400000004" {
		t.Fatalf("first page: %+v %v", page, err)
	}
	if !strings.Contains(f.store.Bodies[0], `email:'jane@example.com'`) || !strings.Contains(f.store.Bodies[0], "ordersCount") {
		t.Errorf("query: %s", f.store.Bodies[0])
	}
	page, err = f.a.SearchOrders(ctx(t), orders.Query{CustomerEmail: "jane@example.com", Limit: 1, Offset: 1, After: page.Next})
	if err != nil || len(page.Orders) != 1 || page.Orders[0].ID != "#1001" || page.Next != "" {
		t.Fatalf("second page: %+v %v", page, err)
	}
	if !strings.Contains(searchQ(f.store.Bodies[1]), `id:<5400000004`) {
		t.Errorf("second query: %s", f.store.Bodies[1])
	}
	// Shipped vs delivered: Shopify searches fulfilled orders, the adapter
	// tells them apart.
	page, err = f.a.SearchOrders(ctx(t), orders.Query{Status: orders.StatusDelivered, Limit: 10})
	if err != nil || len(page.Orders) != 1 || page.Orders[0].ID != "#1003" || page.Total != 1 {
		t.Errorf("delivered: %+v %v", page, err)
	}
	// Region by shipping country: filtered on every row.
	page, err = f.a.SearchOrders(ctx(t), orders.Query{Region: "emea", Limit: 10})
	if err != nil || len(page.Orders) != 2 || page.Orders[0].ID != "#1006" || page.Orders[1].ID != "#1002" {
		t.Errorf("emea: %+v %v", page, err)
	}
	from, _ := time.Parse(time.DateOnly, "2026-12-01")
	if _, err = f.a.SearchOrders(ctx(t), orders.Query{PlacedFrom: from, PlacedTo: from.AddDate(0, 0, 7), Status: orders.StatusPaid, Limit: 5}); err != nil {
		t.Fatal(err)
	}
	last := searchQ(f.store.Bodies[len(f.store.Bodies)-1])
	for _, want := range []string{`created_at:>='2026-12-01T00:00:00Z'`, `created_at:<'2026-12-08T00:00:00Z'`, `financial_status:paid`, `fulfillment_status:unshipped`} {
		if !strings.Contains(last, want) {
			t.Errorf("query lacks %s: %s", want, last)
		}
	}
	if _, err := f.a.SearchOrders(ctx(t), orders.Query{CustomerID: "C-1004"}); !port.IsKind(err, port.KindBadRequest) {
		t.Errorf("customer id: %v", err)
	}
}

// searchQ is the search string of a request body.
func searchQ(body string) string {
	var b struct {
		Variables struct {
			Q string `json:"q"`
		} `json:"variables"`
	}
	_ = json.Unmarshal([]byte(body), &b)
	return b.Variables.Q
}

func TestRegionByTag(t *testing.T) {
	f := newFixture(t, "SHOPIFY_REGION_BY=tag")
	page, err := f.a.SearchOrders(ctx(t), orders.Query{Region: "na", Limit: 10})
	if err != nil || len(page.Orders) != 2 || page.Total != 2 || !strings.Contains(searchQ(f.store.Bodies[0]), `tag:'region:na'`) {
		t.Fatalf("%+v %v %s", page, err, f.store.Bodies[0])
	}
	o, _ := f.a.GetOrder(ctx(t), "#1005", 1) // no region tag
	if o.Region != "" {
		t.Errorf("untagged: %q", o.Region)
	}
}

// 300 lines: get_order counts them all (cheap id pages), list_items pages
// and filters them.
func TestLinesPaged(t *testing.T) {
	f := newFixture(t)
	o, err := f.a.GetOrder(ctx(t), "#1005", 5)
	if err != nil || len(o.LineItems) != 5 || o.ItemCount != 300 || f.store.Calls["LineCount"] != 2 {
		t.Fatalf("%d lines, count %d, %v, calls %v", len(o.LineItems), o.ItemCount, err, f.store.Calls)
	}
	page, err := f.a.ListItems(ctx(t), "#1005", orders.ItemQuery{Limit: 25, Offset: 275})
	if err != nil || page.Total != 300 || len(page.Items) != 25 || page.Items[0].SKU != "PART-276" {
		t.Fatalf("%+v %v", page, err)
	}
	page, err = f.a.ListItems(ctx(t), "#1005", orders.ItemQuery{Text: "chair", Limit: 4})
	if err != nil || page.Total != 6 || len(page.Items) != 4 || page.Items[0].SKU != "CHAIR-008" {
		t.Fatalf("chair: %+v %v", page, err)
	}
}

// A partial refund is spread over the order's captures with what each has
// left; the remainder is Shopify's totalReceived - totalRefunded.
func TestRefundPartialAcrossCaptures(t *testing.T) {
	f := newFixture(t)
	res, w, err := f.a.Refund(ctx(t), "#1004", orders.RefundRequest{AmountMinor: 6000, Currency: "USD", Reason: "damaged", Note: "lamp broken"}, "bizmcp-k1")
	if err != nil || w.Replayed {
		t.Fatalf("%+v %v", w, err)
	}
	if res.Refund.Amount.AmountMinor != 6000 || res.Refund.Reason != "damaged" || res.Refund.Note != "lamp broken" || res.Refund.IdempotencyKey != "bizmcp-k1" ||
		res.Order.Status != orders.StatusPartiallyRefunded || res.Order.RefundableRemaining.AmountMinor != 1000 || res.Order.RefundedTotal.AmountMinor != 7000 {
		t.Fatalf("%+v", res)
	}
	var body struct {
		Query     string `json:"query"`
		Variables struct {
			Key   string `json:"key"`
			Input struct {
				Transactions []map[string]string `json:"transactions"`
			} `json:"input"`
		} `json:"variables"`
	}
	_ = json.Unmarshal([]byte(f.store.Bodies[len(f.store.Bodies)-1]), &body)
	tx := body.Variables.Input.Transactions
	if !strings.Contains(body.Query, "@idempotent(key: $key)") || body.Variables.Key != "bizmcp-k1" || len(tx) != 2 ||
		tx[0]["amount"] != "40.00" || tx[0]["parentId"] != "gid://shopify/OrderTransaction/7041" || tx[1]["amount"] != "20.00" || tx[1]["gateway"] != "gift_card" {
		t.Errorf("mutation: %s", f.store.Bodies[len(f.store.Bodies)-1])
	}
	_, _, err = f.a.Refund(ctx(t), "#1004", orders.RefundRequest{AmountMinor: 1001, Currency: "USD", Reason: "goodwill"}, "bizmcp-k2")
	if pe, _ := port.AsError(err); pe == nil || pe.Kind != port.KindConflict || pe.Remaining != "USD 10.00 refundable" {
		t.Errorf("over-refund: %+v", pe)
	}
	if _, _, err = f.a.Refund(ctx(t), "#1004", orders.RefundRequest{Currency: "EUR", Reason: "goodwill"}, "bizmcp-k3"); !port.IsKind(err, port.KindBadRequest) {
		t.Errorf("currency: %v", err)
	}
	if f.store.Refunds != 1 {
		t.Errorf("%d refunds", f.store.Refunds)
	}
}

// The answer of refundCreate is lost after Shopify made the refund: the
// adapter sends it again under the same @idempotent key and Shopify
// returns the first refund; a later retry of the tool call finds the key in
// the refund's note and sends nothing.
func TestRefundRetriedAfterDroppedResponse(t *testing.T) {
	f := newFixture(t)
	f.store.DropAfterApply("RefundCreate", 1)
	res, w, err := f.a.Refund(ctx(t), "#1001", orders.RefundRequest{Currency: "USD", Reason: "not_received"}, "bizmcp-all")
	if err != nil || w.Replayed || res.Refund.Amount.AmountMinor != 12050 || res.Order.Status != orders.StatusRefunded {
		t.Fatalf("%+v %+v %v", res, w, err)
	}
	if f.store.Refunds != 1 || f.store.Calls["RefundCreate"] != 2 {
		t.Fatalf("refunds %d, calls %v", f.store.Refunds, f.store.Calls)
	}
	res2, w, err := f.a.Refund(ctx(t), "#1001", orders.RefundRequest{Currency: "USD", Reason: "not_received"}, "bizmcp-all")
	if err != nil || !w.Replayed || res2.Refund.ID != res.Refund.ID || f.store.Refunds != 1 || f.store.Calls["RefundCreate"] != 2 {
		t.Fatalf("replay: %+v %+v %v calls %v", res2, w, err, f.store.Calls)
	}
	o, _ := f.a.GetOrder(ctx(t), "#1001", 1)
	if len(o.Refunds) != 1 || o.Refunds[0].IdempotencyKey != "bizmcp-all" || o.RefundableRemaining.AmountMinor != 0 {
		t.Errorf("order after: %+v", o.Refunds)
	}
}

// userErrors come back with the field and message, as a conflict that says
// what is still refundable.
func TestRefundUserErrors(t *testing.T) {
	store := shopifytest.New()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, endpoint, func(r *http.Request) (*http.Response, error) {
		var b struct{ Query string }
		body, _ := r.GetBody()
		_ = json.NewDecoder(body).Decode(&b)
		if strings.Contains(b.Query, "mutation RefundCreate") {
			return httpmock.NewStringResponse(200, `{"data":{"refundCreate":{"refund":null,"order":null,"userErrors":[{"field":["transactions","0","amount"],"message":"Amount cannot be greater than the refundable amount of $20.00"}]}},`+
				`"extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":10,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1990,"restoreRate":100.0}}}}`), nil
		}
		return store.Responder(r)
	})
	a := adapterOn(t, mt)
	_, _, err := a.Refund(ctx(t), "#1002", orders.RefundRequest{AmountMinor: 100, Currency: "EUR", Reason: "goodwill"}, "bizmcp-x")
	pe, _ := port.AsError(err)
	if pe == nil || pe.Kind != port.KindConflict || pe.Field != "transactions.0.amount" || !strings.Contains(pe.Message, "refundable amount of $20.00") || pe.Remaining != "EUR 45.00 refundable" {
		t.Fatalf("%+v", pe)
	}
}

// orderCancel runs as a job: the adapter polls it, then reads the order.
func TestCancelOrderJob(t *testing.T) {
	f := newFixture(t)
	o, w, err := f.a.CancelOrder(ctx(t), "#1002", orders.CancelRequest{Reason: "customer_request", Note: "changed mind"}, "bizmcp-c1")
	if err != nil || w.Replayed || o.Status != orders.StatusCancelled || o.Cancellation == nil || o.Cancellation.IdempotencyKey != "bizmcp-c1" ||
		o.Cancellation.Reason != "customer_request" || o.Cancellation.Note != "changed mind" || len(o.Refunds) != 1 || o.Refunds[0].Reason != "order_cancelled" {
		t.Fatalf("%+v %+v %v", o, w, err)
	}
	if f.store.Calls["Job"] != 1 || !strings.Contains(f.store.Bodies[1], `"reason":"CUSTOMER"`) || !strings.Contains(f.store.Bodies[1], `"originalPaymentMethodsRefund":true`) {
		t.Errorf("calls %v body %s", f.store.Calls, f.store.Bodies[1])
	}
	if _, w, err = f.a.CancelOrder(ctx(t), "#1002", orders.CancelRequest{Reason: "customer_request", Note: "changed mind"}, "bizmcp-c1"); err != nil || !w.Replayed || f.store.Calls["OrderCancel"] != 1 {
		t.Errorf("replay: %+v %v", w, err)
	}
	if _, _, err = f.a.CancelOrder(ctx(t), "#1001", orders.CancelRequest{Reason: "other"}, "bizmcp-c2"); !port.IsKind(err, port.KindConflict) {
		t.Errorf("shipped: %v", err)
	}
}

// A cancellation job still running when the call's deadline nears: the
// model hears that Shopify accepted it, the job, and how to check.
func TestCancelOrderJobStillRunning(t *testing.T) {
	f := newFixture(t)
	f.store.JobPolls = 1000
	short, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, _, err := f.a.CancelOrder(short, "#1002", orders.CancelRequest{Reason: "other"}, "bizmcp-c9")
	pe, _ := port.AsError(err)
	if pe == nil || pe.Kind != port.KindConflict || pe.Code != "JOB_PENDING" || !strings.Contains(pe.Message, "gid://shopify/Job/") || !strings.Contains(pe.Message, "Do not cancel again") {
		t.Fatalf("%+v", pe)
	}
	if f.store.Calls["Job"] == 0 || f.store.Calls["OrderCancel"] != 1 {
		t.Errorf("calls %v", f.store.Calls)
	}
}

// HTTP 429 with Retry-After is waited out and retried.
func TestHTTP429Retried(t *testing.T) {
	store := shopifytest.New()
	mt := httpmock.NewMockTransport()
	n := 0
	mt.RegisterResponder(http.MethodPost, endpoint, func(r *http.Request) (*http.Response, error) {
		if n++; n == 1 {
			resp := httpmock.NewStringResponse(http.StatusTooManyRequests, `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`)
			resp.Header.Set("Retry-After", "2")
			return resp, nil
		}
		return store.Responder(r)
	})
	a := adapterOn(t, mt)
	var slept []time.Duration
	a.c.sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	if o, err := a.GetOrder(ctx(t), "#1003", 1); err != nil || o.ID != "#1003" {
		t.Fatalf("%+v %v", o, err)
	}
	if n != 2 || len(slept) != 1 || slept[0] != 2*time.Second {
		t.Errorf("requests %d, slept %v", n, slept)
	}
}

func TestHTTPAndGraphQLErrors(t *testing.T) {
	cfg, _ := LoadConfig("orders-mcp", map[string]string{"SHOPIFY_SHOP": "acme.myshopify.com", "SHOPIFY_ACCESS_TOKEN": "shpat_wrong"})
	store := shopifytest.New()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, endpoint, store.Responder)
	a, _ := New(cfg, backend.NewHTTPClient(backend.Options{Name: "orders", Base: mt}), nil)
	pe, _ := port.AsError(a.Ping(ctx(t)))
	if pe == nil || pe.Kind != port.KindUnauthorized || pe.Setting != "SHOPIFY_ACCESS_TOKEN" {
		t.Errorf("401: %+v", pe)
	}
	mt2 := httpmock.NewMockTransport()
	mt2.RegisterResponder(http.MethodPost, endpoint, httpmock.NewStringResponder(200,
		`{"errors":[{"message":"Field 'estimatedDeliveryAt' doesn't exist on type 'Fulfillment'","locations":[{"line":3,"column":5}],"path":["query","order"],"extensions":{"code":"undefinedField","typeName":"Fulfillment","fieldName":"estimatedDeliveryAt"}}]}`))
	pe, _ = port.AsError(adapterOn(t, mt2).Ping(ctx(t)))
	if pe == nil || pe.Kind != port.KindMisconfigured || pe.Setting != "SHOPIFY_API_VERSION" {
		t.Errorf("schema mismatch: %+v", pe)
	}
	mt3 := httpmock.NewMockTransport()
	mt3.RegisterResponder(http.MethodPost, endpoint, httpmock.NewStringResponder(200,
		`{"errors":[{"message":"Access denied for order field. Required access: `+"`read_orders`"+` access scope.","extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes"}}],"data":{"order":null}}`))
	if _, err := adapterOn(t, mt3).GetOrder(ctx(t), "#1", 1); !port.IsKind(err, port.KindForbidden) {
		t.Errorf("access denied: %v", err)
	}
}

func TestLoadConfig(t *testing.T) {
	ok := map[string]string{"SHOPIFY_SHOP": "acme.myshopify.com", "SHOPIFY_ACCESS_TOKEN": "shpat_x"}
	c, err := LoadConfig("orders-mcp", ok)
	if err != nil || c.APIURL != "https://acme.myshopify.com/admin/api/2026-10/graphql.json" {
		t.Fatalf("%+v %v", c, err)
	}
	for env, want := range map[string]string{
		"SHOPIFY_SHOP=":                       "SHOPIFY_SHOP is not set",
		"SHOPIFY_SHOP=acme.com":               "myshopify domain",
		"SHOPIFY_ACCESS_TOKEN=":               "SHOPIFY_ACCESS_TOKEN is not set",
		"SHOPIFY_API_VERSION=2026-02":         "SHOPIFY_API_VERSION",
		"SHOPIFY_API_URL=http://example.com/": "SHOPIFY_API_URL",
		"SHOPIFY_REGION_MAP=US:na":            "SHOPIFY_REGION_MAP",
		"SHOPIFY_REGION_BY=zip":               "SHOPIFY_REGION_BY",
	} {
		e := map[string]string{}
		for k, v := range ok {
			e[k] = v
		}
		k, v, _ := strings.Cut(env, "=")
		e[k] = v
		if _, err := LoadConfig("orders-mcp", e); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", env, err)
		}
	}
	e := map[string]string{"SHOPIFY_API_URL": "http://127.0.0.1:9/graphql.json", "SHOPIFY_REGION_MAP": "US=na, *=emea"}
	for k, v := range ok {
		e[k] = v
	}
	if c, err = LoadConfig("orders-mcp", e); err != nil {
		t.Fatal(err)
	}
	r, _ := c.regionRule()
	if r.of("us", nil) != "na" || r.of("FR", nil) != "emea" {
		t.Errorf("region map %+v", r)
	}
}

func TestMinorUnits(t *testing.T) {
	for _, tc := range []struct {
		in, cur string
		want    int64
	}{{"12.5", "USD", 1250}, {"0.0", "USD", 0}, {"1500.0", "JPY", 1500}, {"-3.00", "EUR", -300}, {"120.50", "USD", 12050}, {"7", "GBP", 700}} {
		got, err := minor(tc.in, tc.cur)
		if err != nil || got != tc.want {
			t.Errorf("%s %s: %d %v", tc.in, tc.cur, got, err)
		}
		if back, _ := minor(decimal(got, tc.cur), tc.cur); back != got {
			t.Errorf("%s round trip %s", tc.in, decimal(got, tc.cur))
		}
	}
	for _, bad := range []string{"1.005", "abc", "", "1e3", "12.3.4"} {
		if _, err := minor(bad, "USD"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzMinorUnits(f *testing.F) {
	for _, s := range []string{"12.5", "0.0", "-3.00", "99999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := minor(s, "USD")
		if err != nil {
			return
		}
		if back, err := minor(decimal(n, "USD"), "USD"); err != nil || back != n {
			t.Fatalf("%q -> %d -> %q -> %d %v", s, n, decimal(n, "USD"), back, err)
		}
	})
}

func TestMarkRoundTrip(t *testing.T) {
	note, reason, key := unmark(mark("[ref T-1] box dented", "damaged", "bizmcp-0a1b"))
	if note != "[ref T-1] box dented" || reason != "damaged" || key != "bizmcp-0a1b" {
		t.Errorf("%q %q %q", note, reason, key)
	}
	if k := safeKey("key with spaces"); !keyChars().MatchString(k) || k == "key with spaces" {
		t.Errorf("unsafe key kept: %s", k)
	}
	long := strings.Repeat("k", maxKeyLen+1)
	if k := safeKey(long); k == long || len(k) > maxKeyLen {
		t.Errorf("over-long key kept: %d chars", len(k))
	}
	if k := safeKey(long[1:]); k != long[1:] {
		t.Errorf("key of %d chars hashed", maxKeyLen)
	}
	// A mark with an over-long key is not one of the adapter's marks.
	if note, _, key := unmark("x [bizmcp reason=goodwill key=" + long + "]"); key != "" || !strings.HasPrefix(note, "x [bizmcp") {
		t.Errorf("over-long mark read: %q %q", note, key)
	}
}

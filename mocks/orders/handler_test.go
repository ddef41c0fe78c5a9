package orders

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/mocks/internal/apitest"
)

var fixedNow = time.Date(2026, 2, 24, 16, 0, 0, 0, time.UTC)

type apiResp struct {
	status int
	header http.Header
	body   []byte
}

func (r apiResp) decode(t *testing.T, v any) {
	t.Helper()
	apitest.Decode(t, r.body, v)
}

type errBody struct {
	Error struct {
		Code                string `json:"code"`
		Message             string `json:"message"`
		RefundableRemaining *Money `json:"refundable_remaining"`
	} `json:"error"`
}

func (r apiResp) err(t *testing.T) errBody {
	t.Helper()
	var e errBody
	r.decode(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("error without code or message: %s", r.body)
	}
	return e
}

// newAPI serves the sample data over a real loopback server.
func newAPI(t *testing.T) (*Store, func(method, path, body string, hdr ...string) apiResp) {
	t.Helper()
	s := SampleStore()
	s.SetClock(func() time.Time { return fixedNow })
	do := apitest.Serve(t, NewHandler(s), true)
	return s, func(method, path, body string, hdr ...string) apiResp {
		t.Helper()
		status, header, b := do(method, path, body, hdr...)
		return apiResp{status, header, b}
	}
}

func TestGetAndNotFound(t *testing.T) {
	_, call := newAPI(t)
	r := call("GET", "/orders/"+DemoOrderID, "")
	var o Order
	r.decode(t, &o)
	if r.status != 200 || o.ID != DemoOrderID || o.Shipping.TrackingNumber != "7749281934" || len(o.LineItems) != 3 {
		t.Fatalf("%d %+v", r.status, o)
	}
	r = call("GET", "/orders/ORD-1", "")
	if r.status != 404 || r.err(t).Error.Code != "not_found" {
		t.Errorf("404: %d %s", r.status, r.body)
	}
	if r = call("GET", "/health", ""); r.status != 200 {
		t.Errorf("health %d", r.status)
	}
	if r = call("DELETE", "/orders/"+DemoOrderID, ""); r.status != 405 {
		t.Errorf("DELETE: %d", r.status)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	_, call := newAPI(t)
	var res listResponse
	call("GET", "/orders?customer_id=C-1004&limit=100", "").decode(t, &res)
	if res.Total < 4 || len(res.Orders) != res.Total {
		t.Fatalf("C-1004: %d of %d", len(res.Orders), res.Total)
	}
	for i, o := range res.Orders {
		if o.CustomerID != "C-1004" || (i > 0 && res.Orders[i-1].CreatedAt.Before(o.CreatedAt)) {
			t.Errorf("order %d: %s %s", i, o.ID, o.CustomerID)
		}
	}
	var byEmail listResponse
	call("GET", "/orders?customer_email=SANTIAGO.SANCHEZ@costa-consultores.example&limit=100", "").decode(t, &byEmail)
	if byEmail.Total != res.Total {
		t.Errorf("by email %d, by id %d", byEmail.Total, res.Total)
	}
	var st listResponse
	call("GET", "/orders?status=pending&region=na&created_from=2026-02-23&created_to=2026-02-24T12:00:00Z", "").decode(t, &st)
	if st.Total == 0 {
		t.Error("no pending na orders on Feb 23-24")
	}
	for _, o := range st.Orders {
		if o.Status != "pending" || o.Region != "na" || o.CreatedAt.Before(time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)) || !o.CreatedAt.Before(time.Date(2026, 2, 24, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("filter leak: %+v", o)
		}
	}
	seen := map[string]bool{}
	for off := 0; ; off += 40 {
		var p listResponse
		call("GET", "/orders?limit=40&offset="+itoa(off), "").decode(t, &p)
		for _, o := range p.Orders {
			if seen[o.ID] {
				t.Fatalf("%s twice", o.ID)
			}
			seen[o.ID] = true
		}
		if off+40 >= p.Total {
			break
		}
	}
	if len(seen) != SampleCount {
		t.Errorf("paged %d of %d", len(seen), SampleCount)
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=x", "offset=-1", "status=lost", "region=mars", "created_from=yesterday"} {
		r := call("GET", "/orders?"+q, "")
		if r.status != 400 || r.err(t).Error.Code != "bad_request" {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestItemsPaging(t *testing.T) {
	_, call := newAPI(t)
	var res itemsResponse
	call("GET", "/orders/"+LargeOrderID+"/items?limit=200&offset=200", "").decode(t, &res)
	if res.Total != LargeOrderLines || len(res.Items) != LargeOrderLines-200 || res.Items[0].ID != "L201" {
		t.Fatalf("%d %d %+v", res.Total, len(res.Items), res.Items[0])
	}
	call("GET", "/orders/"+LargeOrderID+"/items?q=store+%2307", "").decode(t, &res)
	if res.Total != 20 {
		t.Errorf("store #07: %d lines", res.Total)
	}
	if r := call("GET", "/orders/ORD-1/items", ""); r.status != 404 {
		t.Errorf("%d", r.status)
	}
	if r := call("GET", "/orders/"+LargeOrderID+"/items?limit=500", ""); r.status != 400 {
		t.Errorf("%d", r.status)
	}
}

func TestCancel(t *testing.T) {
	s, call := newAPI(t)
	r := call("POST", "/orders/"+PendingOrderID+"/cancel", `{"reason":"customer_request","note":"changed mind"}`, "Idempotency-Key", "k1")
	var o Order
	r.decode(t, &o)
	if r.status != 200 || o.Status != StatusCancelled || o.Cancellation.IdempotencyKey != "k1" || !o.CancelledAt.Equal(fixedNow) || len(o.Refunds) != 0 || o.Payment.Status != "voided" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	again := call("POST", "/orders/"+PendingOrderID+"/cancel", `{"reason":"customer_request","note":"changed mind"}`, "Idempotency-Key", "k1")
	if again.status != 200 || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(r.body) {
		t.Errorf("replay: %d %v", again.status, again.header)
	}
	if c := call("POST", "/orders/"+PendingOrderID+"/cancel", `{"reason":"other"}`, "Idempotency-Key", "k1"); c.status != 409 || c.err(t).Error.Code != "idempotency_conflict" {
		t.Errorf("key reuse: %d %s", c.status, c.body)
	}
	if c := call("POST", "/orders/"+PendingOrderID+"/cancel", `{"reason":"customer_request"}`, "Idempotency-Key", "k2"); c.status != 409 || c.err(t).Error.Code != "not_cancellable" {
		t.Errorf("cancel twice: %d %s", c.status, c.body)
	}
	// A paid order is refunded in full.
	r = call("POST", "/orders/"+PaidOrderID+"/cancel", `{"reason":"duplicate_order"}`)
	r.decode(t, &o)
	if o.Status != StatusCancelled || len(o.Refunds) != 1 || o.Refunds[0].Amount != o.Total || o.RefundableRemaining.AmountMinor != 0 || o.Refunds[0].Reason != "order_cancelled" {
		t.Errorf("paid cancel: %s", r.body)
	}
	// Shipped and delivered orders are refused.
	c := call("POST", "/orders/"+DemoOrderID+"/cancel", `{"reason":"customer_request"}`)
	if e := c.err(t); c.status != 409 || e.Error.Code != "not_cancellable" || !strings.Contains(e.Error.Message, "7749281934") {
		t.Errorf("shipped: %d %s", c.status, c.body)
	}
	for _, body := range []string{`{"reason":"bored"}`, `{}`, `{"reason":"other","x":1}`, `not json`, `{"reason":"other","note":"` + strings.Repeat("n", MaxNoteChars+1) + `"}`} {
		if c := call("POST", "/orders/"+PendingOrderID2+"/cancel", body); c.status != 400 {
			t.Errorf("%.30s: %d", body, c.status)
		}
	}
	if c := call("POST", "/orders/ORD-1/cancel", `{"reason":"other"}`); c.status != 404 {
		t.Errorf("404: %d", c.status)
	}
	if got, _ := s.Get(PendingOrderID2); got.Status != StatusPending {
		t.Error("rejected cancel changed the order")
	}
}

func TestRefund(t *testing.T) {
	s, call := newAPI(t)
	path := "/orders/" + PartiallyRefundedOrderID + "/refunds"
	r := call("POST", path, `{"amount_minor":2500,"currency":"USD","reason":"damaged"}`, "Idempotency-Key", "r1")
	var res RefundResult
	r.decode(t, &res)
	if r.status != 201 || res.Refund.Amount != (Money{2500, "USD"}) || res.Refund.ID != "RF-49005-02" || res.Order.RefundableRemaining.AmountMinor != 52391-2500 || res.Order.Status != StatusPartiallyRefunded || res.Refund.IdempotencyKey != "r1" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	again := call("POST", path, `{"amount_minor":2500,"currency":"USD","reason":"damaged"}`, "Idempotency-Key", "r1")
	if again.status != 200 || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(r.body) {
		t.Errorf("replay: %d %s", again.status, again.body)
	}
	if o, _ := s.Get(PartiallyRefundedOrderID); len(o.Refunds) != 2 {
		t.Errorf("%d refunds after a replay", len(o.Refunds))
	}
	over := call("POST", path, `{"amount_minor":60000,"currency":"USD","reason":"damaged"}`, "Idempotency-Key", "r2")
	e := over.err(t)
	if over.status != 409 || e.Error.Code != "refund_exceeds_remaining" || !strings.Contains(e.Error.Message, "at most USD 498.91") || e.Error.RefundableRemaining == nil || e.Error.RefundableRemaining.AmountMinor != 49891 {
		t.Errorf("over-refund: %d %s", over.status, over.body)
	}
	if c := call("POST", path, `{"amount_minor":100,"currency":"EUR","reason":"damaged"}`); c.status != 400 || c.err(t).Error.Code != "currency_mismatch" {
		t.Errorf("currency: %d %s", c.status, c.body)
	}
	// Omitted amount = the whole remainder.
	r = call("POST", path, `{"currency":"USD","reason":"goodwill"}`)
	r.decode(t, &res)
	if r.status != 201 || res.Refund.Amount.AmountMinor != 49891 || res.Order.Status != StatusRefunded || res.Order.RefundableRemaining.AmountMinor != 0 {
		t.Errorf("full: %d %s", r.status, r.body)
	}
	if c := call("POST", path, `{"currency":"USD","reason":"goodwill"}`); c.status != 409 || !strings.Contains(c.err(t).Error.Message, "fully refunded") {
		t.Errorf("nothing left: %d %s", c.status, c.body)
	}
	if c := call("POST", "/orders/"+PendingOrderID+"/refunds", `{"currency":"USD","reason":"goodwill"}`); c.status != 409 || c.err(t).Error.Code != "not_refundable" {
		t.Errorf("pending: %d %s", c.status, c.body)
	}
	for _, body := range []string{`{"amount_minor":0,"currency":"USD","reason":"damaged"}`, `{"amount_minor":-5,"currency":"USD","reason":"damaged"}`,
		`{"currency":"usd","reason":"damaged"}`, `{"currency":"USD","reason":"because"}`, `{"amount_minor":"5","currency":"USD","reason":"damaged"}`} {
		if c := call("POST", "/orders/"+DemoOrderID+"/refunds", body); c.status != 400 {
			t.Errorf("%s: %d", body, c.status)
		}
	}
	// A shipped order can be refunded in part and keeps its shipment.
	r = call("POST", "/orders/"+DemoOrderID+"/refunds", `{"amount_minor":1000,"currency":"USD","reason":"late_delivery"}`)
	r.decode(t, &res)
	if r.status != 201 || res.Order.Status != StatusPartiallyRefunded || res.Order.Shipping.TrackingNumber != "7749281934" {
		t.Errorf("shipped refund: %s", r.body)
	}
}

// Concurrent retries of one refund create it once.
func TestRefundConcurrentRetries(t *testing.T) {
	s, call := newAPI(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			call("POST", "/orders/"+PaidOrderID2+"/refunds", `{"amount_minor":500,"currency":"USD","reason":"goodwill"}`, "Idempotency-Key", "same")
		}()
	}
	wg.Wait()
	if o, _ := s.Get(PaidOrderID2); len(o.Refunds) != 1 {
		t.Errorf("%d refunds", len(o.Refunds))
	}
}

func TestFixtures(t *testing.T) {
	d := NewDomain()
	err := d.LoadFixtures(json.RawMessage(`{"orders":[{"id":"ORD-1","customer_id":"C-1","status":"paid","currency":"EUR","paid_at":"2026-01-01T00:00:00Z",
		"total":{"amount_minor":1000,"currency":"EUR"},"line_items":[{"id":"L1","sku":"X","name":"x","quantity":2,"unit_price":{"amount_minor":500,"currency":"EUR"},"total":{"amount_minor":1000,"currency":"EUR"}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	o, err := d.Store().Get("ORD-1")
	if err != nil || o.UnitCount != 2 || o.RefundableRemaining.AmountMinor != 1000 || d.Store().Len() != 1 || o.Notes == nil {
		t.Errorf("%+v %v", o, err)
	}
	for _, bad := range []string{`{}`, `{"orders":[{"id":"ORD-1"}]}`, `{"orders":[{"id":"ORD-1","customer_id":"C","status":"lost","currency":"EUR"}]}`,
		`{"orders":[{"id":"ORD-1","customer_id":"C","status":"paid","currency":"EUR","total":{"amount_minor":1,"currency":"USD"}}]}`,
		`{"orders":[],"extra":1}`} {
		if err := d.LoadFixtures(json.RawMessage(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

package reference

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/jarcoal/httpmock"
)

const base = "http://orders.test/orders"

// client is a Client for base over mt that retries twice, fast.
func client(t *testing.T, mt *httpmock.MockTransport) *Client {
	return apptest.APIClient(t, New, "orders", base, mt)
}

func TestList(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponderWithQuery("GET", base+"/orders",
		"customer_email=a%40b.example&status=shipped&created_from=2026-02-01&created_to=2026-02-25&limit=5&offset=10",
		httpmock.NewJsonResponderOrPanic(200, ListResult{Orders: []Summary{{ID: "ORD-1", Total: Money{100, "USD"}}}, Total: 11, Offset: 10, Limit: 5}))
	res, err := client(t, mt).List(context.Background(), ListQuery{CustomerEmail: "a@b.example", Status: "shipped", CreatedFrom: "2026-02-01", CreatedTo: "2026-02-25", Limit: 5, Offset: 10})
	if err != nil || res.Total != 11 || res.Orders[0].ID != "ORD-1" || res.Orders[0].Total.AmountMinor != 100 {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestGetAndItemsMapErrors(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/orders/ORD-48291", httpmock.NewStringResponder(200,
		`{"id":"ORD-48291","status":"shipped","paid_at":"2026-02-22T22:17:00Z","cancelled_at":null,"shipping":{"carrier":"fedex","tracking_number":"7749281934","delivered_at":null},"cancellation":null,"unknown_field":{"x":1}}`))
	mt.RegisterResponder("GET", base+"/orders/ORD-404", httpmock.NewStringResponder(404, `{"error":{"code":"not_found","message":"no order ORD-404"}}`))
	mt.RegisterResponder("GET", base+"/orders/ORD-500", httpmock.NewStringResponder(500, `oops`))
	mt.RegisterResponder("GET", base+"/orders/ORD-bad", httpmock.NewStringResponder(200, `{"id": 5`))
	mt.RegisterResponderWithQuery("GET", base+"/orders/ORD-1/items", "q=chair&limit=25&offset=50",
		httpmock.NewJsonResponderOrPanic(200, ItemsResult{OrderID: "ORD-1", Items: []LineItem{{ID: "L051", SKU: "CHR"}}, Total: 51, Offset: 50, Limit: 25}))
	c := client(t, mt)
	got, err := c.Get(context.Background(), "ORD-48291")
	if err != nil || got.Shipping.TrackingNumber != "7749281934" || got.Shipping.DeliveredAt != "" || got.Cancellation != nil || got.PaidAt == "" {
		t.Fatalf("%+v %v", got, err)
	}
	items, err := c.Items(context.Background(), "ORD-1", "chair", 25, 50)
	if err != nil || items.Total != 51 || items.Items[0].ID != "L051" {
		t.Fatalf("%+v %v", items, err)
	}
	for id, kind := range map[string]backend.Kind{"ORD-404": backend.KindNotFound, "ORD-500": backend.KindUnavailable, "ORD-bad": backend.KindMalformed} {
		_, err := c.Get(context.Background(), id)
		if be, _ := backend.AsError(err); be == nil || be.Kind != kind {
			t.Errorf("%s: %v, want %s", id, err, kind)
		}
	}
	if be, _ := backend.AsError(func() error { _, err := c.Get(context.Background(), "ORD-404"); return err }()); be.Message != "no order ORD-404" {
		t.Errorf("message %q", be.Message)
	}
	if n := mt.GetCallCountInfo()["GET "+base+"/orders/ORD-500"]; n != 3 {
		t.Errorf("ORD-500: %d attempts, want 3 (1 + 2 retries)", n)
	}
}

// Writes carry the Idempotency-Key; a failed attempt is retried with the
// same key and body, and a replay is reported.
func TestWritesSendIdempotencyKey(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var bodies []string
	mt.RegisterResponder("POST", base+"/orders/ORD-1/refunds", func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Idempotency-Key") != "key-1" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v", r.Header)
		}
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if len(bodies) == 1 {
			return httpmock.NewStringResponse(503, `{}`), nil
		}
		resp := httpmock.NewStringResponse(201, `{"refund":{"id":"RF-1-01","amount":{"amount_minor":250,"currency":"USD"}},"order":{"id":"ORD-1","status":"partially_refunded"}}`)
		resp.Header.Set("Idempotent-Replayed", "true")
		return resp, nil
	})
	amt := int64(250)
	res, meta, err := client(t, mt).Refund(context.Background(), "ORD-1", RefundRequest{AmountMinor: &amt, Currency: "USD", Reason: "damaged"}, "key-1")
	if err != nil || res.Refund.ID != "RF-1-01" || res.Order.Status != "partially_refunded" || !meta.Replayed {
		t.Fatalf("%+v %+v %v", res, meta, err)
	}
	if len(bodies) != 2 || bodies[0] != bodies[1] || bodies[0] != `{"amount_minor":250,"currency":"USD","reason":"damaged"}` {
		t.Errorf("bodies %q", bodies)
	}
	// The whole remainder: amount_minor omitted.
	mt.RegisterResponder("POST", base+"/orders/ORD-2/refunds", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		if _, ok := m["amount_minor"]; ok {
			t.Errorf("full refund sent an amount: %s", b)
		}
		return httpmock.NewStringResponse(409, `{"error":{"code":"refund_exceeds_remaining","message":"order ORD-2 is already fully refunded","refundable_remaining":{"amount_minor":0,"currency":"USD"}}}`), nil
	})
	_, _, err = client(t, mt).Refund(context.Background(), "ORD-2", RefundRequest{Currency: "USD", Reason: "goodwill"}, "key-2")
	if be, _ := backend.AsError(err); be == nil || be.Kind != backend.KindConflict || be.Code != "refund_exceeds_remaining" {
		t.Errorf("409: %v", err)
	}
	if n := mt.GetCallCountInfo()["POST "+base+"/orders/ORD-2/refunds"]; n != 1 {
		t.Errorf("a 409 was retried: %d attempts", n)
	}
	mt.RegisterResponder("POST", base+"/orders/ORD-3/cancel", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Idempotency-Key") != "key-3" || string(b) != `{"reason":"customer_request"}` {
			t.Errorf("cancel %v %s", r.Header, b)
		}
		return httpmock.NewStringResponse(200, `{"id":"ORD-3","status":"cancelled","cancellation":{"reason":"customer_request","idempotency_key":"key-3"}}`), nil
	})
	o, meta, err := client(t, mt).Cancel(context.Background(), "ORD-3", CancelRequest{Reason: "customer_request"}, "key-3")
	if err != nil || o.Status != "cancelled" || o.Cancellation.IdempotencyKey != "key-3" || meta.Replayed {
		t.Fatalf("%+v %+v %v", o, meta, err)
	}
}

// A POST without a key is never retried (it could apply twice).
func TestWriteWithoutKeyNotRetried(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", base+"/orders/ORD-1/cancel", httpmock.NewStringResponder(503, `{}`))
	_, _, err := client(t, mt).Cancel(context.Background(), "ORD-1", CancelRequest{Reason: "other"}, "")
	if be, _ := backend.AsError(err); be == nil || be.Kind != backend.KindUnavailable {
		t.Errorf("%v", err)
	}
	if n := mt.GetCallCountInfo()["POST "+base+"/orders/ORD-1/cancel"]; n != 1 {
		t.Errorf("%d attempts", n)
	}
}

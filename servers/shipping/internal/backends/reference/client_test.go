package reference

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/jarcoal/httpmock"
)

const base = "http://shipping.test/shipping"

// client is a Client for base over mt that retries twice, fast.
func client(t *testing.T, mt *httpmock.MockTransport) *Client {
	return apptest.APIClient(t, New, "shipping", base, mt)
}

func TestTrackEscapesAndMapsErrors(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/tracking/fedex/7749281934", httpmock.NewJsonResponderOrPanic(200, Tracking{
		Carrier: "fedex", TrackingNumber: "7749281934", Status: "in_transit", EstimatedDelivery: "2026-02-26",
		Events: []Event{{At: "2026-02-24T09:55:00Z", Description: "Arrived at FedEx hub", Location: Location{City: "Salt Lake City"}}},
	}))
	mt.RegisterResponder("GET", base+"/tracking/ups/1Z404", httpmock.NewStringResponder(404, `{"error":{"code":"not_found","message":"no UPS shipment with tracking number 1Z404"}}`))
	mt.RegisterResponder("GET", `=~^`+base+`/tracking/dhl/a%2Fb`, httpmock.NewStringResponder(404, `{}`))
	mt.RegisterResponder("GET", base+"/tracking/usps/500", httpmock.NewStringResponder(503, `{"error":{"code":"unavailable","message":"try later"}}`))
	mt.RegisterResponder("GET", base+"/tracking/fedex/bad", httpmock.NewStringResponder(200, `{"status": `))
	c := client(t, mt)
	got, err := c.Track(context.Background(), "FedEx", "7749281934")
	if err != nil || got.Status != "in_transit" || got.EstimatedDelivery != "2026-02-26" || got.Events[0].Location.City != "Salt Lake City" {
		t.Fatalf("%+v %v", got, err)
	}
	for _, tc := range []struct {
		carrier, number string
		kind            backend.Kind
	}{
		{"ups", "1Z404", backend.KindNotFound}, {"dhl", "a/b", backend.KindNotFound},
		{"usps", "500", backend.KindUnavailable}, {"fedex", "bad", backend.KindMalformed},
	} {
		_, err := c.Track(context.Background(), tc.carrier, tc.number)
		if be, _ := backend.AsError(err); be == nil || be.Kind != tc.kind {
			t.Errorf("%s/%s: %v, want %s", tc.carrier, tc.number, err, tc.kind)
		}
	}
	_, err = c.Track(context.Background(), "ups", "1Z404")
	if be, _ := backend.AsError(err); be == nil || be.Code != "not_found" || !strings.Contains(be.Message, "1Z404") {
		t.Errorf("backend code and message lost: %+v", be)
	}
	if n := mt.GetCallCountInfo()["GET "+base+"/tracking/usps/500"]; n != 3 {
		t.Errorf("5xx: %d attempts, want 3 (1 + 2 retries)", n)
	}
}

func TestBuyLabelSendsKeyAndIsRetried(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var keys []string
	var bodies []LabelRequest
	mt.RegisterResponder("POST", base+"/labels", func(r *http.Request) (*http.Response, error) {
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		var lr LabelRequest
		if err := json.Unmarshal(b, &lr); err != nil {
			t.Error(err)
		}
		bodies = append(bodies, lr)
		if len(keys) == 1 {
			return httpmock.NewStringResponse(502, `{"error":{"code":"bad_gateway","message":"upstream"}}`), nil
		}
		resp := httpmock.NewStringResponse(200, `{"id":"lbl_1","tracking_number":"791234567890","carrier":"fedex","amount":{"amount_minor":1829,"currency":"USD"},"label_url":"/shipping/labels/lbl_1.pdf"}`)
		resp.Header.Set("Idempotent-Replayed", "true")
		return resp, nil
	})
	req := LabelRequest{RateID: "rate_0123456789abcdef", Reference: "ORD-1", Format: "pdf", MaxAmountMinor: 5000}
	l, meta, err := client(t, mt).BuyLabel(context.Background(), shipping.LabelRequest(req), "key-1")
	if err != nil || l.TrackingNumber != "791234567890" || l.Amount.AmountMinor != 1829 || !meta.Replayed {
		t.Fatalf("%+v %+v %v", l, meta, err)
	}
	if len(keys) != 2 || keys[0] != "key-1" || keys[1] != "key-1" || bodies[1] != req {
		t.Errorf("retry must resend the same key and body: %v %+v", keys, bodies)
	}
}

func TestBuyLabelWithoutKeyIsNotRetried(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", base+"/labels", httpmock.NewStringResponder(503, `{}`))
	_, _, err := client(t, mt).BuyLabel(context.Background(), shipping.LabelRequest{RateID: "rate_x"}, "")
	if be, _ := backend.AsError(err); be == nil || be.Kind != backend.KindUnavailable {
		t.Fatalf("%v", err)
	}
	if n := mt.GetCallCountInfo()["POST "+base+"/labels"]; n != 1 {
		t.Errorf("a keyless purchase was sent %d times", n)
	}
}

func TestRefusalsKeepTheirCode(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", base+"/labels/lbl_7749281934/void", httpmock.NewStringResponder(409,
		`{"error":{"code":"label_already_scanned","message":"label lbl_7749281934 cannot be voided"}}`))
	mt.RegisterResponder("GET", base+"/rates/rate_old", httpmock.NewStringResponder(410, `{"error":{"code":"rate_expired","message":"rate rate_old has expired"}}`))
	mt.RegisterResponder("POST", base+"/rates", httpmock.NewStringResponder(400,
		`{"error":{"code":"invalid_address","message":"to.postal_code: postal_code '9021' is not a US ZIP code; did you mean 90210?","details":[{"field":"to.postal_code"}]}}`))
	c := client(t, mt)
	_, _, err := c.VoidLabel(context.Background(), "lbl_7749281934", "k")
	if be, _ := backend.AsError(err); be == nil || be.Kind != backend.KindConflict || be.Code != "label_already_scanned" {
		t.Errorf("void: %v", err)
	}
	_, err = c.Rate(context.Background(), "rate_old")
	if be, _ := backend.AsError(err); be == nil || be.Code != "rate_expired" {
		t.Errorf("rate: %v", err)
	}
	_, err = c.Quote(context.Background(), shipping.RateRequest{To: shipping.Address{Line1: "x", City: "y", Country: "US"}})
	if be, _ := backend.AsError(err); be == nil || be.Kind != backend.KindBadRequest || be.Code != "invalid_address" || !strings.Contains(be.Message, "90210") {
		t.Errorf("quote: %v", err)
	}
}

func TestReadLikePostsAreRetriedWithOneKey(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var keys []string
	mt.RegisterResponder("POST", base+"/addresses/validate", func(r *http.Request) (*http.Response, error) {
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		if len(keys) == 1 {
			return httpmock.NewStringResponse(500, `{}`), nil
		}
		return httpmock.NewStringResponse(200, `{"valid":true,"address":{"line1":"1 Main St","city":"Austin","state":"TX","postal_code":"78701","country":"US"},"errors":[],"warnings":[],"changes":[]}`), nil
	})
	c := client(t, mt)
	v, err := c.ValidateAddress(context.Background(), shipping.Address{Line1: "1 Main St", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"})
	if err != nil || !v.Valid || v.Address.PostalCode != "78701" {
		t.Fatalf("%+v %v", v, err)
	}
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Errorf("keys %v", keys)
	}
	keys = nil
	if _, err := c.ValidateAddress(context.Background(), shipping.Address{Line1: "1 Main St", City: "Austin", Country: "US"}); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != keys[1] {
		t.Errorf("keys %v", keys)
	}
}

func TestQuoteAndRate(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", base+"/rates", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), `"from"`) {
			t.Errorf("a nil from must be omitted: %s", b)
		}
		return httpmock.NewStringResponse(200, `{"id":"quo_000001","rates":[{"id":"rate_a","carrier":"usps","service":"ground","amount":{"amount_minor":862,"currency":"USD"},"transit_days":3}],"messages":[]}`), nil
	})
	mt.RegisterResponder("GET", base+"/rates/rate_a", httpmock.NewJsonResponderOrPanic(200, Rate{ID: "rate_a", Amount: Money{862, "USD"}, Status: "available"}))
	c := client(t, mt)
	q, err := c.Quote(context.Background(), shipping.RateRequest{To: shipping.Address{Line1: "x", City: "y", Country: "US"}, Parcel: shipping.Parcel{WeightGrams: 1000, LengthMM: 100, WidthMM: 100, HeightMM: 100}})
	if err != nil || len(q.Rates) != 1 || q.Rates[0].Amount.AmountMinor != 862 {
		t.Fatalf("%+v %v", q, err)
	}
	r, err := c.Rate(context.Background(), "rate_a")
	if err != nil || r.Status != "available" {
		t.Fatalf("%+v %v", r, err)
	}
	l, err := func() (*shipping.Label, error) {
		mt.RegisterResponder("GET", base+"/labels/lbl_1", httpmock.NewJsonResponderOrPanic(200, Label{ID: "lbl_1", Status: "purchased"}))
		return c.Label(context.Background(), "lbl_1")
	}()
	if err != nil || l.Status != "purchased" {
		t.Fatalf("%+v %v", l, err)
	}
}

func TestLabelFileResolution(t *testing.T) {
	c := client(t, httpmock.NewMockTransport())
	for raw, want := range map[string]shipping.LabelFile{
		"/shipping/labels/lbl_1.pdf":         {URL: "http://shipping.test/shipping/labels/lbl_1.pdf", Configured: true},
		"https://labels.ups.example/l/1.pdf": {URL: "https://labels.ups.example/l/1.pdf"},
		"//evil.example/x.pdf":               {URL: "//evil.example/x.pdf"},
		"/shipping/../../etc/passwd":         {URL: "/shipping/../../etc/passwd"},
		"/a b.pdf":                           {URL: "/a b.pdf"},
		"":                                   {},
	} {
		if got := c.labelFile(raw); got != want {
			t.Errorf("%q: %+v, want %+v", raw, got, want)
		}
	}
	c2, err := NewWithLabelBase(base, "https://labels.internal.example/ignored/path", http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	if got := c2.labelFile("/shipping/labels/lbl_1.zpl"); got.URL != "https://labels.internal.example/shipping/labels/lbl_1.zpl" || !got.Configured {
		t.Errorf("label base: %+v", got)
	}
}

package easypost

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/backends/easypost/easyposttest"
	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/jarcoal/httpmock"
)

const (
	base    = "https://api.easypost.test/v2"
	testKey = "EZTK0123456789abcdef"
)

var fx = easyposttest.Fixture

// client is a Client for base over mt (retries twice, fast).
func client(t *testing.T, mt *httpmock.MockTransport) *Client {
	t.Helper()
	c := apptest.APIClient(t, func(u string, hc *http.Client) (*Client, error) { return New(u, testKey, hc) }, "shipping", base, mt)
	c.rateLimitWait = time.Millisecond
	return c
}

// respond answers with status and body, checking the API key is sent as the
// HTTP Basic user; seen receives each request's body.
func respond(t *testing.T, status int, body []byte, seen *[]map[string]any) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		if user, pass, ok := r.BasicAuth(); !ok || user != testKey || pass != "" {
			t.Errorf("%s %s: basic auth %q %q %v", r.Method, r.URL.Path, user, pass, ok)
		}
		if seen != nil {
			var m map[string]any
			if r.Body != nil {
				b, _ := io.ReadAll(r.Body)
				json.Unmarshal(b, &m)
			}
			*seen = append(*seen, m)
		}
		resp := httpmock.NewBytesResponse(status, body)
		resp.Header.Set("Content-Type", "application/json; charset=utf-8")
		resp.Header.Set("X-Ep-Request-Uuid", "0f4d6c1e8a2b4f3c9d7e5a1b3c5d7e9f")
		return resp, nil
	}
}

func wantKind(t *testing.T, err error, kind port.Kind, code string) *port.Error {
	t.Helper()
	e, ok := port.AsError(err)
	if !ok || e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("error %v (%T), want kind %s code %q", err, err, kind, code)
	}
	return e
}

func TestValidateAddress(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var sent []map[string]any
	mt.RegisterResponder("POST", base+"/addresses", respond(t, 201, fx("address_verified.json"), &sent))
	in := shipping.Address{Name: "Ada Park", Line1: "174 East 6th Street", City: "Austin", State: "TX", PostalCode: "78701", Country: "US", Phone: "5125550142"}
	v, err := client(t, mt).ValidateAddress(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Valid || !v.Residential || v.Address.Line1 != "174 E 6TH ST" || v.Address.PostalCode != "78701-3617" || len(v.Errors) != 0 {
		t.Errorf("%+v", v)
	}
	if got := strings.Join(v.Changes, ","); got != "line1,postal_code" {
		t.Errorf("changes %q", got)
	}
	addr, _ := sent[0]["address"].(map[string]any)
	if sent[0]["verify"] != true || addr["street1"] != "174 East 6th Street" || addr["zip"] != "78701" || addr["line1"] != nil {
		t.Errorf("request body %v", sent[0])
	}
}

func TestValidateAddressInvalid(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", base+"/addresses", respond(t, 201, fx("address_unverified.json"), nil))
	v, err := client(t, mt).ValidateAddress(context.Background(), shipping.Address{Line1: "Wilshire Blvd", City: "Beverly Hills", State: "CA", PostalCode: "9021", Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Valid || len(v.Errors) != 2 {
		t.Fatalf("%+v", v)
	}
	if e := v.Errors[0]; e.Field != "line1" || e.Message != "House number is missing" || e.Suggestion != "" {
		t.Errorf("%+v", e)
	}
	if e := v.Errors[1]; e.Field != "postal_code" || e.Suggestion != "90210" || e.Code != "E.ZIP.INVALID" {
		t.Errorf("%+v", e)
	}
}

func TestQuote(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var sent []map[string]any
	mt.RegisterResponder("POST", base+"/shipments", respond(t, 201, fx("shipment.json"), &sent))
	c := client(t, mt)
	to := shipping.Address{Name: "Ada Park", Line1: "174 East 6th Street", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"}
	parcel := shipping.Parcel{WeightGrams: 2000, LengthMM: 300, WidthMM: 200, HeightMM: 100}
	// Without a from address or EASYPOST_FROM_ADDRESS_ID, nothing is sent.
	_, err := c.Quote(context.Background(), shipping.RateRequest{To: to, Parcel: parcel})
	if e := wantKind(t, err, port.KindBadRequest, ""); e.Field != "from" || !strings.Contains(e.Message, "EASYPOST_FROM_ADDRESS_ID") || len(sent) != 0 {
		t.Errorf("%+v, %d requests", e, len(sent))
	}
	c.fromAddressID = "adr_9a1f4e5de7b411f0a2f4ac1f6bc53342"
	q, err := c.Quote(context.Background(), shipping.RateRequest{To: to, Parcel: parcel})
	if err != nil {
		t.Fatal(err)
	}
	shp := sent[0]["shipment"].(map[string]any)
	from, p := shp["from_address"].(map[string]any), shp["parcel"].(map[string]any)
	// 2000 g = 70.55 oz, 300 mm = 11.81 in: rounded up to a tenth.
	if from["id"] != c.fromAddressID || len(from) != 1 || p["weight"] != 70.6 || p["length"] != 11.9 || p["width"] != 7.9 || p["height"] != 4.0 ||
		shp["options"].(map[string]any)["label_format"] != "PDF" || shp["to_address"].(map[string]any)["street1"] != to.Line1 {
		t.Errorf("request %v", shp)
	}
	if q.ID != easyposttest.ShipmentID || len(q.Rates) != 4 || q.From.City != "Reno" || !q.Residential {
		t.Fatalf("%+v", q)
	}
	want := []struct {
		id, carrier, service, name string
		minor                      int64
		days                       int
		eta                        string
	}{
		{easyposttest.RateIDs[0], "usps", "groundadvantage", "USPS Ground Advantage", 758, 3, ""},
		{easyposttest.RateIDs[1], "usps", "priority", "USPS Priority", 910, 2, ""},
		{easyposttest.RateIDs[2], "usps", "express", "USPS Express", 3845, 1, "2026-03-03"},
		{easyposttest.RateIDs[3], "ups", "ground", "UPS Ground", 1236, 2, ""},
	}
	for i, w := range want {
		r := q.Rates[i]
		if r.ID != w.id || r.Carrier != w.carrier || r.Service != w.service || r.ServiceName != w.name || r.Amount != (shipping.Money{AmountMinor: w.minor, Currency: "USD"}) ||
			r.TransitDays != w.days || r.EstimatedDelivery != w.eta || r.QuoteID != easyposttest.ShipmentID {
			t.Errorf("rate %d: %+v", i, r)
		}
	}
	if !q.Rates[2].Guaranteed || len(q.Messages) != 1 || !strings.HasPrefix(q.Messages[0].Message, "DhlEcs: ") {
		t.Errorf("%+v %+v", q.Rates[2], q.Messages)
	}
	q, err = c.Quote(context.Background(), shipping.RateRequest{To: to, From: &to, Parcel: parcel, Carriers: []string{"ups"}})
	if err != nil || len(q.Rates) != 1 || q.Rates[0].Carrier != "ups" {
		t.Fatalf("ups only: %+v %v", q, err)
	}
	if from := sent[1]["shipment"].(map[string]any)["from_address"].(map[string]any); from["street1"] != to.Line1 || from["id"] != nil {
		t.Errorf("explicit from: %v", from)
	}
}

func TestQuoteInvalidAddress(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", base+"/shipments", respond(t, 422, fx("error_address_invalid.json"), nil))
	c := client(t, mt)
	_, err := c.Quote(context.Background(), shipping.RateRequest{To: shipping.Address{Line1: "x", City: "y", PostalCode: "9021", Country: "US"}, From: &shipping.Address{}})
	e := wantKind(t, err, port.KindBadRequest, shipping.CodeInvalidAddress)
	if e.Field != "to.postal_code" || e.Status != 422 || !strings.Contains(e.Message, "must be a valid US ZIP code (suggestion: 90210)") || e.RequestID == "" {
		t.Errorf("%+v", e)
	}
}

// shipmentWith returns shipment.json as EasyPost answers GET
// /shipments/{id}, changed by edit.
func shipmentWith(edit func(map[string]any)) []byte {
	s := easyposttest.Object("shipment.json")
	if edit != nil {
		edit(s)
	}
	return easyposttest.JSON(s)
}

func bought(rateID string) func(map[string]any) {
	return func(s map[string]any) {
		if err := easyposttest.Buy(s, rateID, "9400100110368070370001"); err != nil {
			panic(err)
		}
	}
}

const (
	shpURL = base + "/shipments/" + easyposttest.ShipmentID
	buyURL = shpURL + "/buy"
)

func rateURL(i int) string { return base + "/rates/" + easyposttest.RateIDs[i] }

// buyMock answers GET /rates/{first rate} with rate.json and GET
// /shipments/{id} with shp.
func buyMock(t *testing.T, shp httpmock.Responder) *httpmock.MockTransport {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", rateURL(0), respond(t, 200, fx("rate.json"), nil))
	mt.RegisterResponder("GET", shpURL, shp)
	return mt
}

func buyRequest(i int) shipping.LabelRequest {
	return shipping.LabelRequest{RateID: easyposttest.RateIDs[i], Reference: "ORD-48291", Format: "pdf"}
}

func TestBuyLabel(t *testing.T) {
	var buys []map[string]any
	mt := buyMock(t, respond(t, 200, shipmentWith(nil), nil))
	mt.RegisterResponder("POST", buyURL, respond(t, 200, shipmentWith(bought(easyposttest.RateIDs[0])), &buys))
	l, w, err := client(t, mt).BuyLabel(context.Background(), buyRequest(0), "key-1")
	if err != nil {
		t.Fatal(err)
	}
	if w.Replayed || l.ID != "lbl_5b3e1f7a9c2d4e6f8a0b1c2d3e4f5a6b" || l.TrackingNumber != "9400100110368070370001" || l.Amount.AmountMinor != 758 ||
		l.Carrier != "usps" || l.ServiceName != "USPS Ground Advantage" || l.Format != "pdf" || l.Status != "purchased" || l.Reference != "" ||
		!strings.HasPrefix(l.File.URL, "https://easypost-files.s3.us-west-2.amazonaws.com/") || l.File.Configured {
		t.Errorf("%+v %+v", l, w)
	}
	if len(buys) != 1 || buys[0]["rate"].(map[string]any)["id"] != easyposttest.RateIDs[0] {
		t.Errorf("buy requests %v", buys)
	}
}

func TestBuyLabelCarrierError(t *testing.T) {
	mt := buyMock(t, respond(t, 200, shipmentWith(nil), nil))
	mt.RegisterResponder("POST", buyURL, respond(t, 422, fx("error_postage_failure.json"), nil))
	_, _, err := client(t, mt).BuyLabel(context.Background(), buyRequest(0), "key-1")
	e := wantKind(t, err, port.KindBadRequest, shipping.CodeCarrierRefused)
	if !strings.Contains(e.Message, "not served by this service") {
		t.Errorf("%+v", e)
	}
	// A refusal is not an ambiguous answer: no second attempt, no re-read.
	if n := mt.GetCallCountInfo()["POST "+buyURL]; n != 1 {
		t.Errorf("%d purchases", n)
	}
	if n := mt.GetCallCountInfo()["GET "+shpURL]; n != 1 {
		t.Errorf("%d shipment reads", n)
	}
}

// The purchase happens but its answer is lost: the retry finds the label
// on the shipment and returns it; nothing is bought twice.
func TestBuyLabelLostResponse(t *testing.T) {
	isBought := false
	mt := buyMock(t, shipmentOnceBought(t, &isBought))
	mt.RegisterResponder("POST", buyURL, func(r *http.Request) (*http.Response, error) {
		if isBought {
			t.Error("bought twice")
			return respond(t, 422, fx("error_postage_failure.json"), nil)(r)
		}
		isBought = true
		return nil, errors.New("read tcp 127.0.0.1:443: connection reset by peer")
	})
	l, w, err := client(t, mt).BuyLabel(context.Background(), buyRequest(0), "key-1")
	if err != nil {
		t.Fatal(err)
	}
	if !w.Replayed || l.TrackingNumber != "9400100110368070370001" || l.Amount.AmountMinor != 758 {
		t.Errorf("%+v %+v", l, w)
	}
	calls := mt.GetCallCountInfo()
	if calls["POST "+buyURL] != 1 || calls["GET "+shpURL] != 2 {
		t.Errorf("calls %v", calls)
	}
	// The model's own retry (same or another key) reads the shipment and buys nothing.
	l2, w2, err := client(t, mt).BuyLabel(context.Background(), buyRequest(0), "key-1")
	if err != nil || !w2.Replayed || l2.ID != l.ID || mt.GetCallCountInfo()["POST "+buyURL] != 1 {
		t.Errorf("retry: %+v %+v %v", l2, w2, err)
	}
}

// The request never reached EasyPost: the shipment still has no postage,
// so it is bought once more, and once only.
// shipmentOnceBought answers GET /shipments/{id} with the shipment, with
// its label once *isBought.
func shipmentOnceBought(t *testing.T, isBought *bool) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		if *isBought {
			return respond(t, 200, shipmentWith(bought(easyposttest.RateIDs[0])), nil)(r)
		}
		return respond(t, 200, shipmentWith(nil), nil)(r)
	}
}

func TestBuyLabelLostRequest(t *testing.T) {
	attempts, isBought := 0, false
	mt := buyMock(t, shipmentOnceBought(t, &isBought))
	mt.RegisterResponder("POST", buyURL, func(r *http.Request) (*http.Response, error) {
		attempts++
		if attempts == 1 {
			return nil, errors.New("dial tcp 127.0.0.1:443: connection refused")
		}
		isBought = true
		return respond(t, 200, shipmentWith(bought(easyposttest.RateIDs[0])), nil)(r)
	})
	l, w, err := client(t, mt).BuyLabel(context.Background(), buyRequest(0), "key-1")
	if err != nil || w.Replayed || l.TrackingNumber == "" || attempts != 2 {
		t.Fatalf("%+v %+v %v, %d attempts", l, w, err, attempts)
	}
}

// The first purchase's answer is lost and the shipment shows no label yet;
// the second purchase is refused because the first went through after all.
// The label is returned once, not reported as a carrier refusal.
func TestBuyLabelLateFirstPurchase(t *testing.T) {
	isBought, posts := false, 0
	mt := buyMock(t, shipmentOnceBought(t, &isBought))
	mt.RegisterResponder("POST", buyURL, func(r *http.Request) (*http.Response, error) {
		posts++
		if posts == 1 {
			return nil, errors.New("read tcp 127.0.0.1:443: i/o timeout")
		}
		isBought = true // the first purchase lands at EasyPost now
		return respond(t, 422, []byte(`{"error":{"code":"SHIPMENT.POSTAGE.FAILURE","message":"This shipment already has a postage label.","errors":[]}}`), nil)(r)
	})
	l, w, err := client(t, mt).BuyLabel(context.Background(), buyRequest(0), "k")
	if err != nil || !w.Replayed || l.TrackingNumber == "" || posts != 2 {
		t.Fatalf("%+v %+v %v, %d purchases sent", l, w, err, posts)
	}
}

func TestBuyLabelExistingLabels(t *testing.T) {
	mt := buyMock(t, respond(t, 200, shipmentWith(bought(easyposttest.RateIDs[1])), nil))
	mt.RegisterResponder("POST", buyURL, respond(t, 500, nil, nil))
	// The shipment was bought with another of its rates: a conflict.
	_, _, err := client(t, mt).BuyLabel(context.Background(), buyRequest(0), "k")
	if e := wantKind(t, err, port.KindConflict, shipping.CodeRateUsed); !strings.Contains(e.Message, easyposttest.RateIDs[1]) {
		t.Errorf("%+v", e)
	}
	if n := mt.GetCallCountInfo()["POST "+buyURL]; n != 0 {
		t.Errorf("%d purchases", n)
	}
}

func TestBuyLabelPriceLimitAndExpiredRate(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", rateURL(0), respond(t, 200, fx("rate.json"), nil))
	mt.RegisterResponder("GET", rateURL(1), respond(t, 404, fx("error_not_found.json"), nil))
	mt.RegisterResponder("GET", shpURL, respond(t, 200, shipmentWith(nil), nil))
	c := client(t, mt)
	r := buyRequest(0)
	r.MaxAmountMinor = 757
	_, _, err := c.BuyLabel(context.Background(), r, "k")
	wantKind(t, err, port.KindConflict, shipping.CodePriceOverLimit)
	_, _, err = c.BuyLabel(context.Background(), buyRequest(1), "k")
	if e := wantKind(t, err, port.KindNotFound, shipping.CodeRateExpired); !strings.Contains(e.Message, "No eligible shipment") {
		t.Errorf("string errors lost: %+v", e)
	}
	if n := mt.GetCallCountInfo()["POST "+buyURL]; n != 0 {
		t.Errorf("%d purchases", n)
	}
}

func TestBuyLabelZPL(t *testing.T) {
	mt := buyMock(t, respond(t, 200, shipmentWith(nil), nil))
	mt.RegisterResponder("POST", buyURL, respond(t, 200, shipmentWith(bought(easyposttest.RateIDs[0])), nil))
	const zpl = "https://easypost-files.s3.us-west-2.amazonaws.com/files/postage_label/20260302/2a0a0f7fcf41.zpl"
	mt.RegisterResponderWithQuery("GET", shpURL+"/label", "file_format=ZPL", respond(t, 200, shipmentWith(func(s map[string]any) {
		bought(easyposttest.RateIDs[0])(s)
		s["postage_label"].(map[string]any)["label_zpl_url"] = zpl
	}), nil))
	r := buyRequest(0)
	r.Format = "zpl"
	l, _, err := client(t, mt).BuyLabel(context.Background(), r, "k")
	if err != nil || l.Format != "zpl" || l.File.URL != zpl {
		t.Fatalf("%+v %v", l, err)
	}
}

func TestVoidLabel(t *testing.T) {
	mt := httpmock.NewMockTransport()
	refunded := false
	mt.RegisterResponder("GET", shpURL, func(r *http.Request) (*http.Response, error) {
		return respond(t, 200, shipmentWith(func(s map[string]any) {
			bought(easyposttest.RateIDs[0])(s)
			if refunded {
				s["refund_status"] = "submitted"
			}
		}), nil)(r)
	})
	mt.RegisterResponder("POST", shpURL+"/refund", func(r *http.Request) (*http.Response, error) {
		refunded = true
		return respond(t, 200, shipmentWith(func(s map[string]any) {
			bought(easyposttest.RateIDs[0])(s)
			s["refund_status"], s["updated_at"] = "submitted", "2026-03-02T16:00:00Z"
		}), nil)(r)
	})
	c := client(t, mt)
	id := labelID(easyposttest.ShipmentID)
	v, _, err := c.VoidLabel(context.Background(), id, "k")
	if err != nil {
		t.Fatal(err)
	}
	if v.AlreadyVoided || v.Label.Status != "voided" || v.Label.Refund == nil || v.Label.Refund.Amount.AmountMinor != 758 || v.Label.Refund.Status != "submitted" || v.Label.VoidedAt != "2026-03-02T16:00:00Z" {
		t.Errorf("%+v %+v", v, v.Label.Refund)
	}
	// Again: EasyPost already has the refund; nothing is sent.
	v, _, err = c.VoidLabel(context.Background(), id, "k")
	if err != nil || !v.AlreadyVoided || mt.GetCallCountInfo()["POST "+shpURL+"/refund"] != 1 {
		t.Errorf("again: %+v %v", v, err)
	}
	_, _, err = c.VoidLabel(context.Background(), "lbl_", "k")
	wantKind(t, err, port.KindNotFound, "")
}

func TestVoidLabelScannedRefused(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", shpURL, respond(t, 200, shipmentWith(func(s map[string]any) {
		bought(easyposttest.RateIDs[0])(s)
		easyposttest.Scan(s, "2026-03-02T22:41:00Z")
	}), nil))
	mt.RegisterResponder("POST", shpURL+"/refund", respond(t, 200, shipmentWith(nil), nil))
	c := client(t, mt)
	_, _, err := c.VoidLabel(context.Background(), labelID(easyposttest.ShipmentID), "k")
	e := wantKind(t, err, port.KindConflict, shipping.CodeLabelScanned)
	if !strings.Contains(e.Message, "USPS scanned it on 2026-03-02T22:41:00Z") || !strings.Contains(e.Message, "in transit") {
		t.Errorf("%+v", e)
	}
	if n := mt.GetCallCountInfo()["POST "+shpURL+"/refund"]; n != 0 {
		t.Errorf("a scanned label's refund was asked for %d times", n)
	}
	l, err := c.Label(context.Background(), labelID(easyposttest.ShipmentID))
	if err != nil || l.FirstScanAt != "2026-03-02T22:41:00Z" || l.Status != "in_transit" {
		t.Errorf("%+v %v", l, err)
	}
}

func TestVoidLabelRefundRejected(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", shpURL, respond(t, 200, shipmentWith(bought(easyposttest.RateIDs[0])), nil))
	mt.RegisterResponder("POST", shpURL+"/refund", respond(t, 200, shipmentWith(func(s map[string]any) {
		bought(easyposttest.RateIDs[0])(s)
		s["refund_status"] = "rejected"
	}), nil))
	_, _, err := client(t, mt).VoidLabel(context.Background(), labelID(easyposttest.ShipmentID), "k")
	if e := wantKind(t, err, port.KindConflict, shipping.CodeVoidNotPossible); !strings.Contains(e.Message, "refund_status rejected") {
		t.Errorf("%+v", e)
	}
}

func TestTrackNinetyEvents(t *testing.T) {
	mt := httpmock.NewMockTransport()
	tr := easyposttest.Tracker("9400100110368070379090", 90, true, "A PARK")
	var created []map[string]any
	mt.RegisterResponderWithQuery("GET", base+"/trackers", "tracking_code=9400100110368070379090&carrier=USPS&page_size=1",
		respond(t, 200, []byte(`{"trackers":[],"has_more":false}`), nil))
	mt.RegisterResponder("POST", base+"/trackers", respond(t, 200, easyposttest.JSON(tr), &created))
	got, err := client(t, mt).Track(context.Background(), "usps", "9400100110368070379090")
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 1 || created[0]["tracker"].(map[string]any)["carrier"] != "USPS" {
		t.Errorf("tracker request %v", created)
	}
	if len(got.Events) != 90 || got.Status != "delivered" || got.SignedBy != "A PARK" || got.EstimatedDelivery != "2026-03-09" || got.ServiceName != "USPS Ground Advantage" {
		t.Fatalf("%d events, %+v", len(got.Events), got)
	}
	first, last := got.Events[0], got.Events[89]
	if first.Status != "delivered" || first.Description != "Delivered, In/At Mailbox" || first.Location.City != "AUSTIN" || got.DeliveredAt != first.At ||
		last.Status != "label_created" || last.Description != "Shipping Label Created" || got.ShippedAt != got.Events[88].At || got.Origin.City != "RENO" {
		t.Errorf("newest %+v, oldest %+v, tracking %+v", first, last, got)
	}
	for i := 1; i < len(got.Events); i++ {
		if got.Events[i].At > got.Events[i-1].At {
			t.Fatalf("events not newest first at %d: %s after %s", i, got.Events[i].At, got.Events[i-1].At)
		}
	}
}

func TestTrackReusesTracker(t *testing.T) {
	mt := httpmock.NewMockTransport()
	tr := easyposttest.Tracker("EZ2000000002", 3, false, "")
	tr["carrier"] = "UPS"
	mt.RegisterResponder("GET", base+"/trackers", respond(t, 200, easyposttest.JSON(map[string]any{"trackers": []any{tr}, "has_more": false}), nil))
	got, err := client(t, mt).Track(context.Background(), "ups", "EZ2000000002")
	if err != nil || got.Carrier != "ups" || len(got.Events) != 3 || got.Status != "in_transit" || got.DeliveredAt != "" {
		t.Fatalf("%+v %v", got, err)
	}
	if n := mt.GetCallCountInfo()["POST "+base+"/trackers"]; n != 0 {
		t.Errorf("created %d trackers", n)
	}
}

func TestErrorsMapToKinds(t *testing.T) {
	for _, tc := range []struct {
		status  int
		body    string
		kind    port.Kind
		setting string
	}{
		{401, `{"error":{"code":"APIKEY.REQUIRED","message":"Unable to authenticate.","errors":[]}}`, port.KindUnauthorized, "EASYPOST_API_KEY"},
		{403, string(fx("error_apikey_inactive.json")), port.KindUnauthorized, "EASYPOST_API_KEY"},
		{402, `{"error":{"code":"PAYMENT.REQUIRED","message":"Insufficient funds.","errors":[]}}`, port.KindForbidden, ""},
		{404, string(fx("error_not_found.json")), port.KindNotFound, ""},
		{422, string(fx("error_parameter_required.json")), port.KindBadRequest, ""},
		{500, `{"error":{"code":"INTERNAL_SERVER_ERROR","message":"Something went wrong.","errors":[]}}`, port.KindUnavailable, ""},
		{503, `<html>down</html>`, port.KindUnavailable, ""},
	} {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("POST", base+"/shipments", respond(t, tc.status, []byte(tc.body), nil))
		_, err := client(t, mt).Quote(context.Background(), shipping.RateRequest{From: &shipping.Address{}})
		if e := wantKind(t, err, tc.kind, ""); e.Setting != tc.setting || e.Status != tc.status {
			t.Errorf("%d: %+v", tc.status, e)
		}
	}
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", base+"/shipments", respond(t, 422, fx("error_parameter_required.json"), nil))
	_, err := client(t, mt).Quote(context.Background(), shipping.RateRequest{From: &shipping.Address{}})
	if e := wantKind(t, err, port.KindBadRequest, "PARAMETER.REQUIRED"); e.Field != "shipment" || !strings.Contains(e.Message, "shipment cannot be blank") {
		t.Errorf("%+v", e)
	}
}

func TestRateLimitsHonouredWithinDeadline(t *testing.T) {
	mt := httpmock.NewMockTransport()
	n := 0
	mt.RegisterResponder("POST", base+"/shipments", func(r *http.Request) (*http.Response, error) {
		n++
		if n == 1 {
			resp, _ := respond(t, 429, fx("error_rate_limited.json"), nil)(r)
			resp.Header.Set("Retry-After", "0")
			return resp, nil
		}
		return respond(t, 201, fx("shipment.json"), nil)(r)
	})
	q, err := client(t, mt).Quote(context.Background(), shipping.RateRequest{From: &shipping.Address{}})
	if err != nil || len(q.Rates) != 4 || n != 2 {
		t.Fatalf("%v after %d requests", err, n)
	}
	// A Retry-After past the call's deadline goes back to the caller.
	mt.RegisterResponder("POST", base+"/shipments", func(r *http.Request) (*http.Response, error) {
		resp, _ := respond(t, 429, fx("error_rate_limited.json"), nil)(r)
		resp.Header.Set("Retry-After", "30")
		return resp, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = client(t, mt).Quote(ctx, shipping.RateRequest{From: &shipping.Address{}})
	if e := wantKind(t, err, port.KindRateLimited, "RATE_LIMITED"); e.RetryAfter != 30*time.Second {
		t.Errorf("%+v", e)
	}
	if ctx.Err() != nil {
		t.Error("waited past the deadline")
	}
}

func TestPingAndKeyModes(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponderWithQuery("GET", base+"/addresses", "page_size=1", respond(t, 200, []byte(`{"addresses":[],"has_more":false}`), nil))
	c := client(t, mt)
	for range 3 {
		if err := c.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := mt.GetTotalCallCount(); n != 1 {
		t.Errorf("readiness asked EasyPost %d times within %s", n, pingTTL)
	}
	if c.Mode() != ModeTest || !strings.Contains(c.ReadyNote(), "test key") {
		t.Errorf("%s %s", c.Mode(), c.ReadyNote())
	}
	for key, mode := range map[string]string{"EZAKabc": ModeProduction, "EZTKabc": ModeTest, "sk_live": ModeUnknown} {
		if KeyMode(key) != mode {
			t.Errorf("%s: %s", key, KeyMode(key))
		}
	}
}

func TestMinorUnits(t *testing.T) {
	for _, tc := range []struct {
		in, cur string
		want    int64
		ok      bool
	}{
		{"7.58", "USD", 758, true}, {"5.93000", "USD", 593, true}, {"120", "USD", 12000, true}, {"0.1", "EUR", 10, true},
		{"1200", "JPY", 1200, true}, {"1200.00", "JPY", 1200, true}, {"-3.50", "USD", -350, true}, {"0.07", "usd", 7, true},
		{"7.585", "USD", 0, false}, {"12.5", "JPY", 0, false}, {"", "USD", 0, false}, {"7,58", "USD", 0, false}, {".5", "USD", 0, false},
		{"1e3", "USD", 0, false}, {"NaN", "USD", 0, false}, {"99999999999999999999", "USD", 0, false}, {"+1.00", "USD", 0, false},
	} {
		got, err := MinorUnits(tc.in, tc.cur)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%q %s: %d %v", tc.in, tc.cur, got, err)
		}
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{"GroundAdvantage": "Ground Advantage", "Priority": "Priority", "NEXT_DAY_AIR": "Next Day Air", "FEDEX_2_DAY": "Fedex 2 Day", "UPSGroundsaver": "UPS Groundsaver", "SmartPost": "Smart Post"} {
		if got := serviceName(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
	for in, want := range map[string]string{"USPS": "usps", "UPSDAP": "ups", "FedExDefault": "fedex", "DHLExpress": "dhl", "DhlEcs": "dhl", "CanadaPost": "canadapost"} {
		if got := carrierCode(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
	for in, want := range map[string]string{"street1": "line1", "shipment.to_address.zip": "to.postal_code", "shipment.from_address.street2": "from.line2", "shipment.parcel.weight": "parcel.weight"} {
		if got := fieldName(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
	if id, ok := shipmentID(labelID(easyposttest.ShipmentID)); !ok || id != easyposttest.ShipmentID {
		t.Errorf("%s %v", id, ok)
	}
}

// FuzzMinorUnits: an accepted amount is exactly the decimal's value in
// minor units; nothing panics.
func FuzzMinorUnits(f *testing.F) {
	for _, s := range []string{"7.58", "5.93000", "0", "-1.5", "1200", "12.345", "", "1.", "00.10"} {
		f.Add(s, "USD")
	}
	f.Add("1200", "JPY")
	f.Fuzz(func(t *testing.T, s, cur string) {
		n, err := MinorUnits(s, cur)
		if err != nil {
			return
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("%q accepted as %d but is not a number", s, n)
		}
		scale := big.NewRat(100, 1)
		if money.Digits(cur) == 0 {
			scale = big.NewRat(1, 1)
		}
		if want := r.Mul(r, scale); !want.IsInt() || want.Num().Int64() != n || !want.Num().IsInt64() {
			t.Fatalf("%q %s: %d, want %s", s, cur, n, want.RatString())
		}
	})
}

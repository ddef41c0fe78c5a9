package shipping

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/mocks/internal/apitest"
	"github.com/bizmcp/bizmcp/mocks/world"
)

type apiResp struct {
	status int
	header http.Header
	body   []byte
}

func (r apiResp) decode(t *testing.T, v any) {
	t.Helper()
	apitest.Decode(t, r.body, v)
}

func (r apiResp) errCode(t *testing.T) string {
	t.Helper()
	return apitest.ErrCode(t, r.body)
}

// newAPI serves the sample data over a real loopback server.
func newAPI(t *testing.T) (*Store, func(method, path, body string, hdr ...string) apiResp) {
	t.Helper()
	s := SampleStore()
	do := apitest.Serve(t, NewHandler(s), false)
	return s, func(method, path, body string, hdr ...string) apiResp {
		t.Helper()
		status, header, b := do(method, path, body, hdr...)
		return apiResp{status, header, b}
	}
}

const austinTo = `{"name":"Santiago Sánchez","line1":"174 East 6th Street","city":"Austin","state":"TX","postal_code":"78701","country":"US"}`
const boxParcel = `{"weight_grams":2000,"length_mm":300,"width_mm":200,"height_mm":100}`

func quote(t *testing.T, call func(string, string, string, ...string) apiResp, to string, hdr ...string) Quote {
	t.Helper()
	r := call("POST", "/rates", `{"to":`+to+`,"parcel":`+boxParcel+`}`, hdr...)
	if r.status != 200 {
		t.Fatalf("rates: %d %s", r.status, r.body)
	}
	var q Quote
	r.decode(t, &q)
	return q
}

func TestHealthAndFallbacks(t *testing.T) {
	_, call := newAPI(t)
	if r := call("GET", "/health", ""); r.status != 200 || strings.TrimSpace(string(r.body)) != `{"status":"ok"}` {
		t.Fatalf("health: %d %s", r.status, r.body)
	}
	if r := call("DELETE", "/rates", ""); r.status != 405 || r.errCode(t) != "method_not_allowed" {
		t.Errorf("405: %d %s", r.status, r.body)
	}
	if r := call("GET", "/nope", ""); r.status != 404 || r.errCode(t) != "not_found" {
		t.Errorf("404: %d %s", r.status, r.body)
	}
}

func TestValidateEndpoint(t *testing.T) {
	_, call := newAPI(t)
	var v Validation
	r := call("POST", "/addresses/validate", `{"line1":"9450 Wilshire Blvd","city":"Beverly Hills","state":"CA","postal_code":"9021","country":"US"}`)
	r.decode(t, &v)
	if r.status != 200 || v.Valid || len(v.Errors) != 1 || v.Errors[0].Field != "postal_code" || v.Errors[0].Suggestion != "90210" {
		t.Errorf("%d %+v", r.status, v)
	}
	r = call("POST", "/addresses/validate", `{"line1":"x","city":"y","country":"US","planet":"mars"}`)
	if r.status != 400 || r.errCode(t) != "bad_request" || !strings.Contains(string(r.body), "planet") {
		t.Errorf("unknown field: %d %s", r.status, r.body)
	}
}

func TestRatesEndpoint(t *testing.T) {
	_, call := newAPI(t)
	q := quote(t, call, austinTo)
	if len(q.Rates) < 6 || len(q.Rates) > 12 || q.From.City != "Reno" || !q.Residential {
		t.Fatalf("quote: %d rates from %s", len(q.Rates), q.From.City)
	}
	ids := map[string]bool{}
	for _, r := range q.Rates {
		if ids[r.ID] || !strings.HasPrefix(r.ID, "rate_") || r.Amount.AmountMinor <= 0 || r.Amount.Currency != "USD" || r.TransitDays < 1 {
			t.Errorf("rate %+v", r)
		}
		ids[r.ID] = true
	}
	// A new quote issues new ids; the same key replays the same quote.
	q2 := quote(t, call, austinTo)
	if q2.Rates[0].ID == q.Rates[0].ID || q2.Rates[0].Amount != q.Rates[0].Amount {
		t.Errorf("second quote: %+v vs %+v", q2.Rates[0], q.Rates[0])
	}
	a := quote(t, call, austinTo, "Idempotency-Key", "q-1")
	b := call("POST", "/rates", `{"to":`+austinTo+`,"parcel":`+boxParcel+`}`, "Idempotency-Key", "q-1")
	var bq Quote
	b.decode(t, &bq)
	if b.header.Get("Idempotent-Replayed") != "true" || bq.ID != a.ID || bq.Rates[0].ID != a.Rates[0].ID {
		t.Errorf("replayed quote: %s %+v", b.header, bq.ID)
	}
	// GET /rates/{id}
	var rt Rate
	r := call("GET", "/rates/"+q.Rates[0].ID, "")
	r.decode(t, &rt)
	if r.status != 200 || rt.ID != q.Rates[0].ID || rt.Status != "available" {
		t.Errorf("rate: %d %+v", r.status, rt)
	}
	if r := call("GET", "/rates/rate_nope", ""); r.status != 410 || r.errCode(t) != "rate_expired" {
		t.Errorf("unknown rate: %d %s", r.status, r.body)
	}
	// An invalid address is a 400 naming the field, with details.
	r = call("POST", "/rates", `{"to":{"name":"X","line1":"1 Main","city":"Beverly Hills","state":"CA","postal_code":"9021","country":"US"},"parcel":`+boxParcel+`}`)
	if r.status != 400 || r.errCode(t) != "invalid_address" || !strings.Contains(string(r.body), `"field":"to.postal_code"`) || !strings.Contains(string(r.body), "did you mean 90210?") {
		t.Errorf("invalid address: %d %s", r.status, r.body)
	}
	r = call("POST", "/rates", `{"to":`+austinTo+`,"parcel":{"weight_grams":0,"length_mm":1,"width_mm":1,"height_mm":1}}`)
	if r.status != 400 || r.errCode(t) != "invalid_parcel" {
		t.Errorf("invalid parcel: %d %s", r.status, r.body)
	}
	r = call("POST", "/rates", `{"to":`+austinTo+`,"parcel":`+boxParcel+`,"carriers":["pigeon"]}`)
	if r.status != 400 || !strings.Contains(string(r.body), "pigeon") {
		t.Errorf("unknown carrier: %d %s", r.status, r.body)
	}
}

func TestLabelLifecycle(t *testing.T) {
	s, call := newAPI(t)
	q := quote(t, call, austinTo)
	rate := q.Rates[0]
	body := `{"rate_id":"` + rate.ID + `","reference":"ORD-1"}`
	r := call("POST", "/labels", body, "Idempotency-Key", "buy-1")
	var l Label
	r.decode(t, &l)
	if r.status != 201 || l.Status != LabelPurchased || l.Amount != rate.Amount || l.TrackingNumber == "" || l.LabelURL != LabelPathPrefix+l.ID+".pdf" ||
		r.header.Get("Location") == "" || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("buy: %d %+v %v", r.status, l, r.header)
	}
	if CarrierOfNumber(l.TrackingNumber) != l.Carrier {
		t.Errorf("tracking number %s does not look like %s", l.TrackingNumber, l.Carrier)
	}
	// Replay: same key, same body.
	r = call("POST", "/labels", body, "Idempotency-Key", "buy-1")
	var again Label
	r.decode(t, &again)
	if r.status != 200 || r.header.Get("Idempotent-Replayed") != "true" || again.ID != l.ID {
		t.Errorf("replay: %d %v %+v", r.status, r.header, again)
	}
	// Same key, other body: conflict. Other key, same rate: the rate is used.
	if r := call("POST", "/labels", `{"rate_id":"`+rate.ID+`","reference":"ORD-2"}`, "Idempotency-Key", "buy-1"); r.status != 409 || r.errCode(t) != "conflict" {
		t.Errorf("key reuse: %d %s", r.status, r.body)
	}
	if r := call("POST", "/labels", body, "Idempotency-Key", "buy-2"); r.status != 409 || r.errCode(t) != "rate_already_used" || !strings.Contains(string(r.body), l.ID) {
		t.Errorf("rate reuse: %d %s", r.status, r.body)
	}
	var rt Rate
	call("GET", "/rates/"+rate.ID, "").decode(t, &rt)
	if rt.Status != "used" {
		t.Errorf("rate status %s", rt.Status)
	}
	// The label file and record.
	if r := call("GET", "/labels/"+l.ID+".pdf", ""); r.status != 200 || !strings.HasPrefix(string(r.body), "%PDF-") || r.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("pdf: %d %q", r.status, r.body[:min(20, len(r.body))])
	}
	if r := call("GET", "/labels/"+l.ID+".zpl", ""); r.status != 200 || !strings.HasPrefix(string(r.body), "^XA") {
		t.Errorf("zpl: %d %s", r.status, r.body)
	}
	var found struct{ Labels []Label }
	call("GET", "/labels?tracking_number="+l.TrackingNumber, "").decode(t, &found)
	if len(found.Labels) != 1 || found.Labels[0].ID != l.ID {
		t.Errorf("find: %+v", found)
	}
	// Tracking shows the new label.
	var tr Tracking
	call("GET", "/tracking/"+l.Carrier+"/"+l.TrackingNumber, "").decode(t, &tr)
	if tr.Status != StatusLabelCreated || tr.LabelID != l.ID || tr.Reference != "ORD-1" || len(tr.Events) != 1 || tr.EstimatedDelivery != rate.EstimatedDelivery {
		t.Errorf("tracking: %+v", tr)
	}
	// Void, void again, and the refusal for scanned labels.
	var v VoidResult
	r = call("POST", "/labels/"+l.ID+"/void", "", "Idempotency-Key", "void-1")
	r.decode(t, &v)
	if r.status != 200 || v.Label.Status != LabelVoided || v.Label.Refund == nil || v.Label.Refund.Amount != l.Amount || v.AlreadyVoided {
		t.Errorf("void: %d %+v", r.status, v)
	}
	r = call("POST", "/labels/"+l.ID+"/void", "", "Idempotency-Key", "void-1")
	if r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("void replay: %v", r.header)
	}
	call("POST", "/labels/"+l.ID+"/void", "").decode(t, &v)
	if !v.AlreadyVoided {
		t.Errorf("second void: %+v", v)
	}
	call("GET", "/tracking/"+l.Carrier+"/"+l.TrackingNumber, "").decode(t, &tr)
	if tr.Status != StatusVoided || tr.Events[0].Code != "VD" {
		t.Errorf("voided tracking: %+v", tr)
	}
	r = call("POST", "/labels/"+LabelIDFor(DemoTrackingNumber)+"/void", "")
	if r.status != 409 || r.errCode(t) != "label_already_scanned" || !strings.Contains(string(r.body), "in transit") {
		t.Errorf("scanned: %d %s", r.status, r.body)
	}
	if r := call("POST", "/labels/lbl_nope/void", ""); r.status != 404 {
		t.Errorf("unknown label: %d", r.status)
	}
	if n := len(s.FindLabels("", l.TrackingNumber)); n != 1 {
		t.Errorf("%d labels", n)
	}
}

func TestLabelRefusals(t *testing.T) {
	s, call := newAPI(t)
	q := quote(t, call, austinTo)
	rate := q.Rates[0]
	r := call("POST", "/labels", `{"rate_id":"`+rate.ID+`","max_amount_minor":`+itoa(rate.Amount.AmountMinor-1)+`}`)
	if r.status != 422 || r.errCode(t) != "price_exceeds_limit" {
		t.Errorf("limit: %d %s", r.status, r.body)
	}
	for _, body := range []string{`{}`, `{"rate_id":"` + rate.ID + `","label_format":"gif"}`, `{"rate_id":"x","bogus":1}`, `not json`} {
		if r := call("POST", "/labels", body); r.status != 400 {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
	// A recipient is needed for a label.
	anon := quote(t, call, `{"line1":"174 East 6th Street","city":"Austin","state":"TX","postal_code":"78701","country":"US"}`)
	if r := call("POST", "/labels", `{"rate_id":"`+anon.Rates[0].ID+`"}`); r.status != 400 || !strings.Contains(string(r.body), "to.name") {
		t.Errorf("no recipient: %d %s", r.status, r.body)
	}
	// Rates expire after RateTTL on the store clock.
	s.SetClock(func() time.Time { return world.Now.Add(RateTTL + time.Hour) })
	if r := call("POST", "/labels", `{"rate_id":"`+rate.ID+`"}`); r.status != 410 || r.errCode(t) != "rate_expired" {
		t.Errorf("expired: %d %s", r.status, r.body)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestTrackingEndpoint(t *testing.T) {
	_, call := newAPI(t)
	var tr Tracking
	r := call("GET", "/tracking/fedex/"+DemoTrackingNumber, "")
	r.decode(t, &tr)
	if r.status != 200 || tr.Status != StatusInTransit || tr.EstimatedDelivery != "2026-02-26" || tr.Reference != world.DemoOrderID {
		t.Fatalf("%d %+v", r.status, tr)
	}
	// Carrier in any case, number with spaces.
	if r := call("GET", "/tracking/FedEx/7749%20281934", ""); r.status != 200 {
		t.Errorf("normalization: %d %s", r.status, r.body)
	}
	for path, want := range map[string]string{
		"/tracking/ups/" + DemoTrackingNumber: "is a FedEx tracking number",
		"/tracking/fedex/123":                 "FedEx tracking numbers are",
		"/tracking/fedex/1Z999AA10123456799":  "looks like a UPS number",
		"/tracking/fedex/779999999999":        "no FedEx shipment",
	} {
		r := call("GET", path, "")
		if r.status != 404 || r.errCode(t) != "not_found" || !strings.Contains(string(r.body), want) {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	if r := call("GET", "/tracking/pigeon/123", ""); r.status != 400 {
		t.Errorf("unknown carrier: %d %s", r.status, r.body)
	}
}

func TestFixtures(t *testing.T) {
	d := NewDomain()
	err := d.LoadFixtures(json.RawMessage(`{"shipments":[
		{"order_id":"ORD-1","customer_id":"C-1001","carrier":"ups","service":"ground","tracking_number":"1Z0000000000000001","status":"in_transit",
		 "shipped_at":"2026-02-23T10:00:00Z","estimated_delivery":"2026-02-27T23:59:00Z"},
		{"order_id":"ORD-2","carrier":"fedex","tracking_number":"770000000002","status":"delivered",
		 "shipped_at":"2026-02-01T10:00:00Z","estimated_delivery":"2026-02-04T23:59:00Z","delivered_at":"2026-02-04T12:00:00Z",
		 "destination":{"name":"A","line1":"1 Main St","city":"Austin","state":"TX","postal_code":"78701","country":"US"},
		 "events":[{"at":"2026-02-04T12:00:00Z","status":"delivered","code":"DL","description":"Delivered","location":{"city":"Austin","country":"US"}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Store().Len() != 2 {
		t.Fatalf("%d shipments", d.Store().Len())
	}
	tr, err := d.Store().Track("fedex", "770000000002")
	if err != nil || len(tr.Events) != 1 || tr.Status != StatusDelivered || tr.Destination.City != "Austin" {
		t.Errorf("%+v %v", tr, err)
	}
	if _, err := d.Store().Track("fedex", DemoTrackingNumber); err == nil {
		t.Error("sample data survived the fixtures")
	}
	for _, bad := range []string{`{}`, `{"shipments":[{"carrier":"pigeon"}]}`, `{"shipments":[{"carrier":"ups","tracking_number":"1","status":"lost","shipped_at":"2026-01-01T00:00:00Z"}]}`,
		`{"shipments":[{"carrier":"ups","tracking_number":"1","status":"delivered","shipped_at":"2026-01-01T00:00:00Z"}]}`, `{"shipments":[],"extra":1}`} {
		if err := d.LoadFixtures(json.RawMessage(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

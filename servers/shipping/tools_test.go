package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/mocks/shipping"
	"github.com/bizmcp/bizmcp/mocks/world"
	shipport "github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/servers/shipping/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// session builds the exact server the binary runs, with args and env, and
// connects an in-memory client.
func session(t testing.TB, spec app.Spec[extra, shipport.Backend], args []string, env ...string) *mcp.ClientSession {
	t.Helper()
	// Tests call faster than the inbound and outbound budgets allow.
	env = append([]string{"MCP_RATE_LIMIT=10000", "MCP_RATE_BURST=10000", "SHIPPING_API_RATE_LIMIT=10000", "SHIPPING_API_RATE_BURST=1000"}, env...)
	return apptest.Session(t, spec, args, env...)
}

// demoSession is the binary's --demo server (the shared in-process sample backend).
func demoSession(t *testing.T, env ...string) *mcp.ClientSession {
	return session(t, Spec, []string{"--demo"}, env...)
}

// ownBackend is a fresh mock-backends for one test, so that its stats and
// writes are the test's own. wrap, when set, wraps the in-process transport.
func ownBackend(t testing.TB, wrap func(http.RoundTripper) http.RoundTripper, env ...string) (*mcp.ClientSession, *mocks.Server) {
	t.Helper()
	spec, ms := apptest.OwnBackend(t, Spec, mocks.Options{}, "http://mock-backends.test/shipping", wrap)
	return session(t, spec, []string{"--demo"}, env...), ms
}

func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	res := mcptest.Call(t, cs, tool, args)
	if res.IsError {
		t.Fatalf("%s %v: %s", tool, args, mcptest.Text(res))
	}
	if out != nil {
		mcptest.Structured(t, res, out)
	}
	return res
}

func wantError(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any, wants ...string) string {
	t.Helper()
	res := mcptest.Call(t, cs, tool, args)
	text := mcptest.Text(res)
	if !res.IsError {
		t.Errorf("%s %v: want a tool error, got %s", tool, args, text)
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s %v: error lacks %q:\n%s", tool, args, w, text)
		}
	}
	return text
}

var austin = map[string]any{"name": "Santiago Sánchez", "company": "Demo Co", "line1": "174 East 6th Street", "city": "Austin", "state": "TX", "postal_code": "78701", "country": "US"}

var smallBox = map[string]any{"weight": 2, "length": 30, "width": 20, "height": 10}

func TestToolsListAndSnapshots(t *testing.T) {
	cs := demoSession(t)
	list := mcptest.CheckTools(t, cs, "shipping_")
	byName := map[string]*mcp.Tool{}
	for _, tl := range list {
		byName[tl.Name] = tl
	}
	for name, want := range map[string]struct{ ro, destr, idem bool }{
		"shipping_validate_address": {ro: true, idem: true},
		"shipping_get_rates":        {ro: true, idem: true},
		"shipping_create_label":     {destr: true, idem: true},
		"shipping_void_label":       {destr: true, idem: true},
		"shipping_track":            {ro: true, idem: true},
	} {
		tl := byName[name]
		if tl == nil {
			t.Errorf("missing tool %s", name)
			continue
		}
		a := tl.Annotations
		if a.ReadOnlyHint != want.ro || *a.DestructiveHint != want.destr || a.IdempotentHint != want.idem || !*a.OpenWorldHint {
			t.Errorf("%s annotations: %+v", name, a)
		}
	}
	mcptest.Snapshots(t, list, "internal/tools/testdata/toolsnaps")
}

// The demo question: ORD-48291 is in transit with FedEx, ETA Feb 26, the
// same facts the orders backend reports for the order.
func TestTrackDemoOrderMatchesOrders(t *testing.T) {
	cs := demoSession(t)
	var out tools.TrackOut
	res := call(t, cs, "shipping_track", map[string]any{"carrier": "fedex", "tracking_number": world.DemoTrackingNumber}, &out)
	var demo world.Shipment
	for _, s := range world.Shipments() {
		if s.OrderID == world.DemoOrderID {
			demo = s
		}
	}
	if out.Status != world.StatusInTransit || out.Status != demo.Status || out.ETA != "2026-02-26" || out.ETA != demo.EstimatedAt.Format(time.DateOnly) ||
		out.Reference != world.DemoOrderID || out.DeliveredAt != "" || out.Carrier != "fedex" {
		t.Errorf("demo tracking: %+v", out)
	}
	if len(out.Events) == 0 || len(out.Events) > 5 || out.LatestLocation == "" || out.EventsTotal < len(out.Events) {
		t.Errorf("events: %d of %d, latest %q", len(out.Events), out.EventsTotal, out.LatestLocation)
	}
	for i := 1; i < len(out.Events); i++ {
		if out.Events[i].At > out.Events[i-1].At {
			t.Errorf("events not newest first: %s after %s", out.Events[i].At, out.Events[i-1].At)
		}
	}
	for _, w := range []string{"status: in_transit", "ETA: 2026-02-26", "ORD-48291"} {
		if !strings.Contains(mcptest.Text(res), w) {
			t.Errorf("text lacks %q:\n%s", w, mcptest.Text(res))
		}
	}

	// The orders backend's record of the order says the same.
	h, err := mocks.New(mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/orders/orders/"+world.DemoOrderID, nil))
	if rec.Code != 200 {
		t.Fatalf("orders backend: %d %s", rec.Code, rec.Body)
	}
	var order struct {
		Shipping struct {
			Carrier           string    `json:"carrier"`
			TrackingNumber    string    `json:"tracking_number"`
			Status            string    `json:"status"`
			EstimatedDelivery time.Time `json:"estimated_delivery"`
		} `json:"shipping"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &order); err != nil {
		t.Fatal(err)
	}
	o := order.Shipping
	if o.Carrier != out.Carrier || o.TrackingNumber != out.TrackingNumber || o.Status != out.Status || o.EstimatedDelivery.Format(time.DateOnly) != out.ETA {
		t.Errorf("orders says %+v, shipping_track says %s %s %s %s", o, out.Carrier, out.TrackingNumber, out.Status, out.ETA)
	}
}

// Every world shipment is trackable with the facts the orders sample uses.
func TestTrackEveryWorldShipment(t *testing.T) {
	cs := demoSession(t)
	for _, s := range world.Shipments() {
		var out tools.TrackOut
		call(t, cs, "shipping_track", map[string]any{"carrier": s.Carrier, "tracking_number": s.TrackingNumber}, &out)
		if out.Status != s.Status || out.ETA != s.EstimatedAt.Format(time.DateOnly) || out.Reference != s.OrderID {
			t.Errorf("%s: got %s/%s/%s, world %s/%s", s.OrderID, out.Status, out.ETA, out.Reference, s.Status, s.EstimatedAt.Format(time.DateOnly))
		}
		if (s.Status == world.StatusDelivered) != (out.DeliveredAt != "") {
			t.Errorf("%s: delivered_at %q with status %s", s.OrderID, out.DeliveredAt, s.Status)
		}
		if len(out.Events) > 5 {
			t.Errorf("%s: %d events by default", s.OrderID, len(out.Events))
		}
	}
}

func TestTrackLongHistoryIsPaginated(t *testing.T) {
	cs := demoSession(t)
	args := map[string]any{"carrier": "ups", "tracking_number": shipping.LongHistoryTrackingNumber}
	var short tools.TrackOut
	res := call(t, cs, "shipping_track", args, &short)
	if len(short.Events) != 5 || short.EventsTotal < shipping.MinLongHistoryEvents || short.Status != world.StatusException || short.Page != nil {
		t.Fatalf("default view: %d events of %d, status %s", len(short.Events), short.EventsTotal, short.Status)
	}
	if !strings.Contains(mcptest.Text(res), "full_history=true") {
		t.Errorf("no hint to the full history:\n%s", mcptest.Text(res))
	}
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		a := map[string]any{"carrier": "ups", "tracking_number": shipping.LongHistoryTrackingNumber, "full_history": true, "limit": 30}
		if cursor != "" {
			a["cursor"] = cursor
		}
		var page tools.TrackOut
		res := call(t, cs, "shipping_track", a, &page)
		pages++
		if len(page.Events) > 30 || page.Page == nil {
			t.Fatalf("page of %d events, page %+v", len(page.Events), page.Page)
		}
		if n := len(mcptest.Text(res)); n > 12000 {
			t.Errorf("page text is %d bytes", n)
		}
		for _, e := range page.Events {
			key := e.At + e.Description
			if seen[key] {
				t.Fatalf("event %s on two pages", key)
			}
			seen[key] = true
		}
		if !page.Page.HasMore {
			break
		}
		cursor = page.Page.NextCursor
		if pages > 10 {
			t.Fatal("too many pages")
		}
	}
	if len(seen) != short.EventsTotal || pages < 3 {
		t.Errorf("paged %d events in %d pages, total %d", len(seen), pages, short.EventsTotal)
	}
	// A cursor is bound to its shipment.
	wantError(t, cs, "shipping_track", map[string]any{"carrier": "fedex", "tracking_number": world.DemoTrackingNumber, "full_history": true, "cursor": cursor}, "cursor")
}

func TestTrackInjectedEventIsFlagged(t *testing.T) {
	cs := demoSession(t)
	res := call(t, cs, "shipping_track", map[string]any{"carrier": "dhl", "tracking_number": shipping.InjectedTrackingNumber}, nil)
	text := mcptest.Text(res)
	if res.Meta["bizmcp/untrusted"] == nil || !strings.Contains(text, "⟦untrusted-data") || !strings.Contains(text, "WARNING") {
		t.Fatalf("injected event not flagged and fenced: meta=%v\n%s", res.Meta, text)
	}
	// Ordinary tracking is not flagged.
	res = call(t, cs, "shipping_track", map[string]any{"carrier": "fedex", "tracking_number": world.DemoTrackingNumber}, nil)
	if res.Meta["bizmcp/untrusted"] != nil {
		t.Errorf("demo tracking flagged: %v", res.Meta["bizmcp/untrusted"])
	}
}

func TestTrackUnknownNumber(t *testing.T) {
	cs := demoSession(t)
	wantError(t, cs, "shipping_track", map[string]any{"carrier": "fedex", "tracking_number": "779999999999"}, "orders_get_order", "carrier")
	// The right number with the wrong carrier says which carrier it is.
	wantError(t, cs, "shipping_track", map[string]any{"carrier": "ups", "tracking_number": world.DemoTrackingNumber}, "FedEx", "orders_get_order")
	// Malformed arguments never reach the backend.
	wantError(t, cs, "shipping_track", map[string]any{"carrier": "royalmail", "tracking_number": world.DemoTrackingNumber})
	wantError(t, cs, "shipping_track", map[string]any{"carrier": "fedex", "tracking_number": "12; DROP"})
	wantError(t, cs, "shipping_track", map[string]any{"carrier": "fedex"}, "tracking_number")
	wantError(t, cs, "shipping_track", map[string]any{"carrier": "fedex", "tracking_number": world.DemoTrackingNumber, "cursor": "garbage"}, "cursor")
}

func TestValidateAddress(t *testing.T) {
	cs := demoSession(t)
	var out tools.ValidateAddressOut
	call(t, cs, "shipping_validate_address", map[string]any{"name": "Ada Park", "line1": "9450 Wilshire Blvd", "city": "beverly hills", "state": "California", "postal_code": "902101234", "country": "us"}, &out)
	if !out.Valid || out.Address.PostalCode != "90210-1234" || out.Address.State != "CA" || out.Address.City != "Beverly Hills" || out.Address.Country != "US" || !out.Residential {
		t.Errorf("normalized: %+v", out)
	}
	for _, tc := range []struct {
		args  map[string]any
		wants []string
	}{
		// The example: a 4-digit ZIP, with the suggestion.
		{map[string]any{"line1": "9450 Wilshire Blvd", "city": "Beverly Hills", "state": "CA", "postal_code": "9021", "country": "US"},
			[]string{"postal_code", "'9021' is not a US ZIP code", "did you mean 90210?"}},
		// City and ZIP disagree.
		{map[string]any{"line1": "9450 Wilshire Blvd", "city": "Los Angeles", "state": "CA", "postal_code": "90210", "country": "US"},
			[]string{"city", "Beverly Hills"}},
		// State and ZIP disagree.
		{map[string]any{"line1": "1 Main St", "city": "Springfield", "state": "CA", "postal_code": "10002", "country": "US"},
			[]string{"postal_code", "not a CA ZIP code", "DE, NY, PA"}},
		// A leading zero lost in a spreadsheet.
		{map[string]any{"line1": "1 Beacon St", "city": "Boston", "state": "MA", "postal_code": "2108", "country": "US"},
			[]string{"postal_code", "did you mean 02108?"}},
		{map[string]any{"line1": "Karl-Liebknecht-Str. 1", "city": "Leipzig", "postal_code": "4109", "country": "DE"},
			[]string{"postal_code", "PLZ", "04109"}},
		{map[string]any{"line1": "10 Downing Street", "city": "London", "postal_code": "SW1A", "country": "GB"},
			[]string{"postal_code", "UK postcode"}},
		{map[string]any{"line1": "Marienplatz 8", "city": "Berlin", "postal_code": "80331", "country": "DE"},
			[]string{"city", "München"}},
		{map[string]any{"line1": "1 Main St", "city": "Austin", "state": "Texas Republic", "postal_code": "78701", "country": "US"},
			[]string{"state", "did you mean TX?"}},
		{map[string]any{"line1": "1 Main St", "city": "Austin", "state": "TX", "postal_code": "78701", "country": "XX"},
			[]string{"country"}},
	} {
		wantError(t, cs, "shipping_validate_address", tc.args, tc.wants...)
	}
	// Schema-level rejections.
	wantError(t, cs, "shipping_validate_address", map[string]any{"line1": "x", "city": "y", "country": "USA"}, "country")
	wantError(t, cs, "shipping_validate_address", map[string]any{"city": "y", "country": "US"}, "line1")
}

func TestGetRates(t *testing.T) {
	cs := demoSession(t)
	var out tools.GetRatesOut
	res := call(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox}, &out)
	if out.Total < 6 || out.Total > 12 || len(out.Rates) != 5 || out.Returned != 5 {
		t.Fatalf("rates: total %d, returned %d", out.Total, len(out.Rates))
	}
	if !out.Rates[0].Cheapest || out.Rates[0].RateID != out.CheapestRateID {
		t.Errorf("first rate is not the cheapest: %+v", out.Rates[0])
	}
	fastest := 0
	for i, r := range out.Rates {
		if r.AmountMinor < out.Rates[0].AmountMinor {
			t.Errorf("rate %d (%s) cheaper than the first", i, r.Price)
		}
		if r.Fastest {
			fastest++
			if i > 1 || r.RateID != out.FastestRateID {
				t.Errorf("fastest rate at position %d", i)
			}
		}
		if !strings.HasPrefix(r.RateID, "rate_") || r.Price == "" || r.Currency != "USD" || r.EstimatedDelivery == "" || r.TransitDays < 1 {
			t.Errorf("rate %d: %+v", i, r)
		}
		if i >= 3 && r.AmountMinor < out.Rates[i-1].AmountMinor {
			t.Errorf("rates after the fastest are not by price: %s then %s", out.Rates[i-1].Price, r.Price)
		}
	}
	if fastest != 1 {
		t.Errorf("%d rates marked fastest", fastest)
	}
	if !strings.Contains(mcptest.Text(res), "shipping_create_label") {
		t.Errorf("no next step in:\n%s", mcptest.Text(res))
	}
	// Bounded: 12 at most; limit respected; pounds and inches convert.
	call(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox, "limit": 12}, &out)
	if len(out.Rates) != out.Total {
		t.Errorf("limit 12: %d of %d", len(out.Rates), out.Total)
	}
	wantError(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox, "limit": 100}, "limit")
	call(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": map[string]any{"weight": 4.4, "weight_unit": "lb", "length": 12, "width": 8, "height": 4, "dimension_unit": "in"}, "carriers": []string{"ups"}}, &out)
	for _, r := range out.Rates {
		if r.Carrier != "ups" {
			t.Errorf("carrier filter: %+v", r)
		}
	}
	// International: other services, still 6-12 options.
	call(t, cs, "shipping_get_rates", map[string]any{"to": map[string]any{"name": "Lea Hoffmann", "line1": "Karl-Marx-Allee 280", "city": "Berlin", "postal_code": "10243", "country": "DE"}, "parcel": smallBox, "limit": 12}, &out)
	if out.Total < 6 || out.Total > 12 {
		t.Errorf("international: %d rates", out.Total)
	}
	// An invalid address names the field and the suggestion.
	bad := map[string]any{"name": "A", "line1": "9450 Wilshire Blvd", "city": "Beverly Hills", "state": "CA", "postal_code": "9021", "country": "US"}
	wantError(t, cs, "shipping_get_rates", map[string]any{"to": bad, "parcel": smallBox}, "to.postal_code", "90210")
	wantError(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": map[string]any{"weight": 90, "length": 30, "width": 20, "height": 10}}, "70 kg")
	wantError(t, cs, "shipping_get_rates", map[string]any{"to": austin}, "parcel")
}

func TestCreateTrackAndVoidLabel(t *testing.T) {
	cs, ms := ownBackend(t, nil)
	var rates tools.GetRatesOut
	call(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox}, &rates)
	args := map[string]any{"rate_id": rates.CheapestRateID, "reference": "ORD-TEST-1"}
	var label tools.CreateLabelOut
	res := call(t, cs, "shipping_create_label", args, &label)
	if label.Replayed || label.TrackingNumber == "" || label.CostMinor != rates.Rates[0].AmountMinor || label.Cost != rates.Rates[0].Price ||
		!strings.HasPrefix(label.LabelID, "lbl_") || label.Reference != "ORD-TEST-1" {
		t.Fatalf("label: %+v", label)
	}
	if label.LabelURL != "http://mock-backends.test/shipping/labels/"+label.LabelID+".pdf" || !strings.Contains(mcptest.Text(res), label.LabelURL) {
		t.Errorf("label URL %q in:\n%s", label.LabelURL, mcptest.Text(res))
	}
	// The same call again buys nothing: the server's idempotency store
	// answers with the first result, marked replayed.
	var again tools.CreateLabelOut
	res = call(t, cs, "shipping_create_label", args, &again)
	if res.Meta["bizmcp/replayed"] != true || !strings.Contains(mcptest.Text(res), "nothing was done again") ||
		again.LabelID != label.LabelID || again.TrackingNumber != label.TrackingNumber {
		t.Errorf("retry: %+v %v\n%s", again, res.Meta, mcptest.Text(res))
	}
	if n := ms.Stats().Writes["POST /shipping/labels"]; n != 1 {
		t.Errorf("labels bought by the call and its retry: %d", n)
	}
	// Another purchase with the same rate is refused by the backend.
	wantError(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.CheapestRateID, "reference": "ORD-TEST-2"}, "nothing was bought", "already")
	if n := ms.Stats().Writes["POST /shipping/labels"]; n != 1 {
		t.Errorf("labels bought: %d", n)
	}

	// The new label is trackable.
	var tr tools.TrackOut
	call(t, cs, "shipping_track", map[string]any{"carrier": label.Carrier, "tracking_number": label.TrackingNumber}, &tr)
	if tr.Status != "label_created" || tr.LabelID != label.LabelID || tr.ETA != label.EstimatedDelivery || tr.Reference != "ORD-TEST-1" {
		t.Errorf("tracking of the new label: %+v", tr)
	}
	// Void it, twice.
	var v tools.VoidLabelOut
	call(t, cs, "shipping_void_label", map[string]any{"label_id": label.LabelID}, &v)
	if v.Status != "voided" || v.Refund != label.Cost || v.RefundStatus != "pending" || v.Replayed || v.AlreadyVoided {
		t.Errorf("void: %+v", v)
	}
	res = call(t, cs, "shipping_void_label", map[string]any{"label_id": label.LabelID}, &v)
	if res.Meta["bizmcp/replayed"] != true || v.Status != "voided" || v.Refund != label.Cost {
		t.Errorf("second void: %+v %v", v, res.Meta)
	}
	if n := ms.Stats().Writes["POST /shipping/labels/"+label.LabelID+"/void"]; n != 1 {
		t.Errorf("voids performed by the call and its retry: %d", n)
	}
	call(t, cs, "shipping_track", map[string]any{"carrier": label.Carrier, "tracking_number": label.TrackingNumber}, &tr)
	if tr.Status != "voided" {
		t.Errorf("voided label tracks as %s", tr.Status)
	}
	// A label in transit cannot be voided, and the error says why.
	wantError(t, cs, "shipping_void_label", map[string]any{"label_id": shipping.LabelIDFor(world.DemoTrackingNumber)}, "cannot be voided", "in transit", "shipping_track")
	wantError(t, cs, "shipping_void_label", map[string]any{"label_id": "lbl_nosuchlabel"}, "shipping_track")
	wantError(t, cs, "shipping_void_label", map[string]any{"label_id": "7749281934"}, "label_id")
	// Unknown or malformed rates.
	wantError(t, cs, "shipping_create_label", map[string]any{"rate_id": "rate_0000000000000000"}, "shipping_get_rates", "nothing was bought")
	wantError(t, cs, "shipping_create_label", map[string]any{"rate_id": "RATE-1"}, "rate_id")
}

func TestCreateLabelCostCeilings(t *testing.T) {
	cs, ms := ownBackend(t, nil, "SHIPPING_MAX_LABEL_COST_MINOR=5000")
	var rates tools.GetRatesOut
	call(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox, "limit": 12}, &rates)
	var dear, cheap tools.RateOut
	for _, r := range rates.Rates {
		if r.AmountMinor > 5000 && dear.RateID == "" {
			dear = r
		}
	}
	cheap = rates.Rates[0]
	if dear.RateID == "" {
		t.Fatal("no rate above USD 50")
	}
	wantError(t, cs, "shipping_create_label", map[string]any{"rate_id": dear.RateID}, "refused", "nothing was bought", "SHIPPING_MAX_LABEL_COST_MINOR", "USD 50.00", dear.Price)
	wantError(t, cs, "shipping_create_label", map[string]any{"rate_id": cheap.RateID, "max_cost_minor": cheap.AmountMinor - 1}, "refused", "max_cost_minor")
	if n := ms.Stats().Writes["POST /shipping/labels"]; n != 0 {
		t.Errorf("a refused purchase reached the backend: %d", n)
	}
	var label tools.CreateLabelOut
	call(t, cs, "shipping_create_label", map[string]any{"rate_id": cheap.RateID, "max_cost_minor": cheap.AmountMinor}, &label)
	if label.CostMinor != cheap.AmountMinor {
		t.Errorf("%+v", label)
	}
}

// dropOnce performs the first label purchase and then reports a dropped
// connection, as if the response was lost after the backend bought the label.
type dropOnce struct {
	next    http.RoundTripper
	dropped atomic.Bool
}

func (d *dropOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/labels") && d.dropped.CompareAndSwap(false, true) {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, &netErr{syscall.ECONNRESET}
	}
	return resp, err
}

type netErr struct{ err error }

func (e *netErr) Error() string   { return "read tcp 127.0.0.1: " + e.err.Error() }
func (e *netErr) Unwrap() error   { return e.err }
func (e *netErr) Timeout() bool   { return false }
func (e *netErr) Temporary() bool { return true }

// A purchase whose response is lost is retried with the same key and buys
// one label.
func TestCreateLabelDroppedConnectionBuysOnce(t *testing.T) {
	drop := &dropOnce{}
	cs, ms := ownBackend(t, func(rt http.RoundTripper) http.RoundTripper { drop.next = rt; return drop })
	var rates tools.GetRatesOut
	call(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox}, &rates)
	var label tools.CreateLabelOut
	call(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.FastestRateID, "reference": "ORD-48291"}, &label)
	if !drop.dropped.Load() {
		t.Fatal("the connection was never dropped")
	}
	st := ms.Stats()
	d := st.Domains["shipping"]
	if n := st.Writes["POST /shipping/labels"]; n != 1 || d.Replays < 1 {
		t.Errorf("label writes %d, replays %d; want 1 write and a replay", n, d.Replays)
	}
	if !label.Replayed || label.TrackingNumber == "" {
		t.Errorf("the retry should report the original label as replayed: %+v", label)
	}
	// The model calling again after a timeout still buys nothing new.
	var again tools.CreateLabelOut
	call(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.FastestRateID, "reference": "ORD-48291"}, &again)
	if again.TrackingNumber != label.TrackingNumber || ms.Stats().Writes["POST /shipping/labels"] != 1 {
		t.Errorf("second call: %+v, writes %d", again, ms.Stats().Writes["POST /shipping/labels"])
	}
}

// absoluteLabelURL rewrites the backend's host-relative label_url into an
// absolute URL on a carrier host, as a real carrier integration may send.
type absoluteLabelURL struct{ next http.RoundTripper }

func (a absoluteLabelURL) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.next.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/labels") {
		return resp, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b = []byte(strings.Replace(string(b), `"label_url":"/shipping/labels/`, `"label_url":"https://labels.carrier.example/l/`, 1))
	resp.Body, resp.ContentLength = io.NopCloser(strings.NewReader(string(b))), int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func TestLabelURLs(t *testing.T) {
	buy := func(cs *mcp.ClientSession, format string) (tools.CreateLabelOut, string) {
		var rates tools.GetRatesOut
		call(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox}, &rates)
		var label tools.CreateLabelOut
		res := call(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.CheapestRateID, "label_format": format}, &label)
		return label, mcptest.Text(res)
	}
	// With SHIPPING_LABEL_BASE_URL, host-relative label paths resolve to it.
	cs, _ := ownBackend(t, nil, "SHIPPING_LABEL_BASE_URL=https://labels.example.com")
	label, _ := buy(cs, "zpl")
	if label.LabelURL != "https://labels.example.com/shipping/labels/"+label.LabelID+".zpl" {
		t.Errorf("label URL %q", label.LabelURL)
	}
	// An absolute URL from the backend is withheld unless its host is allowed.
	wrap := func(rt http.RoundTripper) http.RoundTripper { return absoluteLabelURL{rt} }
	cs, _ = ownBackend(t, wrap)
	label, text := buy(cs, "pdf")
	if label.LabelURL != "" || strings.Contains(text, "labels.carrier.example") || !strings.Contains(text, "MCP_ALLOWED_LINK_HOSTS") {
		t.Errorf("unlisted host shown: %q\n%s", label.LabelURL, text)
	}
	cs, _ = ownBackend(t, wrap, "MCP_ALLOWED_LINK_HOSTS=labels.carrier.example")
	label, text = buy(cs, "pdf")
	if label.LabelURL != "https://labels.carrier.example/l/"+label.LabelID+".pdf" || !strings.Contains(text, label.LabelURL) {
		t.Errorf("allowed host withheld: %q\n%s", label.LabelURL, text)
	}
}

func TestNoInvisibleCharactersAndBoundedOutput(t *testing.T) {
	cs := demoSession(t)
	for _, s := range world.Shipments() {
		res := call(t, cs, "shipping_track", map[string]any{"carrier": s.Carrier, "tracking_number": s.TrackingNumber, "full_history": true, "limit": 50}, nil)
		b, _ := json.Marshal(res)
		if strings.ContainsFunc(string(b), mcptest.Invisible) {
			t.Errorf("%s: invisible character in output", s.OrderID)
		}
		if len(b) > 40000 {
			t.Errorf("%s: result of %d bytes", s.OrderID, len(b))
		}
	}
}

func TestConfigValidation(t *testing.T) {
	for _, env := range []string{"SHIPPING_MAX_LABEL_COST_MINOR=-1", "SHIPPING_LABEL_BASE_URL=ftp://x", "SHIPPING_MAX_LABEL_COST_MINOR=lots"} {
		_, err := config.Load[extra](config.Spec{Binary: Spec.Binary, Prefix: Spec.Prefix}, []string{"--demo"}, []string{env}, io.Discard)
		var ue *config.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "SHIPPING_") {
			t.Errorf("%s: %v", env, err)
		}
	}
}

// The precomputed tool schemas are what inference says (mcpkit.Precomputed).
func TestPrecomputedSchemaSnapshot(t *testing.T) {
	apptest.PrecomputedSchemas(t, Spec, "internal/tools/schemas_gen.go", "tools")
}

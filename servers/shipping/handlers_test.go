package main

// Handler unit tests: the exact server the binary builds (middleware,
// idempotency, policies), on the in-memory fake of the shipping port: no
// HTTP, no mock backends.

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	shipport "github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping/shippingfake"
	"github.com/bizmcp/bizmcp/servers/shipping/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// onFake builds the server on f with env and connects a client.
func onFake(t *testing.T, f *shippingfake.Fake, env ...string) *mcp.ClientSession {
	t.Helper()
	env = append([]string{"MCP_RATE_LIMIT=10000", "MCP_RATE_BURST=10000"}, env...)
	cfg := apptest.Config(t, Spec, []string{"--demo"}, env...)
	var p shipport.Backend = f
	srv, _, err := app.BuildWithBackend(Spec, "test", cfg, slog.New(slog.DiscardHandler), audit.New(Spec.Binary, io.Discard), &p)
	if err != nil {
		t.Fatal(err)
	}
	return mcptest.Connect(t, srv)
}

var austinFake = map[string]any{"name": "Ada Park", "line1": "1 Main St", "city": "Austin", "state": "tx", "postal_code": "78701", "country": "US"}

func TestHandlerValidateAddress(t *testing.T) {
	cs := onFake(t, shippingfake.New())
	var v tools.ValidateAddressOut
	call(t, cs, "shipping_validate_address", austinFake, &v)
	if !v.Valid || v.Address.State != "TX" || len(v.Changes) != 1 || v.Changes[0] != "state" || !v.Residential {
		t.Errorf("%+v", v)
	}
	bad := map[string]any{"name": "Ada Park", "line1": "9450 Wilshire Blvd", "city": "Beverly Hills", "state": "CA", "postal_code": "9021", "country": "US"}
	wantError(t, cs, "shipping_validate_address", bad, "postal_code", "suggested postal_code: 90210", "shipping_validate_address again")
}

func TestHandlerRatesOrderingAndBounds(t *testing.T) {
	cs := onFake(t, shippingfake.New())
	var out tools.GetRatesOut
	call(t, cs, "shipping_get_rates", map[string]any{"to": austinFake, "parcel": smallBox}, &out)
	var got []string
	for _, r := range out.Rates {
		got = append(got, fmt.Sprintf("%s/%s/%d", r.Carrier, r.Service, r.AmountMinor))
	}
	// Cheapest, then fastest, then the rest by price.
	if want := "usps/ground/862 ups/express/5120 ups/ground/1840 fedex/2day/2650"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
	if !out.Rates[0].Cheapest || !out.Rates[1].Fastest || out.CheapestRateID != out.Rates[0].RateID || out.FastestRateID != out.Rates[1].RateID {
		t.Errorf("marks: %+v", out)
	}
	call(t, cs, "shipping_get_rates", map[string]any{"to": austinFake, "parcel": smallBox, "limit": 2}, &out)
	if out.Total != 4 || out.Returned != 2 || len(out.Rates) != 2 {
		t.Errorf("limit 2: total %d returned %d", out.Total, out.Returned)
	}
	call(t, cs, "shipping_get_rates", map[string]any{"to": austinFake, "parcel": smallBox, "carriers": []string{"ups"}}, &out)
	if out.Total != 2 || out.Rates[0].Service != "ground" || out.Rates[1].Service != "express" {
		t.Errorf("ups only: %+v", out.Rates)
	}
	to := map[string]any{"line1": "1 Main St", "city": "Austin", "state": "TX", "postal_code": "787", "country": "US"}
	wantError(t, cs, "shipping_get_rates", map[string]any{"to": to, "parcel": smallBox}, "address is not valid", "to.postal_code")
}

func quoteFake(t *testing.T, cs *mcp.ClientSession) tools.GetRatesOut {
	t.Helper()
	var out tools.GetRatesOut
	call(t, cs, "shipping_get_rates", map[string]any{"to": austinFake, "parcel": smallBox}, &out)
	return out
}

func TestHandlerBuyOnceUnderRetry(t *testing.T) {
	f := shippingfake.New()
	cs := onFake(t, f)
	rates := quoteFake(t, cs)
	// The backend buys the label, but the answer is lost: the tool reports
	// a failure, and the retry (same arguments, so the same key) gets the
	// first label back instead of buying a second one.
	f.LoseNextResponse()
	args := map[string]any{"rate_id": rates.CheapestRateID, "reference": "ORD-1"}
	wantError(t, cs, "shipping_create_label", args, "Retrying with the same arguments is safe")
	var l tools.CreateLabelOut
	res := call(t, cs, "shipping_create_label", args, &l)
	if !l.Replayed || l.TrackingNumber == "" || l.CostMinor != 862 || !strings.Contains(mcptest.Text(res), "nothing was bought again") {
		t.Errorf("retry: %+v\n%s", l, mcptest.Text(res))
	}
	var again tools.CreateLabelOut
	call(t, cs, "shipping_create_label", args, &again)
	if again.LabelID != l.LabelID || f.Bought() != 1 {
		t.Errorf("third call: %+v, bought %d", again, f.Bought())
	}
	// Another purchase of the same rate (other arguments) is refused.
	wantError(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.CheapestRateID, "reference": "ORD-2"}, "nothing was bought", "already bought")
	if f.Bought() != 1 {
		t.Errorf("bought %d labels, want 1", f.Bought())
	}
}

func TestHandlerCostCeilingsRefuseBeforeBuying(t *testing.T) {
	f := shippingfake.New()
	cs := onFake(t, f, "SHIPPING_MAX_LABEL_COST_MINOR=2000")
	rates := quoteFake(t, cs)
	wantError(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.FastestRateID}, "nothing was bought", "SHIPPING_MAX_LABEL_COST_MINOR", "USD 51.20", "USD 20.00")
	wantError(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.CheapestRateID, "max_cost_minor": 861}, "nothing was bought", "max_cost_minor", "USD 8.62")
	if f.Bought() != 0 {
		t.Fatalf("a refused purchase bought %d labels", f.Bought())
	}
	var l tools.CreateLabelOut
	call(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.CheapestRateID, "max_cost_minor": 862}, &l)
	if l.CostMinor != 862 || l.Currency != "USD" || l.Cost != "USD 8.62" || f.Bought() != 1 {
		t.Errorf("%+v bought %d", l, f.Bought())
	}
}

func TestHandlerCarrierRefusalAndUnknownTransit(t *testing.T) {
	f := shippingfake.New()
	f.Offers = append(f.Offers, shippingfake.Offer{Carrier: "dhl", Service: "express", ServiceName: "DHL Express Worldwide", AmountMinor: 9000})
	f.BuyError = &port.Error{Kind: port.KindBadRequest, Code: shipport.CodeCarrierRefused, Message: "USPS: The destination ZIP code is not served by this service."}
	cs := onFake(t, f)
	rates := quoteFake(t, cs)
	// A rate without a transit time is never the fastest, and says so.
	if rates.Rates[1].Service != "express" || rates.Rates[1].Carrier != "ups" || !strings.Contains(mcptest.Text(call(t, cs, "shipping_get_rates", map[string]any{"to": austinFake, "parcel": smallBox}, nil)), "DHL Express Worldwide: USD 90.00, transit time not given") {
		t.Errorf("%+v", rates.Rates)
	}
	wantError(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.CheapestRateID}, "nothing was bought", "the carrier refused", "not served by this service")
	if f.Bought() != 0 {
		t.Errorf("bought %d", f.Bought())
	}
}

func TestHandlerVoidScannedRefused(t *testing.T) {
	f := shippingfake.New()
	cs := onFake(t, f)
	rates := quoteFake(t, cs)
	var a, b tools.CreateLabelOut
	call(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.Rates[0].RateID}, &a)
	call(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.Rates[1].RateID}, &b)
	f.Scan(b.LabelID, "2026-03-02T08:00:00Z")
	wantError(t, cs, "shipping_void_label", map[string]any{"label_id": b.LabelID}, "cannot be voided", "scanned it on 2026-03-02", "nothing was refunded")
	var v tools.VoidLabelOut
	call(t, cs, "shipping_void_label", map[string]any{"label_id": a.LabelID}, &v)
	if v.Status != "voided" || v.Refund != "USD 8.62" || v.AlreadyVoided {
		t.Errorf("%+v", v)
	}
	if f.Voids() != 1 {
		t.Errorf("voids %d", f.Voids())
	}
	wantError(t, cs, "shipping_void_label", map[string]any{"label_id": "lbl_nosuchlabel"}, "not found", "label id")
}

func TestHandlerTrackPaging(t *testing.T) {
	f := shippingfake.New()
	tr := shipport.Tracking{Carrier: "ups", TrackingNumber: "1Z999AA10123456784", Status: "in_transit", EstimatedDelivery: "2026-03-09"}
	for i := 90; i >= 1; i-- {
		tr.Events = append(tr.Events, shipport.Event{At: fmt.Sprintf("2026-03-01T%02d:%02d:00Z", i/60, i%60), Status: "in_transit", Description: fmt.Sprintf("event %d", i),
			Location: shipport.Location{City: "Louisville", State: "KY", Country: "US"}})
	}
	f.AddTracking(tr)
	cs := onFake(t, f)
	var out tools.TrackOut
	args := map[string]any{"carrier": "ups", "tracking_number": "1Z999AA10123456784"}
	call(t, cs, "shipping_track", args, &out)
	if len(out.Events) != 5 || out.EventsTotal != 90 || out.ETA != "2026-03-09" || out.Events[0].Description != "event 90" || out.LatestLocation != "Louisville, KY, US" {
		t.Fatalf("%+v", out)
	}
	args["full_history"], args["limit"] = true, 25
	var seen []string
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatal("too many pages")
		}
		call(t, cs, "shipping_track", args, &out)
		for _, e := range out.Events {
			seen = append(seen, e.Description)
		}
		if !out.Page.HasMore {
			break
		}
		args["cursor"] = out.Page.NextCursor
	}
	if len(seen) != 90 || seen[0] != "event 90" || seen[89] != "event 1" {
		t.Errorf("paged %d events: %v ... %v", len(seen), seen[:1], seen[len(seen)-1:])
	}
	wantError(t, cs, "shipping_track", map[string]any{"carrier": "fedex", "tracking_number": "000000000000"}, "not found", "orders_get_order")
}

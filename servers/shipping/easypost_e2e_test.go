package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/bizmcp/bizmcp/servers/shipping/internal/backends/easypost/easyposttest"
	"github.com/bizmcp/bizmcp/servers/shipping/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// End to end on EasyPost: the real shipping-mcp binary with --backend
// easypost, its base URL pointed at a loopback server that answers like
// EasyPost's API v2, driven by the go-sdk MCP client over stdio.

const e2eKey = "EZTK4f1c2b3a5d6e7f8091a2b3c4d5e6f7"

func easypostEnv(api *httptest.Server) []string {
	return []string{
		"EASYPOST_API_KEY=" + e2eKey, "EASYPOST_API_URL=" + api.URL + "/v2",
		"EASYPOST_FROM_ADDRESS_ID=adr_9a1f4e5de7b411f0a2f4ac1f6bc53342",
		"MCP_ALLOWED_LINK_HOSTS=easypost-files.s3.us-west-2.amazonaws.com",
	}
}

func TestE2EEasyPost(t *testing.T) {
	server, _ := e2e.Binaries(t, "shipping")
	fake := easyposttest.NewAPI(e2eKey)
	api := httptest.NewServer(fake.Handler())
	t.Cleanup(api.Close)
	var logs apptest.AuditBuffer
	cmd := proc.Command(context.Background(), server, []string{"--backend", "easypost"}, easypostEnv(api))
	cmd.Stderr = &logs
	cs := e2e.Connect(t, &mcp.CommandTransport{Command: cmd})
	if tl := mcptest.CheckTools(t, cs, "shipping_"); len(tl) != 5 {
		t.Fatalf("%d tools", len(tl))
	}
	if !strings.Contains(logs.String(), "test key (EZTK") || strings.Contains(logs.String(), e2eKey) {
		t.Errorf("start log must say the key is a test key, never the key itself:\n%s", logs.String())
	}

	// Rates: a shipment is created; cheapest first, then fastest.
	res := mcptest.Call(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox})
	var rates tools.GetRatesOut
	mcptest.Structured(t, res, &rates)
	if res.IsError || rates.Total != 4 || rates.Rates[0].Price != "USD 7.58" || rates.Rates[0].ServiceName != "USPS Ground Advantage" ||
		!rates.Rates[1].Fastest || rates.Rates[1].AmountMinor != 3845 || rates.From != "Reno, NV 89502, US" {
		t.Fatalf("rates: %s", mcptest.Text(res))
	}

	// One label under retry: EasyPost buys it, the answer is lost; the
	// adapter reads the shipment, finds the label and returns it.
	fake.DropBuyAnswers(1)
	args := map[string]any{"rate_id": rates.CheapestRateID, "reference": "ORD-48291", "max_cost_minor": 758}
	res = mcptest.Call(t, cs, "shipping_create_label", args)
	var label tools.CreateLabelOut
	mcptest.Structured(t, res, &label)
	if res.IsError || !label.Replayed || label.CostMinor != 758 || label.TrackingNumber == "" || !strings.HasPrefix(label.LabelID, "lbl_") ||
		!strings.HasPrefix(label.LabelURL, "https://easypost-files.s3.us-west-2.amazonaws.com/") {
		t.Fatalf("label: %s", mcptest.Text(res))
	}
	// The model retries the whole call: still one label.
	res = mcptest.Call(t, cs, "shipping_create_label", args)
	var again tools.CreateLabelOut
	mcptest.Structured(t, res, &again)
	if res.IsError || again.TrackingNumber != label.TrackingNumber {
		t.Errorf("retry: %s", mcptest.Text(res))
	}
	if n := fake.Buys(); n != 1 {
		t.Errorf("EasyPost bought %d labels, want 1", n)
	}
	// A rate above the caller's ceiling is refused before EasyPost is asked.
	res = mcptest.Call(t, cs, "shipping_create_label", map[string]any{"rate_id": rates.FastestRateID, "max_cost_minor": 2000})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "nothing was bought") || fake.Buys() != 1 {
		t.Errorf("ceiling: %s", mcptest.Text(res))
	}

	// Tracking: a tracker with 90 events, paged.
	fake.AddTracker(easyposttest.Tracker("9400100110368070379090", 90, true, "A PARK"))
	track := map[string]any{"carrier": "usps", "tracking_number": "9400100110368070379090"}
	res = mcptest.Call(t, cs, "shipping_track", track)
	var tr tools.TrackOut
	mcptest.Structured(t, res, &tr)
	if res.IsError || tr.Status != "delivered" || tr.EventsTotal != 90 || len(tr.Events) != 5 || tr.SignedBy != "A PARK" {
		t.Fatalf("track: %s", mcptest.Text(res))
	}
	track["full_history"], track["limit"] = true, 50
	seen := 0
	for page := 0; page < 3; page++ {
		res = mcptest.Call(t, cs, "shipping_track", track)
		mcptest.Structured(t, res, &tr)
		seen += len(tr.Events)
		if res.IsError || !tr.Page.HasMore {
			break
		}
		track["cursor"] = tr.Page.NextCursor
	}
	if seen != 90 {
		t.Errorf("paged through %d events, want 90", seen)
	}
}

func TestE2EEasyPostReadinessAndSettings(t *testing.T) {
	server, _ := e2e.Binaries(t, "shipping")
	fake := easyposttest.NewAPI(e2eKey)
	api := httptest.NewServer(fake.Handler())
	t.Cleanup(api.Close)
	s := e2e.StartHTTP(t, server, append(easypostEnv(api), "SHIPPING_BACKEND=easypost")...)
	resp, err := http.Get("http://" + s.Addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "ready: EasyPost test key (EZTK…)") {
		t.Errorf("/readyz: %s %s", resp.Status, b)
	}
	e2e.CheckUsageExit(t, server, []string{"SHIPPING_BACKEND=easypost"}, "EASYPOST_API_KEY")
	e2e.CheckUsageExit(t, server, []string{"SHIPPING_BACKEND=easypost", "EASYPOST_API_KEY=EZAKx", "EASYPOST_API_URL=http://api.easypost.example/v2"}, "EASYPOST_API_URL")
}

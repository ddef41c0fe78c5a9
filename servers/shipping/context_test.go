package main

import (
	"context"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks/shipping"
	"github.com/bizmcp/bizmcp/servers/shipping/internal/tools"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestContextSnapshotsAndDescriptions(t *testing.T) {
	c := mcptest.CheckContext(t, demoSession(t), "internal/tools/testdata/toolsnaps",
		"shipping_delivery_problem", "shipping_ship_parcel", "shipping://reference/service-levels", "shipping://policies/labels",
		"shipping://tracking/{carrier}/{number}")
	for _, p := range c.Prompts {
		if p.Title == "" {
			t.Errorf("prompt %s has no title", p.Name)
		}
	}
}

func readText(t *testing.T, cs *mcp.ClientSession, uri string) *mcp.ReadResourceResult {
	t.Helper()
	res, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: uri})
	if err != nil {
		t.Fatalf("%s: %v", uri, err)
	}
	if len(res.Contents) != 1 || res.Contents[0].Text == "" {
		t.Fatalf("%s: contents %+v", uri, res.Contents)
	}
	return res
}

func TestReadResources(t *testing.T) {
	cs := demoSession(t)
	ctx := context.Background()

	// The tracking resource is shipping_track's default view, text for text.
	for _, n := range []struct{ carrier, number string }{
		{"fedex", shipping.DemoTrackingNumber}, {"ups", shipping.LongHistoryTrackingNumber}, {"dhl", shipping.InjectedTrackingNumber},
	} {
		var out tools.TrackOut
		tool := mcptest.Text(call(t, cs, "shipping_track", map[string]any{"carrier": n.carrier, "tracking_number": n.number}, &out))
		if got := readText(t, cs, "shipping://tracking/"+n.carrier+"/"+n.number).Contents[0].Text; got != tool {
			t.Errorf("%s %s: resource and tool differ:\nresource: %s\ntool: %s", n.carrier, n.number, got, tool)
		}
	}
	res := readText(t, cs, "shipping://tracking/fedex/"+shipping.DemoTrackingNumber)
	text := res.Contents[0].Text
	for _, want := range []string{"FEDEX 7749281934", "for ORD-48291", "status: in_transit", "ETA: 2026-02-26", "last 4 of 4 events"} {
		if !strings.Contains(text, want) {
			t.Errorf("tracking resource lacks %q:\n%s", want, text)
		}
	}
	if res.Contents[0].MIMEType != "text/plain" {
		t.Errorf("MIME type %q", res.Contents[0].MIMEType)
	}
	// Carrier case and the number's case do not matter, as for the tool;
	// a long history is bounded to its last 5 events.
	if text := readText(t, cs, "shipping://tracking/UPS/"+strings.ToLower(shipping.LongHistoryTrackingNumber)).Contents[0].Text; !strings.Contains(text, "last 5 of 94 events") {
		t.Errorf("long history not bounded: %s", text)
	}

	// Carrier free text comes back sanitized, fenced and flagged.
	res = readText(t, cs, "shipping://tracking/dhl/"+shipping.InjectedTrackingNumber)
	if text := res.Contents[0].Text; !strings.Contains(text, "⟦untrusted-data") || res.Meta["bizmcp/untrusted"] == nil {
		t.Errorf("injected tracking resource not fenced and flagged: %s", text)
	}

	levels := readText(t, cs, "shipping://reference/service-levels").Contents[0].Text
	for _, want := range []string{"FedEx Ground", "UPS 2nd Day Air", "DHL Express Worldwide", "USPS Priority Mail Express", "transit"} {
		if !strings.Contains(levels, want) {
			t.Errorf("service levels lack %q", want)
		}
	}
	policy := readText(t, cs, "shipping://policies/labels").Contents[0].Text
	for _, want := range []string{"50000 minor units", "USD 500.00", "SHIPPING_MAX_LABEL_COST_MINOR", "shipping_void_label", "not scanned", "shipping_validate_address"} {
		if !strings.Contains(policy, want) {
			t.Errorf("label policy lacks %q:\n%s", want, policy)
		}
	}

	for _, uri := range []string{
		"shipping://tracking/fedex/0000000000",                            // no such shipment
		"shipping://tracking/ups/" + shipping.DemoTrackingNumber,          // a FedEx number
		"shipping://tracking/acme/" + shipping.DemoTrackingNumber,         // no such carrier
		"shipping://tracking/fedex/../../etc/passwd",                      // not a tracking number
		"shipping://tracking/fedex/" + shipping.DemoTrackingNumber + "/x", // extra segment
		"shipping://tracking/fedex/123",                                   // too short
		"shipping://nope",
	} {
		if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri}); !mcptest.IsResourceNotFound(err) {
			t.Errorf("%s: %v", uri, err)
		}
	}
}

// The label policy states the configured ceiling, or that there is none.
func TestLabelPolicyFollowsConfiguration(t *testing.T) {
	for env, want := range map[string]string{
		"SHIPPING_MAX_LABEL_COST_MINOR=2500": "2500 minor units** of the rate's currency (USD 25.00",
		"SHIPPING_MAX_LABEL_COST_MINOR=0":    "no label cost ceiling",
	} {
		cs := demoSession(t, env)
		if text := readText(t, cs, "shipping://policies/labels").Contents[0].Text; !strings.Contains(text, want) {
			t.Errorf("%s: policy lacks %q:\n%s", env, want, text)
		}
	}
}

func promptText(t *testing.T, cs *mcp.ClientSession, name string, args map[string]string) string {
	t.Helper()
	res, err := cs.GetPrompt(context.Background(), &mcp.GetPromptParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	if res.Description == "" || len(res.Messages) != 1 {
		t.Fatalf("%s: %+v", name, res)
	}
	return res.Messages[0].Content.(*mcp.TextContent).Text
}

func TestPrompts(t *testing.T) {
	cs := demoSession(t)
	ctx := context.Background()

	text := promptText(t, cs, "shipping_delivery_problem", map[string]string{"carrier": "UPS", "tracking_number": "1z999aa1 0123456784", "complaint": "Stuck in customs for weeks."})
	for _, want := range []string{"shipping_track", `carrier "ups"`, `tracking_number "1Z999AA10123456784"`, "full_history=true", "cursor",
		"Stuck in customs for weeks.", "Never re-ship, buy a label (shipping_create_label)", "explicitly asks", "never follow instructions"} {
		if !strings.Contains(text, want) {
			t.Errorf("delivery problem lacks %q:\n%s", want, text)
		}
	}
	if text := promptText(t, cs, "shipping_delivery_problem", map[string]string{"carrier": "fedex", "tracking_number": "7749281934"}); strings.Contains(text, "customer reports") {
		t.Errorf("no complaint given, yet:\n%s", text)
	}

	text = promptText(t, cs, "shipping_ship_parcel", map[string]string{
		"to": "Ada Park, 9450 Wilshire Blvd,\nBeverly Hills, CA 90210, US", "from": "Hansa Software, Friedrichstr. 10, 10117 Berlin, DE",
		"weight": "2.5kg", "dimensions": "30x20x10 cm",
	})
	for _, want := range []string{"shipping_validate_address", "ship-from address as well", "shipping_get_rates", "cheapest and the fastest",
		"explicitly confirm", "shipping_create_label", "max_cost_minor", "2.5 kg", "30 x 20 x 10 cm", "Beverly Hills, CA 90210", "never follow instructions"} {
		if !strings.Contains(text, want) {
			t.Errorf("ship parcel lacks %q:\n%s", want, text)
		}
	}
	text = promptText(t, cs, "shipping_ship_parcel", map[string]string{"to": "Ada Park, 9450 Wilshire Blvd, Beverly Hills, CA 90210, US", "weight": "3 lb"})
	for _, want := range []string{"company warehouse", "omit `from`", "3 lb", "ask the user for the parcel's length, width and height"} {
		if !strings.Contains(text, want) {
			t.Errorf("ship parcel (warehouse, no dimensions) lacks %q:\n%s", want, text)
		}
	}

	for _, bad := range []struct {
		name string
		args map[string]string
	}{
		{"shipping_delivery_problem", map[string]string{"carrier": "acme", "tracking_number": "7749281934"}},
		{"shipping_delivery_problem", map[string]string{"carrier": "fedex", "tracking_number": "77; drop"}},
		{"shipping_delivery_problem", map[string]string{"carrier": "fedex"}},
		{"shipping_delivery_problem", map[string]string{"carrier": "fedex", "tracking_number": "7749281934", "complaint": strings.Repeat("x", 2001)}},
		{"shipping_ship_parcel", map[string]string{"weight": "2 kg"}},
		{"shipping_ship_parcel", map[string]string{"to": "Berlin", "weight": "heavy"}},
		{"shipping_ship_parcel", map[string]string{"to": "Berlin", "weight": "0 kg"}},
		{"shipping_ship_parcel", map[string]string{"to": "Berlin", "weight": "80 kg"}},
		{"shipping_ship_parcel", map[string]string{"to": "Berlin", "weight": "2 kg", "dimensions": "big"}},
		{"shipping_ship_parcel", map[string]string{"to": strings.Repeat("a", 301), "weight": "2 kg"}},
	} {
		if _, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: bad.name, Arguments: bad.args}); err == nil {
			t.Errorf("%s %v accepted", bad.name, bad.args)
		}
	}
}

func complete(t *testing.T, cs *mcp.ClientSession, ref *mcp.CompleteReference, arg, value string) mcp.CompletionResultDetails {
	t.Helper()
	c := mcptest.Complete(t, cs, ref, arg, value)
	if len(c.Values) > mcpkit.MaxCompletions {
		t.Errorf("%d values, more than %d", len(c.Values), mcpkit.MaxCompletions)
	}
	return c
}

func TestCompletions(t *testing.T) {
	cs := demoSession(t)
	tmpl := &mcp.CompleteReference{Type: "ref/resource", URI: "shipping://tracking/{carrier}/{number}"}
	prompt := &mcp.CompleteReference{Type: "ref/prompt", Name: "shipping_delivery_problem"}
	for _, c := range []struct {
		ref    *mcp.CompleteReference
		prefix string
		want   []string
	}{
		{tmpl, "", []string{"fedex", "ups", "dhl", "usps"}},
		{tmpl, "u", []string{"ups", "usps"}},
		{tmpl, "F", []string{"fedex"}},
		{prompt, "dh", []string{"dhl"}},
		{prompt, "usps", []string{"usps"}},
		{prompt, "x", nil},
	} {
		got := complete(t, cs, c.ref, "carrier", c.prefix)
		if strings.Join(got.Values, ",") != strings.Join(c.want, ",") || got.Total != len(c.want) || got.HasMore {
			t.Errorf("%s carrier=%q: %+v, want %v", c.ref.Type, c.prefix, got, c.want)
		}
		for _, v := range got.Values {
			if !strings.HasPrefix(v, strings.ToLower(c.prefix)) {
				t.Errorf("completion %s does not match the prefix %q", v, c.prefix)
			}
		}
	}
	// The shipping API cannot list shipments, so tracking numbers complete
	// to nothing rather than to guesses.
	if got := complete(t, cs, tmpl, "number", "7749"); len(got.Values) != 0 {
		t.Errorf("number completed to %v", got.Values)
	}
	if got := complete(t, cs, prompt, "tracking_number", "1Z"); len(got.Values) != 0 {
		t.Errorf("tracking_number completed to %v", got.Values)
	}
}

package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/mocks/shipping"
	"github.com/bizmcp/bizmcp/mocks/world"
	"github.com/bizmcp/bizmcp/servers/shipping/internal/tools"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// gated is a server on its own mock backend with the approval gate and the
// audit trail exposed: deps.Approvals decides approvals as a person would.
type gated struct {
	cs    *mcp.ClientSession
	ms    *mocks.Server
	deps  app.Deps[extra]
	audit *apptest.AuditBuffer
}

func gatedBackend(t *testing.T, env ...string) *gated {
	t.Helper()
	spec, ms := apptest.OwnBackend(t, Spec, mocks.Options{}, "http://mock-backends.test/shipping", nil)
	env = append([]string{"MCP_RATE_LIMIT=10000", "MCP_RATE_BURST=10000", "SHIPPING_API_RATE_LIMIT=10000", "SHIPPING_API_RATE_BURST=1000"}, env...)
	g := &gated{ms: ms, audit: &apptest.AuditBuffer{}}
	g.cs, _, g.deps = apptest.Server(t, spec, g.audit, []string{"--demo"}, env...)
	return g
}

func (g *gated) labelsBought() int64 { return g.ms.Stats().Writes["POST /shipping/labels"] }

func (g *gated) voids(labelID string) int64 {
	return g.ms.Stats().Writes["POST /shipping/labels/"+labelID+"/void"]
}

var approvalIDRE = regexp.MustCompile(`apr_[0-9a-f]{20}`)

// pending calls a tool that must stop for approval and returns the id.
func pending(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any, wants ...string) string {
	t.Helper()
	text := wantError(t, cs, tool, args, append([]string{"NOT DONE", "needs a person's approval", "approval_id"}, wants...)...)
	id := approvalIDRE.FindString(text)
	if id == "" {
		t.Fatalf("%s: no approval id in:\n%s", tool, text)
	}
	return id
}

// quote returns the cheapest rate and the rates above minor (at least two).
func quote(t *testing.T, cs *mcp.ClientSession, above int64) (cheap tools.RateOut, dear []tools.RateOut) {
	t.Helper()
	var rates tools.GetRatesOut
	call(t, cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox, "limit": 12}, &rates)
	for _, r := range rates.Rates {
		if r.AmountMinor > above && r.AmountMinor < 50000 {
			dear = append(dear, r)
		}
	}
	if len(dear) < 2 {
		t.Fatalf("fewer than two rates above %d in %+v", above, rates.Rates)
	}
	return rates.Rates[0], dear
}

func TestCreateLabelNeedsApprovalAboveThreshold(t *testing.T) {
	g := gatedBackend(t, "MCP_APPROVAL_POLICY=shipping_create_label>1500")
	ctx := context.Background()
	cheap, dears := quote(t, g.cs, 1500)
	dear := dears[0]
	if cheap.AmountMinor > 1500 {
		t.Fatalf("cheapest rate %s is above the threshold", cheap.Price)
	}

	// Above the threshold: pending, with a preview naming the service, the
	// price and where the parcel goes; nothing is bought.
	buy := map[string]any{"rate_id": dear.RateID, "reference": "ORD-48291"}
	id := pending(t, g.cs, "shipping_create_label", buy, dear.RateID, dear.Price, "Austin", "ORD-48291", "shipping_create_label>1500")
	if n := g.labelsBought(); n != 0 {
		t.Fatalf("a label was bought before approval: %d", n)
	}
	recs, err := g.deps.Approvals.List(ctx)
	if err != nil || len(recs) != 1 || recs[0].ID != id || recs[0].Amount != dear.AmountMinor || recs[0].Currency != dear.Currency ||
		!strings.Contains(recs[0].Summary, "buy a") || !strings.Contains(recs[0].Summary, dear.ServiceName) || !strings.Contains(recs[0].Summary, "Santiago Sánchez") {
		t.Fatalf("pending approvals: %+v %v", recs, err)
	}
	// The model cannot use it before a person decides.
	withID := map[string]any{"rate_id": dear.RateID, "reference": "ORD-48291", "approval_id": id}
	wantError(t, g.cs, "shipping_create_label", withID, "still pending")
	if n := g.labelsBought(); n != 0 {
		t.Fatalf("a label was bought on a pending approval: %d", n)
	}

	if _, err := g.deps.Approvals.Decide(ctx, id, true, "Dana (ops)", ""); err != nil {
		t.Fatal(err)
	}
	// The approval is sealed to the arguments: another reference, another
	// rate or a price cap changed after approval are all rejected.
	for _, altered := range []map[string]any{
		{"rate_id": dear.RateID, "reference": "ORD-99999", "approval_id": id},
		{"rate_id": dears[1].RateID, "reference": "ORD-48291", "approval_id": id},
		{"rate_id": dear.RateID, "reference": "ORD-48291", "max_cost_minor": dear.AmountMinor + 100, "approval_id": id},
		{"rate_id": dear.RateID, "reference": "ORD-48291", "label_format": "zpl", "approval_id": id},
	} {
		wantError(t, g.cs, "shipping_create_label", altered, "NOT DONE", "different call")
	}
	if n := g.labelsBought(); n != 0 {
		t.Fatalf("an altered call bought a label: %d", n)
	}
	if !strings.Contains(g.audit.String(), `"decision":"approval_mismatch"`) {
		t.Errorf("mismatches not audited:\n%s", g.audit.String())
	}

	// The approved call buys exactly one label; its retry is replayed.
	var label tools.CreateLabelOut
	call(t, g.cs, "shipping_create_label", withID, &label)
	if label.CostMinor != dear.AmountMinor || label.Reference != "ORD-48291" || label.TrackingNumber == "" {
		t.Errorf("approved label: %+v", label)
	}
	var again tools.CreateLabelOut
	res := call(t, g.cs, "shipping_create_label", withID, &again)
	if res.Meta["bizmcp/replayed"] != true || again.LabelID != label.LabelID {
		t.Errorf("retry of the approved call: %+v %v", again, res.Meta)
	}
	if n := g.labelsBought(); n != 1 {
		t.Errorf("labels bought with one approval: %d", n)
	}
	for _, d := range []string{"approval_requested", "approved_by_approver", "approval_used"} {
		if !strings.Contains(g.audit.String(), `"decision":"`+d+`"`) {
			t.Errorf("audit lacks %s:\n%s", d, g.audit.String())
		}
	}

	// At or below the threshold: bought without asking anyone.
	call(t, g.cs, "shipping_create_label", map[string]any{"rate_id": cheap.RateID}, &label)
	if label.CostMinor != cheap.AmountMinor || g.labelsBought() != 2 {
		t.Errorf("label below the threshold: %+v, %d bought", label, g.labelsBought())
	}
}

func TestCreateLabelDeniedApproval(t *testing.T) {
	g := gatedBackend(t, "MCP_APPROVAL_POLICY=shipping_create_label>1500")
	ctx := context.Background()
	_, dears := quote(t, g.cs, 1500)
	dear := dears[0]
	buy := map[string]any{"rate_id": dear.RateID}
	id := pending(t, g.cs, "shipping_create_label", buy, dear.Price)
	if _, err := g.deps.Approvals.Decide(ctx, id, false, "Dana (ops)", "use the cheaper rate"); err != nil {
		t.Fatal(err)
	}
	wantError(t, g.cs, "shipping_create_label", map[string]any{"rate_id": dear.RateID, "approval_id": id}, "NOT DONE", "denied by Dana (ops)", "use the cheaper rate")
	// Asking again without the id does not reopen it.
	wantError(t, g.cs, "shipping_create_label", buy, "NOT DONE")
	if n := g.labelsBought(); n != 0 {
		t.Errorf("labels bought after a denial: %d", n)
	}
	// An id that was never issued is refused too.
	wantError(t, g.cs, "shipping_create_label", map[string]any{"rate_id": dear.RateID, "approval_id": "apr_0123456789abcdef0123"}, "NOT DONE", "unknown")
	if n := g.labelsBought(); n != 0 {
		t.Errorf("labels bought with an unknown approval: %d", n)
	}
}

// The cost ceilings are checked before the gate: a label over the ceiling
// is refused by the named rule, and no one is asked to approve it.
func TestCostCeilingsRefuseBeforeApproval(t *testing.T) {
	g := gatedBackend(t, "MCP_APPROVAL_POLICY=shipping_create_label>0", "SHIPPING_MAX_LABEL_COST_MINOR=5000")
	var rates tools.GetRatesOut
	call(t, g.cs, "shipping_get_rates", map[string]any{"to": austin, "parcel": smallBox, "limit": 12}, &rates)
	var dear tools.RateOut
	for _, r := range rates.Rates {
		if r.AmountMinor > 5000 {
			dear = r
			break
		}
	}
	if dear.RateID == "" {
		t.Fatal("no rate above USD 50")
	}
	cheap := rates.Rates[0]
	wantError(t, g.cs, "shipping_create_label", map[string]any{"rate_id": dear.RateID},
		"refused by policy SHIPPING_MAX_LABEL_COST_MINOR", "nothing was bought", "USD 50.00", dear.Price)
	wantError(t, g.cs, "shipping_create_label", map[string]any{"rate_id": cheap.RateID, "max_cost_minor": cheap.AmountMinor - 1},
		"refused by policy max_cost_minor", "nothing was bought")
	a := g.audit.String()
	for _, d := range []string{`"decision":"refused:SHIPPING_MAX_LABEL_COST_MINOR"`, `"decision":"refused:max_cost_minor"`} {
		if !strings.Contains(a, d) {
			t.Errorf("audit lacks %s:\n%s", d, a)
		}
	}
	if strings.Contains(a, "approval_requested") {
		t.Errorf("a refused purchase was put to a person:\n%s", a)
	}
	if recs, _ := g.deps.Approvals.List(context.Background()); len(recs) != 0 || g.labelsBought() != 0 {
		t.Errorf("pending %+v, bought %d", recs, g.labelsBought())
	}
}

func TestVoidLabelApproval(t *testing.T) {
	g := gatedBackend(t, "MCP_APPROVAL_POLICY=shipping_void_label")
	ctx := context.Background()
	// Buying is not under approval here; voiding always is.
	var first, second tools.CreateLabelOut
	cheap, _ := quote(t, g.cs, 0)
	call(t, g.cs, "shipping_create_label", map[string]any{"rate_id": cheap.RateID, "reference": "ORD-TEST-7"}, &first)
	cheap2, _ := quote(t, g.cs, 0)
	call(t, g.cs, "shipping_create_label", map[string]any{"rate_id": cheap2.RateID}, &second)

	void := map[string]any{"label_id": first.LabelID}
	id := pending(t, g.cs, "shipping_void_label", void, first.LabelID, first.TrackingNumber, first.Cost, "ORD-TEST-7", "credited back")
	if n := g.voids(first.LabelID); n != 0 {
		t.Fatalf("voided before approval: %d", n)
	}
	recs, _ := g.deps.Approvals.List(ctx)
	if len(recs) != 1 || recs[0].Amount != first.CostMinor || recs[0].Currency != first.Currency || !strings.Contains(recs[0].Summary, "Austin") {
		t.Fatalf("pending void: %+v", recs)
	}
	if _, err := g.deps.Approvals.Decide(ctx, id, true, "Dana (ops)", ""); err != nil {
		t.Fatal(err)
	}
	// Presented for another label, the approval is rejected.
	wantError(t, g.cs, "shipping_void_label", map[string]any{"label_id": second.LabelID, "approval_id": id}, "NOT DONE", "different call")
	if n := g.voids(second.LabelID); n != 0 {
		t.Fatalf("the other label was voided: %d", n)
	}
	// With the approval, the void runs once; the retry is replayed.
	var v tools.VoidLabelOut
	withID := map[string]any{"label_id": first.LabelID, "approval_id": id}
	call(t, g.cs, "shipping_void_label", withID, &v)
	if v.Status != "voided" || v.Refund != first.Cost {
		t.Errorf("approved void: %+v", v)
	}
	res := call(t, g.cs, "shipping_void_label", withID, &v)
	if res.Meta["bizmcp/replayed"] != true || g.voids(first.LabelID) != 1 {
		t.Errorf("retry: %v, %d voids", res.Meta, g.voids(first.LabelID))
	}
	// The same void asked again without the approval id is the same
	// operation: replayed from the store, nothing voided again, no one asked.
	res = call(t, g.cs, "shipping_void_label", void, &v)
	if res.Meta["bizmcp/replayed"] != true || v.Status != "voided" || g.voids(first.LabelID) != 1 {
		t.Errorf("same void without approval_id: %v %+v, %d voids", res.Meta, v, g.voids(first.LabelID))
	}

	// A denied void leaves the label valid.
	id2 := pending(t, g.cs, "shipping_void_label", map[string]any{"label_id": second.LabelID}, second.LabelID)
	if _, err := g.deps.Approvals.Decide(ctx, id2, false, "Dana (ops)", "the parcel ships today"); err != nil {
		t.Fatal(err)
	}
	wantError(t, g.cs, "shipping_void_label", map[string]any{"label_id": second.LabelID, "approval_id": id2}, "NOT DONE", "denied", "the parcel ships today")
	if n := g.voids(second.LabelID); n != 0 {
		t.Errorf("a denied void reached the backend: %d", n)
	}
	var tr tools.TrackOut
	call(t, g.cs, "shipping_track", map[string]any{"carrier": second.Carrier, "tracking_number": second.TrackingNumber}, &tr)
	if tr.Status != "label_created" {
		t.Errorf("denied void changed the label: %s", tr.Status)
	}

	// A scanned label cannot be voided: refused at once, no one is asked.
	demoLabel := shipping.LabelIDFor(world.DemoTrackingNumber)
	wantError(t, g.cs, "shipping_void_label", map[string]any{"label_id": demoLabel}, "cannot be voided", "in transit", "shipping_track")
	if recs, _ := g.deps.Approvals.List(ctx); len(recs) != 0 {
		t.Errorf("approval asked for an unvoidable label: %+v", recs)
	}
	if n := g.voids(demoLabel); n != 0 {
		t.Errorf("void of a scanned label reached the backend: %d", n)
	}
	// An unknown label: the usual not-found guidance, nothing asked.
	wantError(t, g.cs, "shipping_void_label", map[string]any{"label_id": "lbl_nosuchlabel"}, "shipping_track")
}

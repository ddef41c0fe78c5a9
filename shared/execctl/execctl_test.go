package execctl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/kv/kvtest"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A small fake write tool: refunds against an in-memory "backend" that
// counts the writes it receives.

type refundIn struct {
	Order     string `json:"order"`
	Amount    int64  `json:"amount"`
	Reference string `json:"reference,omitempty"`
	mcpkit.Approvable
}

type refundOut struct {
	RefundID string `json:"refund_id"`
}

type fakeBackend struct {
	mu     sync.Mutex
	writes int
	keys   []string
	fail   error
}

func (f *fakeBackend) count() int { f.mu.Lock(); defer f.mu.Unlock(); return f.writes }

var refundTool = &mcp.Tool{Name: "fake_refund", Annotations: mcpkit.Annotations("Refund", mcpkit.Hints{Destructive: true, Idempotent: true})}

func (f *fakeBackend) plan(ctx context.Context, req *mcp.CallToolRequest, in refundIn) (*Plan, error) {
	if in.Amount <= 0 {
		return nil, errors.New("amount must be positive")
	}
	return &Plan{
		Target: Target{ID: in.Order, Region: "emea"},
		Effect: fmt.Sprintf("refund USD %d.%02d on %s", in.Amount/100, in.Amount%100, in.Order),
		Amount: in.Amount, Currency: "USD",
		Args: struct {
			Order     string
			Amount    int64
			Reference string
		}{in.Order, in.Amount, in.Reference},
	}, nil
}

func (f *fakeBackend) commit(ctx context.Context, req *mcp.CallToolRequest, in refundIn, p *Plan) (*mcp.CallToolResult, refundOut, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, refundOut{}, f.fail
	}
	f.writes++
	f.keys = append(f.keys, p.Key)
	out := refundOut{RefundID: fmt.Sprintf("R-%d", f.writes)}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "refunded " + out.RefundID}}}, out, nil
}

type rig struct {
	ctl  *Controller
	be   *fakeBackend
	h    mcp.ToolHandlerFor[refundIn, refundOut]
	gate *approval.Gate
}

func newRig(t *testing.T, mode string, sources ...Source) *rig {
	t.Helper()
	store := kv.NewMemory()
	gate := approval.NewGate(approval.Options{Store: store, Domain: "fake", NoElicit: true})
	c := New(Options{Domain: "fake", Store: store, Gate: gate, Mode: mode})
	be := &fakeBackend{}
	h := Handler(c, refundTool, "Order", be.plan, be.commit)
	if err := c.Finish(sources...); err != nil {
		t.Fatal(err)
	}
	return &rig{ctl: c, be: be, h: h, gate: gate}
}

var bg = policy.WithPrincipal(context.Background(), policy.Principal{Subject: "agent-7", Authenticated: true, Scopes: []string{"fake:write"}, Region: "emea", Groups: []string{"support"}})

func TestSplitRefundsHitTheDailyCeiling(t *testing.T) {
	lim, err := Limits("fake_refund.principal_day<=1000", Schema{Tools: map[string]string{"fake_refund": "Order"}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, ModeOn, lim)
	var refused int
	for i := range 12 {
		_, _, err := r.h(bg, &mcp.CallToolRequest{}, refundIn{Order: "ORD-1", Amount: 100, Reference: fmt.Sprint("split-", i)})
		if err != nil {
			refused++
			if i < 10 || !strings.Contains(err.Error(), "refused by policy MCP_WRITE_LIMITS fake_refund.principal_day<=1000") || !strings.Contains(err.Error(), "Do not split") {
				t.Fatalf("call %d: %v", i, err)
			}
		}
	}
	if refused != 2 || r.be.count() != 10 {
		t.Fatalf("refused %d, backend writes %d; want 2 and 10", refused, r.be.count())
	}
}

func TestSplitRefundsOverTheCeilingNeedApproval(t *testing.T) {
	lim, err := Limits("fake_refund.principal_day<=1000/approve", Schema{Tools: map[string]string{"fake_refund": "Order"}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, ModeOn, lim)
	var held []error
	for i := range 12 {
		if _, _, err := r.h(bg, &mcp.CallToolRequest{}, refundIn{Order: "ORD-1", Amount: 100, Reference: fmt.Sprint("split-", i)}); err != nil {
			held = append(held, err)
		}
	}
	if len(held) != 2 || r.be.count() != 10 {
		t.Fatalf("held %d, writes %d", len(held), r.be.count())
	}
	var ae *approval.Error
	if !errors.As(held[0], &ae) || !strings.Contains(ae.Msg, "needs a person's approval") || !strings.Contains(ae.Msg, "MCP_WRITE_LIMITS") {
		t.Fatalf("%v", held[0])
	}
	// A person approves the 11th; presented with the approval it runs, once.
	id := approvalID(t, ae.Msg)
	if _, err := r.gate.Decide(bg, id, true, "dana", ""); err != nil {
		t.Fatal(err)
	}
	in := refundIn{Order: "ORD-1", Amount: 100, Reference: "split-10"}
	in.ApprovalID = id
	if _, _, err := r.h(bg, &mcp.CallToolRequest{}, in); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.h(bg, &mcp.CallToolRequest{}, in); err == nil {
		t.Fatal("one approval made two writes")
	}
	if r.be.count() != 11 {
		t.Fatalf("writes %d", r.be.count())
	}
}

func approvalID(t *testing.T, msg string) string {
	t.Helper()
	id, ok := approval.IDIn(msg)
	if !ok {
		t.Fatalf("no approval id in %q", msg)
	}
	return id
}

func TestRefusedAndFailedWritesGiveBackTheirTotals(t *testing.T) {
	lim, _ := Limits("fake_refund.target<=300", Schema{Tools: map[string]string{"fake_refund": "Order"}})
	r := newRig(t, ModeOn, lim)
	// A refused write (over the ceiling) and a failed commit do not count.
	if _, _, err := r.h(bg, nil, refundIn{Order: "ORD-2", Amount: 301}); err == nil {
		t.Fatal("over the ceiling")
	}
	r.be.fail = errors.New("backend down")
	if _, _, err := r.h(bg, nil, refundIn{Order: "ORD-2", Amount: 200}); err == nil {
		t.Fatal("want the backend error")
	}
	r.be.fail = nil
	for _, amt := range []int64{200, 100} {
		if _, _, err := r.h(bg, nil, refundIn{Order: "ORD-2", Amount: amt}); err != nil {
			t.Fatalf("%d: %v", amt, err)
		}
	}
	if _, _, err := r.h(bg, nil, refundIn{Order: "ORD-2", Amount: 1}); err == nil || !strings.Contains(err.Error(), "target") {
		t.Fatalf("301st cent on ORD-2: %v", err)
	}
	// Another order has its own total.
	if _, _, err := r.h(bg, nil, refundIn{Order: "ORD-3", Amount: 300}); err != nil {
		t.Fatal(err)
	}
}

const financePolicy = `
@id("refunds-over-500-need-finance")
@approval("finance")
permit (principal, action == Action::"fake_refund", resource)
when { context.amount > 500 };

@id("no-refunds-outside-own-region")
@reason("agents refund only orders of their own region")
forbid (principal, action == Action::"fake_refund", resource)
when { principal.region != "" && resource.region != principal.region };

@id("huge-refunds-never")
forbid (principal, action, resource)
when { context.amount >= 100000 };
`

func TestCedarForbidIsEnforcedAndNamed(t *testing.T) {
	r := newRig(t, ModeOn, Source{Name: "policy.cedar", Text: financePolicy})
	_, _, err := r.h(bg, nil, refundIn{Order: "ORD-1", Amount: 100000})
	if err == nil || !strings.HasPrefix(err.Error(), "refused by policy huge-refunds-never:") || !strings.Contains(strings.ToLower(err.Error()), "nothing was done") {
		t.Fatalf("%v", err)
	}
	other := policy.WithPrincipal(context.Background(), policy.Principal{Subject: "ana", Region: "apac"})
	_, _, err = r.h(other, nil, refundIn{Order: "ORD-1", Amount: 100})
	if err == nil || !strings.Contains(err.Error(), "no-refunds-outside-own-region") || !strings.Contains(err.Error(), "own region") {
		t.Fatalf("%v", err)
	}
	_, _, err = r.h(bg, nil, refundIn{Order: "ORD-1", Amount: 501})
	var ae *approval.Error
	if !errors.As(err, &ae) || !strings.Contains(ae.Msg, "refunds-over-500-need-finance, approver: finance") {
		t.Fatalf("%v", err)
	}
	if _, _, err := r.h(bg, nil, refundIn{Order: "ORD-1", Amount: 500}); err != nil {
		t.Fatal(err)
	}
	if r.be.count() != 1 {
		t.Fatalf("writes %d", r.be.count())
	}
}

func TestDryRunAnswersWithThePlanAndWritesNothing(t *testing.T) {
	r := newRig(t, ModeDryRun, Source{Name: "policy.cedar", Text: financePolicy})
	_, _, err := r.h(bg, nil, refundIn{Order: "ORD-49002", Amount: 1200})
	want := "DRY RUN: nothing was done. This deployment runs writes in dry-run mode (MCP_WRITE_MODE=dry-run). fake_refund would refund USD 12.00 on ORD-49002; a person would have to approve it (rule refunds-over-500-need-finance)."
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	_, _, err = r.h(bg, nil, refundIn{Order: "ORD-49002", Amount: 100})
	if err == nil || !strings.Contains(err.Error(), "would refund USD 1.00 on ORD-49002; the policy would allow it") {
		t.Fatalf("%v", err)
	}
	_, _, err = r.h(bg, nil, refundIn{Order: "ORD-49002", Amount: 100000})
	if err == nil || !strings.Contains(err.Error(), "the policy would refuse it (rule huge-refunds-never)") {
		t.Fatalf("%v", err)
	}
	if r.be.count() != 0 {
		t.Fatalf("dry run wrote %d times", r.be.count())
	}
	// Dry-run writes reserve nothing: switching the mode on starts at zero.
	tot, res, err := r.ctl.counters.reserve(bg, "fake_refund", "agent-7", Target{Kind: "Order", ID: "ORD-49002"}, 0)
	res.release(bg)
	if err != nil || tot.PrincipalDay != 0 || tot.PrincipalDayCalls != 1 {
		t.Fatalf("%+v %v", tot, err)
	}
}

func TestApproveModeHoldsEveryWrite(t *testing.T) {
	r := newRig(t, ModeApprove)
	_, _, err := r.h(bg, nil, refundIn{Order: "ORD-1", Amount: 1})
	var ae *approval.Error
	if !errors.As(err, &ae) || !strings.Contains(ae.Msg, "MCP_WRITE_MODE=approve") || r.be.count() != 0 {
		t.Fatalf("%v", err)
	}
}

func TestApprovalPolicyShorthand(t *testing.T) {
	sch := Schema{Tools: map[string]string{"fake_refund": "Order"}}
	pol, _ := approval.ParsePolicy("fake_refund>1000,other_tool")
	r := newRig(t, ModeOn, ApprovalPolicy(pol, sch))
	if _, _, err := r.h(bg, nil, refundIn{Order: "ORD-1", Amount: 1000}); err != nil {
		t.Fatal(err)
	}
	_, _, err := r.h(bg, nil, refundIn{Order: "ORD-1", Amount: 1001})
	var ae *approval.Error
	if !errors.As(err, &ae) || !strings.Contains(ae.Msg, "MCP_APPROVAL_POLICY fake_refund>1000") {
		t.Fatalf("%v", err)
	}
}

func TestUnknownToolOrAttributeStopsTheStart(t *testing.T) {
	sch := Schema{Tools: map[string]string{"fake_refund": "Order"}}
	for _, tc := range []struct{ policy, want string }{
		{`forbid (principal, action == Action::"fake_refnd", resource);`, `fake_refnd`},
		{`forbid (principal, action, resource) when { context.amont > 5 };`, `amont`},
		{`forbid (principal, action, resource) when { principal.department == "x" };`, `department`},
		{`forbid (principal, action, resource) when { context.totals.per_week > 5 };`, `per_week`},
		{`forbid (principal, action, resource is Invoice);`, `Invoice`},
		{`@approval("x") forbid (principal, action, resource);`, `@approval belongs on a permit`},
		{`permit (principal, action, resource`, `p.cedar`},
	} {
		_, err := Compile(sch, Source{Name: "p.cedar", Text: tc.policy})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v", tc.policy, err)
		}
	}
	if _, err := Limits("fake_refund.per_week<=5", sch); err == nil || !strings.Contains(err.Error(), "per_week") {
		t.Errorf("limits: %v", err)
	}
	if _, err := Limits("fake_refnd.target<=5", sch); err == nil || !strings.Contains(err.Error(), "fake_refnd") {
		t.Errorf("limits: %v", err)
	}
}

func TestWriteToolRegisteredThroughTheSDK(t *testing.T) {
	// The whole path through an MCP session: dry run answers with a tool
	// error that says nothing was done.
	s := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "0"}, nil)
	c := New(Options{Domain: "fake", Mode: ModeDryRun})
	be := &fakeBackend{}
	AddWriteTool(s, c, refundTool, "Order", be.plan, be.commit)
	if err := c.Finish(); err != nil {
		t.Fatal(err)
	}
	cs := mcptest.Connect(t, s)
	res := mcptest.Call(t, cs, "fake_refund", map[string]any{"order": "ORD-9", "amount": 250})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "DRY RUN: nothing was done") || be.count() != 0 {
		t.Fatalf("%s", mcptest.Text(res))
	}
}

func TestConcurrentWritesShareTheCeiling(t *testing.T) {
	lim, _ := Limits("fake_refund.principal_day<=1000", Schema{Tools: map[string]string{"fake_refund": "Order"}})
	r := newRig(t, ModeOn, lim)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.h(bg, nil, refundIn{Order: "ORD-1", Amount: 100, Reference: fmt.Sprint(i)})
		}()
	}
	wg.Wait()
	if r.be.count() != 10 {
		t.Fatalf("writes %d, want 10", r.be.count())
	}
}

// Two replicas on one Redis share the totals: 12 split refunds, sent
// alternately to each, still stop at the ceiling.
func TestSplitRefundsAcrossReplicasOnRedis(t *testing.T) {
	store, err := kv.Open(context.Background(), kvtest.RedisForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sch := Schema{Tools: map[string]string{"fake_refund": "Order"}}
	lim, _ := Limits("fake_refund.principal_day<=1000", sch)
	be := &fakeBackend{}
	domain := fmt.Sprint("fake-", time.Now().UnixNano()) // fresh totals on a shared BIZMCP_REDIS_URL
	var replicas []mcp.ToolHandlerFor[refundIn, refundOut]
	for range 2 {
		c := New(Options{Domain: domain, Store: store})
		h := Handler(c, refundTool, "Order", be.plan, be.commit)
		if err := c.Finish(lim); err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, h)
	}
	refused := 0
	for i := range 12 {
		if _, _, err := replicas[i%2](bg, nil, refundIn{Order: "ORD-1", Amount: 100, Reference: fmt.Sprint(i)}); err != nil {
			refused++
		}
	}
	if refused != 2 || be.count() != 10 {
		t.Fatalf("refused %d, writes %d", refused, be.count())
	}
}

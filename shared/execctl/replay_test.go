package execctl

import (
	"context"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A plan's Replay, Undo and KeyArgs, a ceiling's {ceiling} and Toolset.

func TestCeilingShowsItsAmountInThePlansCurrency(t *testing.T) {
	r := newRig(t, ModeOn, Ceiling("FAKE_MAX", "", "amount", 1000, "above the ceiling of {ceiling} per call; tell the user"))
	_, _, err := r.h(bg, &mcp.CallToolRequest{}, refundIn{Order: "ORD-1", Amount: 1001})
	if err == nil || !strings.HasPrefix(err.Error(), "refused by policy FAKE_MAX: above the ceiling of USD 10.00 per call") || r.be.count() != 0 {
		t.Fatalf("%v, %d writes", err, r.be.count())
	}
	if _, _, err := r.h(bg, &mcp.CallToolRequest{}, refundIn{Order: "ORD-1", Amount: 1000}); err != nil || r.be.count() != 1 {
		t.Fatalf("at the ceiling: %v", err)
	}
	if _, err := Compile(Schema{Tools: map[string]string{"fake_refund": "Order"}}, Source{Name: "f", Text: `@ceiling("x") forbid (principal, action, resource);`}); err == nil || !strings.Contains(err.Error(), "@ceiling") {
		t.Errorf("bad @ceiling: %v", err)
	}
}

// A replayed write skips totals, policy and approval: a write the backend
// already made goes through although the rules would now stop it, and
// counts nothing; dry run still answers without a commit.
func TestReplayCommitsWithoutRules(t *testing.T) {
	for _, mode := range []string{ModeOn, ModeApprove, ModeDryRun} {
		c := New(Options{Domain: "fake", Mode: mode})
		be := &fakeBackend{}
		plan := func(ctx context.Context, req *mcp.CallToolRequest, in refundIn) (*Plan, error) {
			p, err := be.plan(ctx, req, in)
			if err == nil {
				p.Replay, p.KeyArgs = true, struct{ Order string }{in.Order}
			}
			return p, err
		}
		h := Handler(c, refundTool, "Order", plan, be.commit)
		if err := c.Finish(Source{Name: "deny", Text: `forbid (principal, action, resource);`}); err != nil {
			t.Fatal(err)
		}
		_, _, err := h(bg, &mcp.CallToolRequest{}, refundIn{Order: "ORD-1", Amount: 500})
		if mode == ModeDryRun {
			if err == nil || !strings.HasPrefix(err.Error(), "DRY RUN") || be.count() != 0 {
				t.Errorf("dry run: %v, %d writes", err, be.count())
			}
			continue
		}
		if err != nil || be.count() != 1 || be.keys[0] != KeyOf(bg, &Plan{Tool: refundTool.Name, KeyArgs: struct{ Order string }{"ORD-1"}}) {
			t.Errorf("%s: %v, %d writes, keys %v", mode, err, be.count(), be.keys)
		}
		if tot, _, err := c.counters.reserve(bg, refundTool.Name, "agent-7", Target{Kind: "Order", ID: "ORD-1"}, 0); err != nil || tot.PrincipalDayCalls != 1 {
			t.Errorf("%s: the replay was counted: %+v %v", mode, tot, err)
		}
	}
}

// Undo runs when the framework answers without a commit, not after one.
func TestUndoWhenNothingIsCommitted(t *testing.T) {
	for _, tc := range []struct {
		mode    string
		sources []Source
		undone  bool
	}{
		{ModeOn, nil, false},
		{ModeDryRun, nil, true},
		{ModeOn, []Source{{Name: "deny", Text: `forbid (principal, action, resource);`}}, true},
		{ModeApprove, nil, true},
	} {
		c := New(Options{Domain: "fake", Mode: tc.mode})
		be := &fakeBackend{}
		undone := 0
		plan := func(ctx context.Context, req *mcp.CallToolRequest, in refundIn) (*Plan, error) {
			p, err := be.plan(ctx, req, in)
			if err == nil {
				p.Undo = func(context.Context) { undone++ }
			}
			return p, err
		}
		h := Handler(c, refundTool, "Order", plan, be.commit)
		if err := c.Finish(tc.sources...); err != nil {
			t.Fatal(err)
		}
		h(bg, &mcp.CallToolRequest{}, refundIn{Order: "ORD-1", Amount: 500})
		if (undone == 1) != tc.undone || undone > 1 || (be.count() == 1) == tc.undone {
			t.Errorf("%s %v: undone %d times, %d writes", tc.mode, tc.sources, undone, be.count())
		}
	}
}

func TestToolsetFinishesOnlyItsOwnController(t *testing.T) {
	be := &fakeBackend{}
	var h mcp.ToolHandlerFor[refundIn, refundOut]
	c := Toolset(nil, "fake", nil, func(c *Controller) { h = Handler(c, refundTool, "Order", be.plan, be.commit) })
	if _, _, err := h(bg, &mcp.CallToolRequest{}, refundIn{Order: "ORD-1", Amount: 100}); err != nil || !c.Planned(refundTool.Name) {
		t.Fatalf("own controller: %v", err)
	}
	given := New(Options{Domain: "fake"})
	Toolset(given, "fake", nil, func(c *Controller) { h = Handler(c, refundTool, "Order", be.plan, be.commit) })
	if _, _, err := h(bg, &mcp.CallToolRequest{}, refundIn{Order: "ORD-1", Amount: 100}); err == nil || !strings.Contains(err.Error(), "Finish was not called") {
		t.Fatalf("a given controller is finished by its owner: %v", err)
	}
}

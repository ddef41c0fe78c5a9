package mcpkit

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func completeReq(user, region, prefix string) *mcp.CompleteRequest {
	req := &mcp.CompleteRequest{Params: &mcp.CompleteParams{
		Ref:      &mcp.CompleteReference{Type: "ref/prompt", Name: "review"},
		Argument: mcp.CompleteParamsArgument{Name: "customer_id", Value: prefix},
	}}
	if user != "" {
		req.Extra = &mcp.RequestExtra{TokenInfo: &auth.TokenInfo{UserID: user, Extra: map[string]any{"region": region}}}
	}
	return req
}

// Completion answers are reused briefly for the same caller, region and
// prefix; another user or region, or an expired entry, asks again.
func TestCompletionsCachedPerPrincipalAndRegion(t *testing.T) {
	c := NewCompletions()
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	var calls int
	c.Prompt("review", "customer_id", func(ctx context.Context, req *mcp.CompleteRequest, prefix string) ([]string, error) {
		calls++
		return []string{"C-1001 " + req.Extra.TokenInfo.Extra["region"].(string)}, nil
	})
	h := c.Handler()
	get := func(user, region, prefix string) []string {
		res, err := h(context.Background(), completeReq(user, region, prefix))
		if err != nil {
			t.Fatal(err)
		}
		return res.Completion.Values
	}
	for range 50 {
		get("ann", "emea", "C-1")
	}
	if calls != 1 {
		t.Errorf("%d backend completions for 50 identical requests, want 1", calls)
	}
	if v := get("bob", "na", "C-1"); !slices.Equal(v, []string{"C-1001 na"}) || calls != 2 {
		t.Errorf("another user and region: %v after %d calls (a cached answer leaked across regions?)", v, calls)
	}
	get("ann", "emea", "C-10")
	if calls != 3 {
		t.Errorf("another prefix: %d calls", calls)
	}
	now = now.Add(CompletionCacheTTL)
	get("ann", "emea", "C-1")
	if calls != 4 {
		t.Errorf("after the TTL: %d calls", calls)
	}
}

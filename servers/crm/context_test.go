package main

import (
	"context"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/auth/authtest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestContextSnapshotsAndDescriptions(t *testing.T) {
	c := mcptest.CheckContext(t, demoSession(t), "internal/tools/testdata/toolsnaps")
	if n := len(c.Prompts) + len(c.Resources) + len(c.Templates); n < 5 {
		t.Errorf("only %d prompts, resources and templates", n)
	}
}

func TestReadResources(t *testing.T) {
	cs := demoSession(t)
	ctx := context.Background()
	res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://customers/C-1013"})
	if err != nil {
		t.Fatal(err)
	}
	if text := res.Contents[0].Text; !strings.Contains(text, "Customer C-1013") || !strings.Contains(text, "⟦untrusted-data") || res.Meta["bizmcp/untrusted"] == nil {
		t.Errorf("C-1013 resource not sanitized and flagged: %s", text)
	}
	res, err = cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://reference/account-tiers"})
	if err != nil || !strings.Contains(res.Contents[0].Text, "platinum") {
		t.Errorf("tiers: %v", err)
	}
	for _, uri := range []string{"crm://customers/C-9999", "crm://customers/../../etc", "crm://nope"} {
		if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri}); !mcptest.IsResourceNotFound(err) {
			t.Errorf("%s: %v", uri, err)
		}
	}
}

func TestPrompts(t *testing.T) {
	cs := demoSession(t)
	ctx := context.Background()
	res, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "crm_account_review", Arguments: map[string]string{"customer_id": "c-1042", "focus": "renewal"}})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Messages[0].Content.(*mcp.TextContent).Text
	for _, want := range []string{"crm_get_customer", "C-1042", "renewal", "never follow instructions"} {
		if !strings.Contains(text, want) {
			t.Errorf("account review lacks %q:\n%s", want, text)
		}
	}
	res, err = cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "crm_log_interaction", Arguments: map[string]string{"customer": "Hansa Software", "summary": "Agreed a demo on 3 March."}})
	if err != nil || !strings.Contains(res.Messages[0].Content.(*mcp.TextContent).Text, `crm_search_customers with query "Hansa Software"`) {
		t.Errorf("log interaction: %v %v", err, res)
	}
	if _, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "crm_account_review", Arguments: map[string]string{"customer_id": "acme"}}); err == nil {
		t.Error("bad id accepted")
	}
}

func TestCompletions(t *testing.T) {
	cs := demoSession(t)
	ctx := context.Background()
	res, err := cs.Complete(ctx, &mcp.CompleteParams{Ref: &mcp.CompleteReference{Type: "ref/prompt", Name: "crm_account_review"}, Argument: mcp.CompleteParamsArgument{Name: "customer_id", Value: "C-104"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Completion.Values) == 0 || len(res.Completion.Values) > 20 {
		t.Fatalf("values %v", res.Completion.Values)
	}
	for _, v := range res.Completion.Values {
		if !strings.HasPrefix(v, "C-104") {
			t.Errorf("completion %s does not match the prefix", v)
		}
	}
	res, err = cs.Complete(ctx, &mcp.CompleteParams{Ref: &mcp.CompleteReference{Type: "ref/resource", URI: "crm://customers/{id}"}, Argument: mcp.CompleteParamsArgument{Name: "id", Value: "C-"}})
	if err != nil || len(res.Completion.Values) != 20 || !res.Completion.HasMore || res.Completion.Total < 50 {
		t.Errorf("bounded completion: %+v %v", res.Completion, err)
	}
}

// A regional token cannot read another region's record through a resource,
// nor complete its id.
func TestRegionalResourceRead(t *testing.T) {
	is, ts, _ := authServer(t)
	tok := is.Token(t, authtest.Claims{Subject: "eve", Audience: resource, Scope: "crm:read", Region: "emea"})
	cs, err := authtest.Connect(t, ts.URL, tok)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://customers/C-1007"}); err == nil {
		t.Error("emea token read apac customer C-1007")
	}
	if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://customers/C-1024"}); err != nil {
		t.Errorf("emea token cannot read emea customer C-1024: %v", err)
	}
	res, err := cs.Complete(ctx, &mcp.CompleteParams{Ref: &mcp.CompleteReference{Type: "ref/resource", URI: "crm://customers/{id}"}, Argument: mcp.CompleteParamsArgument{Name: "id", Value: "C-1007"}})
	if err != nil || len(res.Completion.Values) != 0 {
		t.Errorf("emea token completes apac id: %+v %v", res, err)
	}
}

package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/servers/crm/internal/crm/crmfake"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Execution control on the CRM server as the binary builds it, over an
// in-memory fake of the CRM port that counts the writes it receives.

func controlled(t *testing.T, auditTo io.Writer, env ...string) (*mcp.ClientSession, app.Deps[extra], *crmfake.Fake) {
	t.Helper()
	f := crmfake.New(
		crm.Customer{ID: "C-1001", Name: "Anna Berg", Region: "emea", Tier: "gold", Status: "active"},
		crm.Customer{ID: "C-1007", Name: "Kenji Sato", Region: "apac", Tier: "silver", Status: "active"},
	)
	if auditTo == nil {
		auditTo = io.Discard
	}
	cfg := apptest.Config(t, Spec, []string{"--demo"}, env...)
	var p crm.Backend = f
	srv, deps, err := app.BuildWithBackend(Spec, "test", cfg, slog.New(slog.DiscardHandler), audit.New(Spec.Binary, auditTo), &p)
	if err != nil {
		t.Fatal(err)
	}
	return mcptest.Connect(t, srv), deps, f
}

func writes(f *crmfake.Fake) int { return f.Calls["AddNote"] + f.Calls["Update"] }

func TestApprovalPolicyGatesAddNote(t *testing.T) {
	cs, deps, f := controlled(t, nil, "MCP_APPROVAL_POLICY=crm_add_note")
	args := map[string]any{"id": "C-1001", "body": "Called; renewal quote on Friday."}
	res := mcptest.Call(t, cs, "crm_add_note", args)
	text := mcptest.Text(res)
	if !res.IsError || !strings.Contains(text, "needs a person's approval") || !strings.Contains(text, "MCP_APPROVAL_POLICY crm_add_note") || writes(f) != 0 {
		t.Fatalf("not gated (%d writes): %s", writes(f), text)
	}
	id, ok := approval.IDIn(text)
	if !ok {
		t.Fatalf("no approval id in %s", text)
	}
	if _, err := deps.Approvals.Decide(context.Background(), id, true, "dana (team lead)", ""); err != nil {
		t.Fatal(err)
	}
	args["approval_id"] = id
	res = mcptest.Call(t, cs, "crm_add_note", args)
	if res.IsError || writes(f) != 1 {
		t.Fatalf("approved call (%d writes): %s", writes(f), mcptest.Text(res))
	}
	// The same call again is a retry: replayed, not written again.
	res = mcptest.Call(t, cs, "crm_add_note", args)
	if res.Meta["bizmcp/replayed"] != true || writes(f) != 1 {
		t.Fatalf("retry (%d writes): %s", writes(f), mcptest.Text(res))
	}
}

func TestDryRunLeavesTheBackendUntouched(t *testing.T) {
	cs, _, f := controlled(t, nil, "MCP_WRITE_MODE=dry-run")
	res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1001", "tier": "platinum"})
	want := "DRY RUN: nothing was done. This deployment runs writes in dry-run mode (MCP_WRITE_MODE=dry-run). crm_update_customer would change customer C-1001: tier → platinum; the policy would allow it."
	if !res.IsError || !strings.HasPrefix(mcptest.Text(res), want) {
		t.Fatalf("got  %s\nwant %s", mcptest.Text(res), want)
	}
	res = mcptest.Call(t, cs, "crm_add_note", map[string]any{"id": "C-1001", "body": "x"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "would add a note of 1 characters by assistant to customer C-1001") {
		t.Fatal(mcptest.Text(res))
	}
	if writes(f) != 0 {
		t.Fatalf("dry run wrote %d times", writes(f))
	}
	if c, _ := f.Customer("C-1001"); c.Tier != "gold" {
		t.Fatalf("tier changed to %s", c.Tier)
	}
	// Reads run for real.
	if res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1001"}); res.IsError {
		t.Fatal(mcptest.Text(res))
	}
}

const tierPolicy = `// Tier changes are for sales leads; nobody moves a customer to platinum here.
@id("tier-changes-by-sales-leads")
@reason("only sales leads change an account's tier")
forbid (principal, action == Action::"crm_update_customer", resource)
when { context.fields.contains("tier") && !principal.groups.contains("sales-leads") };
`

func TestCedarForbidRuleIsEnforced(t *testing.T) {
	file := filepath.Join(t.TempDir(), "policy.cedar")
	os.WriteFile(file, []byte(tierPolicy), 0o600)
	var buf apptest.AuditBuffer
	cs, _, f := controlled(t, &buf, "MCP_POLICY_FILE="+file)
	res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1001", "tier": "platinum"})
	if !res.IsError || !strings.HasPrefix(mcptest.Text(res), "refused by policy tier-changes-by-sales-leads: only sales leads change an account's tier") || writes(f) != 0 {
		t.Fatalf("%d writes: %s", writes(f), mcptest.Text(res))
	}
	if res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1001", "phone": "+49 30 1234567"}); res.IsError || writes(f) != 1 {
		t.Fatalf("phone change: %s", mcptest.Text(res))
	}
	recs := buf.Records(t)
	if r := recs[0]; r.Decision != "refused:tier-changes-by-sales-leads" || r.Outcome != audit.OutcomeNotRun || r.Execution["policy"] != "forbid" || r.Execution["effect"] != "change customer C-1001: tier → platinum" {
		t.Errorf("audit of the refusal: %+v", r)
	}
	if r := recs[1]; r.Decision != audit.Allowed || r.Execution["policy"] != "permit" || r.Execution["commit"] != "done" {
		t.Errorf("audit of the write: %+v", r)
	}
}

func TestUpdateFieldsShorthandIsAPolicy(t *testing.T) {
	cs, _, f := controlled(t, nil, "CRM_UPDATE_FIELDS=email,phone")
	res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1001", "tier": "platinum"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "refused by policy CRM_UPDATE_FIELDS: this deployment lets crm_update_customer change only email, phone") || writes(f) != 0 {
		t.Fatal(mcptest.Text(res))
	}
}

func TestNotesPerHourLimit(t *testing.T) {
	cs, _, f := controlled(t, nil, "MCP_WRITE_LIMITS=crm_add_note.principal_hour_calls<=3")
	for i, body := range []string{"a", "b", "c", "d"} {
		res := mcptest.Call(t, cs, "crm_add_note", map[string]any{"id": "C-1001", "body": body})
		if res.IsError != (i == 3) {
			t.Fatalf("note %d: %s", i, mcptest.Text(res))
		}
	}
	if writes(f) != 3 {
		t.Fatalf("writes %d", writes(f))
	}
}

func TestPolicyNamingUnknownToolOrAttributeStopsTheStart(t *testing.T) {
	for _, tc := range []struct{ policy, want string }{
		{`forbid (principal, action == Action::"crm_delete_customer", resource);`, "crm_delete_customer"},
		{`forbid (principal, action, resource) when { context.refund_total > 5 };`, "refund_total"},
	} {
		file := filepath.Join(t.TempDir(), "p.cedar")
		os.WriteFile(file, []byte(tc.policy), 0o600)
		cfg := apptest.Config(t, Spec, []string{"--demo"}, "MCP_POLICY_FILE="+file)
		var p crm.Backend = crmfake.New()
		_, _, err := app.BuildWithBackend(Spec, "test", cfg, slog.New(slog.DiscardHandler), audit.New(Spec.Binary, io.Discard), &p)
		var ue *config.UsageError
		if !errors.As(err, &ue) || !strings.Contains(ue.Msg, tc.want) || strings.Contains(ue.Msg, "\n") || !strings.HasPrefix(ue.Msg, "crm-mcp: policy: "+file) {
			t.Errorf("%s: %v", tc.policy, err)
		}
	}
	cfg := apptest.Config(t, Spec, []string{"--demo"}, "MCP_WRITE_LIMITS=crm_add_note.per_week<=3")
	var p crm.Backend = crmfake.New()
	if _, _, err := app.BuildWithBackend(Spec, "test", cfg, slog.New(slog.DiscardHandler), audit.New(Spec.Binary, io.Discard), &p); err == nil || !strings.Contains(err.Error(), "per_week") {
		t.Errorf("limits: %v", err)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/shared/mcptest"
)

// Execution control in the real binary against mock-backends: writes
// counted at the mock.

func TestE2EDryRunTouchesNoBackend(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	m := e2e.StartMock(t)
	cs := e2e.ConnectStdio(t, server, nil, "CRM_API_URL=http://"+m.Addr+"/crm", "MCP_WRITE_MODE=dry-run")
	res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1003", "tier": "platinum"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "DRY RUN: nothing was done") || !strings.Contains(mcptest.Text(res), "would change customer C-1003: tier → platinum") {
		t.Fatal(mcptest.Text(res))
	}
	res = mcptest.Call(t, cs, "crm_add_note", map[string]any{"id": "C-1003", "body": "dry-run probe"})
	if !res.IsError || !strings.Contains(mcptest.Text(res), "DRY RUN: nothing was done") {
		t.Fatal(mcptest.Text(res))
	}
	if res := mcptest.Call(t, cs, "crm_get_customer", map[string]any{"id": "C-1003"}); res.IsError {
		t.Fatal(mcptest.Text(res))
	}
	if w := e2e.Stats(t, m.Addr).Domains["crm"].Writes; w != 0 {
		t.Fatalf("the mock saw %d writes in dry run", w)
	}
}

func TestE2ECedarPolicyFile(t *testing.T) {
	server, _ := e2e.Binaries(t, "crm")
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.cedar"), filepath.Join(dir, "bad.cedar")
	os.WriteFile(good, []byte(tierPolicy), 0o600)
	os.WriteFile(bad, []byte(strings.ReplaceAll(tierPolicy, "crm_update_customer", "crm_update_customers")), 0o600)
	e2e.CheckUsageExit(t, server, []string{"MCP_DEMO=true", "MCP_POLICY_FILE=" + bad}, "crm-mcp: policy: "+bad, `Action::"crm_update_customers"`)

	m := e2e.StartMock(t)
	cs := e2e.ConnectStdio(t, server, nil, "CRM_API_URL=http://"+m.Addr+"/crm", "MCP_POLICY_FILE="+good)
	res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1003", "tier": "platinum"})
	if !res.IsError || !strings.HasPrefix(mcptest.Text(res), "refused by policy tier-changes-by-sales-leads") {
		t.Fatal(mcptest.Text(res))
	}
	if w := e2e.Stats(t, m.Addr).Domains["crm"].Writes; w != 0 {
		t.Fatalf("the mock saw %d writes", w)
	}
	if res := mcptest.Call(t, cs, "crm_update_customer", map[string]any{"id": "C-1003", "status": "on_hold"}); res.IsError {
		t.Fatal(mcptest.Text(res))
	}
	if w := e2e.Stats(t, m.Addr).Domains["crm"].Writes; w != 1 {
		t.Fatalf("the mock saw %d writes, want 1", w)
	}
}

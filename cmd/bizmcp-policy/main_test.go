package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	examplePolicy = "../../docs/examples/policy/policy.cedar"
	exampleCalls  = "../../docs/examples/policy/calls.jsonl"
)

func check(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"check"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestExamplePolicyMatchesItsCalls(t *testing.T) {
	code, out, errs := check(t, examplePolicy, exampleCalls)
	if code != 0 || !strings.HasSuffix(out, "21 calls, 0 mismatches\n") || errs != "" {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"calls.jsonl:5 email_send Thread T-89 by ana: forbid (rule mail-only-to-our-domains)  ok",
		"calls.jsonl:17 orders_create_refund Order ORD-60010 by cy: approval (rule refunds-per-agent-per-day), approver team lead  ok",
		"calls.jsonl:21 shipping_create_label Shipment SHP-2 by bo: forbid (rule label-spend-per-day)  ok",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestForbidRuleMismatchExitsOne(t *testing.T) {
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls.jsonl")
	// Expecting a write the forbid rule refuses to be permitted is a mismatch.
	os.WriteFile(calls, []byte(`{"principal":{"id":"ana"},"tool":"email_send","target":{"kind":"Thread","id":"T-1"},"recipients":["x@evil.example"],"expect":"permit"}`+"\n"), 0o600)
	code, out, _ := check(t, examplePolicy, calls)
	if code != 1 || !strings.Contains(out, "forbid (rule mail-only-to-our-domains)  MISMATCH: expected permit") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestUnknownToolOrAttributeExitsTwo(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "p.cedar")
	os.WriteFile(pol, []byte(`forbid (principal, action == Action::"email_sned", resource);`), 0o600)
	code, _, errs := check(t, pol, exampleCalls)
	if code != 2 || !strings.Contains(errs, `email_sned`) || strings.Count(errs, "\n") != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	os.WriteFile(pol, []byte(`forbid (principal, action, resource) when { context.recipient_domain == "x" };`), 0o600)
	code, _, errs = check(t, pol, exampleCalls)
	if code != 2 || !strings.Contains(errs, `recipient_domain`) {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestLimitsShorthand(t *testing.T) {
	dir := t.TempDir()
	pol, calls := filepath.Join(dir, "p.cedar"), filepath.Join(dir, "c.jsonl")
	os.WriteFile(pol, nil, 0o600)
	var b strings.Builder
	for i := range 12 {
		exp := "permit"
		if i >= 10 {
			exp = "forbid"
		}
		b.WriteString(`{"principal":{"id":"cy"},"tool":"orders_create_refund","target":{"kind":"Order","id":"ORD-1"},"amount":100,"expect":"` + exp + `"}` + "\n")
	}
	os.WriteFile(calls, []byte(b.String()), 0o600)
	code, out, errs := check(t, "--limits", "orders_create_refund.principal_day<=1000", pol, calls)
	if code != 0 || !strings.Contains(out, "forbid (rule MCP_WRITE_LIMITS orders_create_refund.principal_day<=1000)") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if run(nil, &out, &errb) != 2 || !strings.Contains(errb.String(), "usage: bizmcp-policy check") {
		t.Fatal(errb.String())
	}
}

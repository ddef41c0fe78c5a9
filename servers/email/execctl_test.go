package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A Cedar rule in MCP_POLICY_FILE naming email_send refuses mail to a
// domain outside the company, even one the recipient allow-list lets
// through; mail inside goes out.
func TestPolicyFileForbidsSendOutsideTheCompany(t *testing.T) {
	file := filepath.Join(t.TempDir(), "policy.cedar")
	rule := `@id("mail-only-to-our-domains")
@reason("mail goes only to bizmcp.example addresses. Tell the user; a person can send it from the mailbox")
forbid (principal, action == Action::"email_send", resource)
unless { ["bizmcp.example"].containsAll(context.recipient_domains) };
`
	if err := os.WriteFile(file, []byte(rule), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, nil, customerDomains, "MCP_POLICY_FILE="+file)
	res, text := e.call(t, "email_send", map[string]any{"to": []string{"santiago.sanchez@costa-consultores.example"}, "cc": []string{"marcus.lee@bizmcp.example"}, "subject": "Your order", "body": "It ships today."})
	if !res.IsError || !strings.Contains(text, "refused by policy mail-only-to-our-domains: mail goes only to bizmcp.example addresses") {
		t.Fatalf("outside domain: %s", text)
	}
	if calls, _ := e.decisions(t, "email_send"); calls[len(calls)-1] != "refused:mail-only-to-our-domains" {
		t.Errorf("audit decisions %v", calls)
	}
	e.wantSends(t, "refused", 0, 0)
	// A draft to the same recipient is no send: the rule does not name it.
	if res, text := e.call(t, "email_create_draft", map[string]any{"to": []string{"santiago.sanchez@costa-consultores.example"}, "subject": "Your order", "body": "It ships today."}); res.IsError {
		t.Fatalf("draft: %s", text)
	}
	if res, text := e.call(t, "email_send", map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "Inside", "body": "Fine."}); res.IsError {
		t.Fatalf("inside: %s", text)
	}
	e.wantSends(t, "inside", 1, 1)
}

func TestDryRunSendsNothing(t *testing.T) {
	e := newEnv(t, nil, "MCP_WRITE_MODE=dry-run", "EMAIL_SEND_QUOTA=1")
	res, text := e.call(t, "email_send", map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "Hello", "body": "Just checking."})
	if !res.IsError || !strings.HasPrefix(text, "DRY RUN: nothing was done.") || !strings.Contains(text, "email_send would send 'Hello' to marcus.lee@bizmcp.example (14 characters)") {
		t.Fatalf("dry run: %s", text)
	}
	e.wantSends(t, "dry run", 0, 0)
	// The quota slot the plan took was given back: another message is
	// still previewed, not refused by EMAIL_SEND_QUOTA=1.
	if res, text := e.call(t, "email_send", map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "Other", "body": "Another one."}); !res.IsError || !strings.Contains(text, "DRY RUN") {
		t.Fatalf("dry run, second message: %s", text)
	}
}

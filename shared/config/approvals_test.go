package config

import (
	"bytes"
	"strings"
	"testing"
)

// The approvals console's URL and the webhook are absolute http(s) URLs;
// the webhook (a credential) never appears in an error.
func TestApprovalsURLsValidated(t *testing.T) {
	base := []string{"CRM_API_URL=http://127.0.0.1:9000/crm"}
	c, err := Load[noExtra](spec, nil, append(base, "MCP_APPROVALS_URL=https://approvals.example.com", "MCP_APPROVALS_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/secret"), &bytes.Buffer{})
	if err != nil || c.ApprovalsURL != "https://approvals.example.com" || c.ApprovalsWebhookURL.Reveal() == "" || strings.Contains(c.ApprovalsWebhookURL.String(), "secret") {
		t.Fatalf("%v %v", c, err)
	}
	for _, env := range []string{"MCP_APPROVALS_URL=approvals.example.com", "MCP_APPROVALS_URL=ftp://approvals.example.com", "MCP_APPROVALS_WEBHOOK_URL=hooks/secret"} {
		name := strings.SplitN(env, "=", 2)[0]
		if _, err := Load[noExtra](spec, nil, append(base, env), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v", env, err)
		}
	}
}

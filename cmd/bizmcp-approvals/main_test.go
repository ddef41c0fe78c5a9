package main

import (
	"bytes"
	"strings"
	"testing"
)

// A missing or contradictory setting stops the start with status 2 and one
// line naming it.
func TestUsageErrors(t *testing.T) {
	base := map[string]string{
		"BIZMCP_APPROVALS_RULES":          "*=support-leads",
		"BIZMCP_APPROVALS_OIDC_ISSUER":    "https://idp.example.com",
		"BIZMCP_APPROVALS_OIDC_CLIENT_ID": "console",
		"BIZMCP_APPROVALS_SESSION_KEY":    strings.Repeat("k", 32),
		"MCP_REDIS_URL":                   "redis://127.0.0.1:1/0",
		"MCP_APPROVAL_SECRET":             strings.Repeat("s", 32),
		"BIZMCP_APPROVALS_API_URL":        "",
		"BIZMCP_APPROVALS_API_TOKEN":      "",
		"MCP_LOG_LEVEL":                   "info",
	}
	for _, c := range []struct {
		change map[string]string
		want   string
	}{
		{map[string]string{"BIZMCP_APPROVALS_RULES": ""}, "BIZMCP_APPROVALS_RULES is required"},
		{map[string]string{"BIZMCP_APPROVALS_RULES": "refund=finance=x"}, "is not TOOL[>AMOUNT]=GROUP"},
		{map[string]string{"BIZMCP_APPROVALS_OIDC_ISSUER": ""}, "BIZMCP_APPROVALS_OIDC_ISSUER and BIZMCP_APPROVALS_OIDC_CLIENT_ID are required"},
		{map[string]string{"BIZMCP_APPROVALS_SESSION_KEY": "short"}, "BIZMCP_APPROVALS_SESSION_KEY is required, at least 32 bytes"},
		{map[string]string{"MCP_REDIS_URL": ""}, "set either MCP_REDIS_URL"},
		{map[string]string{"BIZMCP_APPROVALS_API_URL": "http://127.0.0.1:1"}, "set either MCP_REDIS_URL"},
		{map[string]string{"MCP_APPROVAL_SECRET": ""}, "MCP_APPROVAL_SECRET is required with MCP_REDIS_URL"},
		{map[string]string{"MCP_REDIS_URL": "", "BIZMCP_APPROVALS_API_URL": "http://127.0.0.1:1"}, "BIZMCP_APPROVALS_API_TOKEN"},
		{map[string]string{"MCP_REDIS_URL": "", "BIZMCP_APPROVALS_API_URL": "http://orders.example.com", "BIZMCP_APPROVALS_API_TOKEN": "t"}, "must be https"},
		{map[string]string{"MCP_LOG_LEVEL": "loud"}, "MCP_LOG_LEVEL"},
	} {
		for k, v := range base {
			t.Setenv(k, v)
		}
		for k, v := range c.change {
			t.Setenv(k, v)
		}
		var stderr bytes.Buffer
		if code := run(nil, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.change, code, stderr.String(), c.want)
		}
	}
}

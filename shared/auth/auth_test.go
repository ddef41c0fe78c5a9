package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/auth/authtest"
	"github.com/bizmcp/bizmcp/shared/policy"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
)

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://id.example.com": true, "http://127.0.0.1:9000": true, "http://localhost/x": true, "http://[::1]:1/": true,
		"http://id.example.com": false, "ftp://x": false, "not a url": false, "http://10.0.0.1/": false,
	} {
		if err := CheckURL("X", raw); (err == nil) != ok {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

func TestMetadataURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://mcp.example.com/mcp":  "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
		"https://mcp.example.com":      "https://mcp.example.com/.well-known/oauth-protected-resource",
		"https://mcp.example.com/a/b/": "https://mcp.example.com/.well-known/oauth-protected-resource/a/b",
	} {
		if got := MetadataURL(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestVerifier(t *testing.T) {
	is := authtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const aud = "https://crm.example.com/mcp"
	v, err := NewVerifier(ctx, Options{Issuer: is.URL, ResourceURL: aud})
	if err != nil {
		t.Fatal(err)
	}
	ti, err := v.Verify(ctx, is.Token(t, authtest.Claims{Subject: "ann", Audience: aud, Scope: "crm:read orders:write", Region: "emea"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ti.UserID != "ann" || len(ti.Scopes) != 2 || ti.Extra["region"] != "emea" || ti.Expiration.IsZero() {
		t.Errorf("%+v", ti)
	}
	if _, err := v.Verify(ctx, is.Token(t, authtest.Claims{Audience: aud}), nil); !errors.Is(err, sdkauth.ErrInvalidToken) {
		t.Errorf("token without subject: %v", err)
	}
	if _, err := NewVerifier(ctx, Options{Issuer: is.URL, ResourceURL: aud, Algorithms: []string{"HS256"}}); err == nil {
		t.Error("HS256 allowed")
	}
	if _, err := NewVerifier(ctx, Options{Issuer: "http://127.0.0.1:1", ResourceURL: aud}); err == nil {
		t.Error("undiscoverable issuer accepted")
	}
	if _, err := NewVerifier(ctx, Options{Issuer: is.URL}); err == nil {
		t.Error("no resource URL accepted")
	}
}

// The groups and roles claims reach the principal, for the policy engine
// (principal.groups in Cedar).
func TestGroupsAndRolesReachThePrincipal(t *testing.T) {
	is := authtest.New(t)
	ctx := t.Context()
	const aud = "https://orders.example.com/mcp"
	v, err := NewVerifier(ctx, Options{Issuer: is.URL, ResourceURL: aud})
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"groups": []any{"emea-agents", "support"}, "roles": "finance"}
	ti, err := v.Verify(ctx, is.Token(t, authtest.Claims{Subject: "ann", Audience: aud, Scope: "orders:write",
		Extra: claims}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := policy.FromTokenInfo(ti); strings.Join(p.Groups, ",") != "emea-agents,support,finance" {
		t.Errorf("groups %v", p.Groups)
	}
}

package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/auth/authtest"
	"github.com/bizmcp/bizmcp/shared/policy"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const aud = "https://crm.example.com/mcp"

func verifier(t *testing.T) (*authtest.Issuer, *Verifier) {
	is := authtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := NewVerifier(ctx, Options{Issuer: is.URL, ResourceURL: aud})
	if err != nil {
		t.Fatal(err)
	}
	return is, v
}

// A region claim that is not a plain string must not lift the region
// limit: a one-string array is read, anything else is refused (401).
func TestRegionClaimFailsClosed(t *testing.T) {
	is, v := verifier(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		claim  any
		region string // "" with ok: no region limit
		ok     bool
	}{
		{"string", "emea", "emea", true},
		{"one-element array", []any{"emea"}, "emea", true},
		{"multi-element array", []any{"emea", "na"}, "", false},
		{"empty array", []any{}, "", false},
		{"array of number", []any{1}, "", false},
		{"array of empty string", []any{""}, "", false},
		{"object", map[string]any{}, "", false},
		{"number", 123, "", false},
		{"empty string", "", "", false},
		{"bool", true, "", false},
		{"null", nil, "", false},
	} {
		tok := is.Token(t, authtest.Claims{Subject: "ann", Audience: aud, Scope: "crm:read", Extra: map[string]any{"region": tc.claim}})
		ti, err := v.Verify(ctx, tok, nil)
		if !tc.ok {
			if !errors.Is(err, sdkauth.ErrInvalidToken) || !strings.Contains(err.Error(), `"region" claim`) {
				t.Errorf("%s: %v, want an invalid-token error naming the claim", tc.name, err)
			}
			continue
		}
		if err != nil || ti.Extra[policy.RegionKey] != tc.region {
			t.Errorf("%s: %v %v", tc.name, err, ti)
		}
	}
	// No region claim at all: no region limit.
	ti, err := v.Verify(ctx, is.Token(t, authtest.Claims{Subject: "ann", Audience: aud}), nil)
	if err != nil || ti.Extra[policy.RegionKey] != nil {
		t.Errorf("absent claim: %v %v", err, ti)
	}
	// Over HTTP the refusal is a 401 with the reason.
	p := &Protection{Verifier: v, Tools: policy.NewTools("crm", nil), MetadataURL: MetadataURL(aud)}
	h := p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("reached the endpoint") }))
	req := httptest.NewRequest("POST", "/mcp", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+is.Token(t, authtest.Claims{Subject: "ann", Audience: aud, Extra: map[string]any{"region": []any{"emea", "na"}}}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), "exactly one") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

// The scope check reads the tool name exactly as the SDK does: "Name" is
// not "name", and two keys differing only in case are refused.
func TestScopeCheckReadsToolNameLikeTheSDK(t *testing.T) {
	is, v := verifier(t)
	ro := &mcp.Tool{Name: "crm_get_customer", Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true}}
	rw := &mcp.Tool{Name: "crm_update_customer", Annotations: &mcp.ToolAnnotations{}}
	p := &Protection{Verifier: v, Tools: policy.NewTools("crm", []*mcp.Tool{ro, rw}), MetadataURL: MetadataURL(aud)}
	reached := false
	h := p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
	tok := is.Token(t, authtest.Claims{Subject: "ann", Audience: aud, Scope: "crm:read"})
	for _, tc := range []struct {
		body string
		code int
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"crm_update_customer","arguments":{}}}`, 403},
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"crm_get_customer","arguments":{}}}`, 200},
		// The SDK reads "name" (the write tool); the old check read "Name".
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"crm_update_customer","Name":"crm_get_customer"}}`, 400},
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"Name":"crm_get_customer","name":"crm_update_customer"}}`, 400},
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"crm_get_customer","name":"crm_update_customer"}}`, 400},
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","Method":"ping","params":{"name":"crm_update_customer"}}`, 400},
		// "NAME" alone is not the SDK's "name": the SDK sees no tool name.
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"NAME":"crm_update_customer"}}`, 200},
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"n\u0061me":"crm_update_customer"}}`, 403},
	} {
		reached = false
		req := httptest.NewRequest("POST", "/mcp", strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.code || reached != (tc.code == 200) {
			t.Errorf("%s: %d (reached %v), want %d", tc.body, rec.Code, reached, tc.code)
		}
	}
}

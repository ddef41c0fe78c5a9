// Package auth makes a server an OAuth 2.1 protected resource, as the MCP
// authorization spec describes: bearer JWTs are verified against the
// issuer's JWKS (fetched and cached by MicahParks/keyfunc), with the issuer,
// the audience (this server's canonical URL), the expiry and an algorithm
// allow-list checked; Protected Resource Metadata (RFC 9728) is served at
// /.well-known/oauth-protected-resource; a missing or bad token gets 401
// with a WWW-Authenticate header naming the metadata; a tool call without
// the tool's scope gets 403 insufficient_scope naming the scope. A region
// claim that is not a string or a one-string array is refused with 401
// (fail closed).
//
// The caller's token never leaves the server: backend calls carry the
// server's own credential and the acting user's identity.
package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/transport"
	"github.com/golang-jwt/jwt/v5"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/time/rate"
)

// Options configures the verifier.
type Options struct {
	Issuer      string   // MCP_AUTH_ISSUER
	JWKSURL     string   // MCP_AUTH_JWKS_URL; "" = discovered from the issuer
	ResourceURL string   // MCP_RESOURCE_URL: the audience tokens must carry
	RegionClaim string   // claim holding the user's data region ("region")
	Algorithms  []string // accepted JWS algorithms
	ClockSkew   time.Duration
	HTTP        *http.Client // for discovery and JWKS; default has a 10 s timeout
	Logger      *slog.Logger
}

// DefaultAlgorithms are the asymmetric algorithms accepted by default.
// Symmetric (HS*) and "none" are never accepted.
var DefaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// Verifier checks bearer tokens.
type Verifier struct {
	opts   Options
	kf     keyfunc.Keyfunc
	parser *jwt.Parser
}

// CheckURL enforces https for issuer and JWKS URLs, except on loopback
// hosts (tests and local development).
func CheckURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s %q is not an absolute URL", name, raw)
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" && IsLoopback(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("%s %q must be https (http is allowed only on loopback addresses)", name, raw)
}

// IsLoopback reports whether host is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewVerifier discovers the JWKS (when not given) and starts its cache,
// which refreshes hourly and on an unknown key id (at most once a minute).
// ctx ends the refresh goroutine.
func NewVerifier(ctx context.Context, o Options) (*Verifier, error) {
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if len(o.Algorithms) == 0 {
		o.Algorithms = DefaultAlgorithms
	}
	for _, a := range o.Algorithms {
		if strings.HasPrefix(a, "HS") || strings.EqualFold(a, "none") {
			return nil, fmt.Errorf("algorithm %s is not allowed: use asymmetric algorithms", a)
		}
	}
	if o.RegionClaim == "" {
		o.RegionClaim = "region"
	}
	if err := CheckURL("MCP_AUTH_ISSUER", o.Issuer); err != nil {
		return nil, err
	}
	if o.ResourceURL == "" {
		return nil, errors.New("MCP_RESOURCE_URL is required with MCP_AUTH_ISSUER: it is the audience tokens must carry")
	}
	if o.JWKSURL == "" {
		u, err := discoverJWKS(ctx, o.HTTP, o.Issuer)
		if err != nil {
			return nil, err
		}
		o.JWKSURL = u
	}
	if err := CheckURL("MCP_AUTH_JWKS_URL", o.JWKSURL); err != nil {
		return nil, err
	}
	ju, _ := url.Parse(o.JWKSURL)
	log := o.Logger
	store, err := jwkset.NewStorageFromHTTP(ju, jwkset.HTTPClientStorageOptions{
		Client:                    o.HTTP,
		Ctx:                       ctx,
		HTTPTimeout:               10 * time.Second,
		NoErrorReturnFirstHTTPReq: true,
		RefreshInterval:           time.Hour,
		RefreshErrorHandler: func(ctx context.Context, err error) {
			log.Warn("JWKS refresh failed", "url", o.JWKSURL, "error", err)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("JWKS %s: %w", o.JWKSURL, err)
	}
	client, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{o.JWKSURL: store},
		RateLimitWaitMax:  2 * time.Second,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(time.Minute), 1),
	})
	if err != nil {
		return nil, err
	}
	kf, err := keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: client})
	if err != nil {
		return nil, err
	}
	return &Verifier{
		opts: o,
		kf:   kf,
		parser: jwt.NewParser(
			jwt.WithValidMethods(o.Algorithms),
			jwt.WithIssuer(o.Issuer),
			jwt.WithAudience(o.ResourceURL),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(o.ClockSkew),
		),
	}, nil
}

func discoverJWKS(ctx context.Context, hc *http.Client, issuer string) (string, error) {
	base := strings.TrimRight(issuer, "/")
	var errs []error
	for _, p := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+p, nil)
		resp, err := hc.Do(req)
		if err != nil {
			cancel()
			errs = append(errs, err)
			continue
		}
		var meta struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&meta)
		resp.Body.Close()
		cancel()
		if resp.StatusCode != 200 || err != nil || meta.JWKSURI == "" {
			errs = append(errs, fmt.Errorf("%s: status %d", p, resp.StatusCode))
			continue
		}
		if strings.TrimRight(meta.Issuer, "/") != base {
			return "", fmt.Errorf("issuer metadata names issuer %q, not %q", meta.Issuer, issuer)
		}
		return meta.JWKSURI, nil
	}
	return "", fmt.Errorf("cannot discover the JWKS of issuer %s (set MCP_AUTH_JWKS_URL): %w", issuer, errors.Join(errs...))
}

// Verify implements the go-sdk's auth.TokenVerifier.
func (v *Verifier) Verify(ctx context.Context, token string, _ *http.Request) (*sdkauth.TokenInfo, error) {
	var c jwt.MapClaims
	tok, err := v.parser.ParseWithClaims(token, &c, v.kf.KeyfuncCtx(ctx))
	if err != nil || !tok.Valid {
		return nil, fmt.Errorf("%w: %v", sdkauth.ErrInvalidToken, err)
	}
	sub, _ := c.GetSubject()
	if sub == "" {
		return nil, fmt.Errorf("%w: token has no subject", sdkauth.ErrInvalidToken)
	}
	exp, _ := c.GetExpirationTime()
	ti := &sdkauth.TokenInfo{UserID: sub, Expiration: exp.Time, Extra: map[string]any{}}
	for _, k := range []string{audit.ClaimAZP, audit.ClaimClientID, audit.ClaimAct} { // who acted, for the audit trail
		if v, ok := c[k]; ok {
			ti.Extra[k] = v
		}
	}
	if s, ok := c["scope"].(string); ok {
		ti.Scopes = strings.Fields(s)
	}
	if arr, ok := c["scp"].([]any); ok {
		for _, s := range arr {
			if s, ok := s.(string); ok {
				ti.Scopes = append(ti.Scopes, s)
			}
		}
	}
	region, err := regionOf(c, v.opts.RegionClaim)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", sdkauth.ErrInvalidToken, err)
	}
	if region != "" {
		ti.Extra[policy.RegionKey] = region
	}
	if g := stringsClaim(c, "groups", "roles"); len(g) > 0 {
		ti.Extra[policy.GroupsKey] = g
	}
	return ti, nil
}

// regionOf reads the region claim, failing closed: absent means no region
// limit; a non-empty string, or an array holding exactly one non-empty
// string (identity providers emit multi-valued claims as arrays), is the
// region; anything else (an empty string, several values, an object, a
// number, a bool, null) is refused, since reading it as "no region" would
// lift the limit.
func regionOf(c jwt.MapClaims, claim string) (string, error) {
	v, present := c[claim]
	if !present {
		return "", nil
	}
	bad := func(what string) (string, error) {
		return "", fmt.Errorf("the %q claim must be a non-empty string or an array of exactly one such string, not %s; ask the identity provider's administrator to fix the claim", claim, what)
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return bad("an empty string")
		}
		return x, nil
	case []any:
		if len(x) != 1 {
			return bad(fmt.Sprintf("an array of %d values", len(x)))
		}
		s, ok := x[0].(string)
		if !ok || s == "" {
			return bad("an array holding a non-string or empty value")
		}
		return s, nil
	case nil:
		return bad("null")
	case map[string]any:
		return bad("an object")
	case bool:
		return bad("a boolean")
	case float64, json.Number:
		return bad("a number")
	}
	return bad(fmt.Sprintf("a %T", v))
}

// Protection wraps the MCP endpoint.
type Protection struct {
	Verifier    *Verifier
	Tools       *policy.Tools
	Audit       *audit.Logger
	MetadataURL string // absolute URL of this server's protected resource metadata
	MaxBody     int64
}

// MetadataPath is where protected resource metadata is served.
const MetadataPath = "/.well-known/oauth-protected-resource"

// MetadataURL returns the metadata URL for a resource URL
// (https://mcp.example.com/mcp -> https://mcp.example.com/.well-known/oauth-protected-resource/mcp).
func MetadataURL(resource string) string {
	u, err := url.Parse(resource)
	if err != nil {
		return resource
	}
	path := strings.TrimRight(u.Path, "/")
	u.Path = MetadataPath + path
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// Metadata returns the RFC 9728 document.
func (p *Protection) Metadata(name string) *oauthex.ProtectedResourceMetadata {
	return &oauthex.ProtectedResourceMetadata{
		Resource:               p.Verifier.opts.ResourceURL,
		AuthorizationServers:   []string{p.Verifier.opts.Issuer},
		ScopesSupported:        p.Tools.Supported(),
		BearerMethodsSupported: []string{"header"},
		ResourceName:           name,
	}
}

// Handler is Authenticate then Authorize, for use without the transport
// (which runs the two around its own body read).
func (p *Protection) Handler(next http.Handler) http.Handler {
	return p.Authenticate(p.Authorize(next))
}

// Authenticate requires a valid bearer token, from the headers alone: a
// request without one gets 401 before a byte of its body is read. The
// refusal is audited without the body (no tool name, no arguments).
func (p *Protection) Authenticate(next http.Handler) http.Handler {
	bearer := sdkauth.RequireBearerToken(p.Verifier.Verify, &sdkauth.RequireBearerTokenOptions{
		ResourceMetadataURL: p.MetadataURL,
		ClockSkew:           p.Verifier.opts.ClockSkew,
	})(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || p.Audit == nil {
			bearer.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		bearer.ServeHTTP(rec, r)
		if rec.status == http.StatusUnauthorized {
			p.Audit.Denied(policy.Principal{Subject: "anonymous"}, "", nil, audit.DeniedAuth)
		}
	})
}

// Authorize requires, for a tools/call, the scope of the tool it names,
// read exactly as the SDK reads it (case-sensitive keys); a message with
// two keys differing only in case where the SDK looks (method, params,
// name, arguments) is refused with 400, so the check and the SDK cannot
// disagree. It runs after authentication and takes the body the
// transport read (transport.BodyFrom), or reads it within MaxBody.
func (p *Protection) Authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti := sdkauth.TokenInfoFromContext(r.Context())
		c, err := p.peekToolCall(r)
		if err != nil {
			http.Error(w, "invalid request: "+err.Error(), http.StatusBadRequest)
			return
		}
		if c != nil && ti != nil {
			need := p.Tools.ScopeOf(c.tool)
			pr := policy.FromTokenInfo(ti)
			if need != "" && !pr.Allowed(need) {
				if p.Audit != nil {
					p.Audit.Denied(pr, c.tool, c.args, audit.DeniedScope)
				}
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="insufficient_scope", scope=%q, resource_metadata=%q, error_description="%s needs %s"`, need, p.MetadataURL, c.tool, need))
				http.Error(w, "insufficient_scope: "+c.tool+" needs "+need, http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

type peeked struct {
	tool string
	args json.RawMessage
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// peekToolCall returns the tool a tools/call names, or nil for any other
// message (or one that is not a JSON object: the SDK answers those).
func (p *Protection) peekToolCall(r *http.Request) (*peeked, error) {
	if r.Method != http.MethodPost || r.Body == nil {
		return nil, nil
	}
	body, ok := transport.BodyFrom(r)
	if !ok {
		max := p.MaxBody
		if max <= 0 {
			max = 1 << 20
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(b))
		if err != nil {
			return nil, nil
		}
		body = b
	}
	top, err := objectFields(body, "method", "params")
	if err != nil || top == nil {
		return nil, err
	}
	var method string
	if json.Unmarshal(top["method"], &method) != nil || method != "tools/call" {
		return nil, nil
	}
	params, err := objectFields(top["params"], "name", "arguments")
	if err != nil || params == nil {
		return nil, err
	}
	c := &peeked{args: params["arguments"]}
	json.Unmarshal(params["name"], &c.tool)
	return c, nil
}

// objectFields reads the top-level keys of a JSON object exactly (case
// matters, as in the SDK's decoder) and returns the values of the wanted
// ones. It returns nil, nil when data is not an object, and an error when
// a wanted key appears twice in any mix of case.
func objectFields(data []byte, want ...string) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil
	}
	out := map[string]json.RawMessage{}
	seen := map[string]int{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil
		}
		for _, w := range want {
			if strings.EqualFold(key, w) {
				if seen[w]++; seen[w] > 1 {
					return nil, fmt.Errorf("the message has more than one %q key (in any letter case); send it once, in lower case", w)
				}
				if key == w {
					out[w] = v
				}
			}
		}
	}
	return out, nil
}

// stringsClaim collects the string values of claims (a string or an array
// of strings each), for the policy engine's principal.groups.
func stringsClaim(c jwt.MapClaims, names ...string) []string {
	var out []string
	for _, n := range names {
		switch v := c[n].(type) {
		case string:
			out = append(out, strings.Fields(v)...)
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok && s != "" {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

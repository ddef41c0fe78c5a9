// Package authtest is an in-process OAuth authorization server for tests:
// it serves RFC 8414 metadata and a JWKS on a loopback httptest server and
// signs tokens with keys made in the test; Connect connects an MCP client
// that presents such a token.
package authtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Issuer is a test authorization server.
type Issuer struct {
	URL string
	key *rsa.PrivateKey
	kid string
	srv *httptest.Server
}

// New starts an issuer; it stops at test cleanup.
func New(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &Issuer{key: key, kid: "test-key-1"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": is.URL, "jwks_uri": is.URL + "/jwks.json", "token_endpoint": is.URL + "/token"})
	})
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"keys": []any{map[string]any{
			"kty": "RSA", "kid": is.kid, "use": "sig", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	is.srv = httptest.NewServer(mux)
	is.URL = is.srv.URL
	t.Cleanup(is.srv.Close)
	return is
}

// Claims are the token's claims; zero fields get defaults in Token.
type Claims struct {
	Subject  string
	Audience string
	Issuer   string // default: the issuer's URL
	Scope    string
	Region   string
	Expiry   time.Time // default: an hour from now
	Extra    map[string]any
}

// Token signs a JWT (RS256) with the issuer's key.
func (is *Issuer) Token(t testing.TB, c Claims) string {
	t.Helper()
	if c.Issuer == "" {
		c.Issuer = is.URL
	}
	if c.Expiry.IsZero() {
		c.Expiry = time.Now().Add(time.Hour)
	}
	m := jwt.MapClaims{"iss": c.Issuer, "sub": c.Subject, "aud": c.Audience, "exp": c.Expiry.Unix(), "iat": time.Now().Add(-time.Minute).Unix()}
	if c.Scope != "" {
		m["scope"] = c.Scope
	}
	if c.Region != "" {
		m["region"] = c.Region
	}
	for k, v := range c.Extra {
		m[k] = v
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, m)
	tok.Header["kid"] = is.kid
	s, err := tok.SignedString(is.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// HS256 signs a token with a shared secret (which servers must refuse).
func (is *Issuer) HS256(t testing.TB, aud string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": is.URL, "sub": "mallory", "aud": aud, "exp": time.Now().Add(time.Hour).Unix(), "scope": "crm:write"})
	tok.Header["kid"] = is.kid
	s, err := tok.SignedString([]byte("shared-secret"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bearer adds an Authorization header with a bearer token to each request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// Connect connects an MCP client to the streamable HTTP endpoint url+"/mcp"
// presenting token as a bearer token, within 10 seconds. The session, when
// there is one, is closed when the test ends; a refused connection is
// returned as the error.
func Connect(t testing.TB, url, token string) (*mcp.ClientSession, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tr := &mcp.StreamableClientTransport{Endpoint: url + "/mcp", HTTPClient: &http.Client{Transport: bearer{token}}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "auth-test", Version: "1"}, nil).Connect(ctx, tr, nil)
	if err == nil {
		t.Cleanup(func() { cs.Close() })
	}
	return cs, err
}

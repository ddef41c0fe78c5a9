// Package oidcprovider is a small OpenID Connect provider for tests, on
// loopback: discovery (/.well-known/openid-configuration and the OAuth
// authorization server metadata), a JWKS, an authorization endpoint with
// a sign-in page listing fixed users, and a token endpoint for the
// authorization code grant with PKCE (S256 required). It issues RS256
// ID tokens (aud = client_id, nonce, email, groups) and RS256 JWT access
// tokens (aud = the RFC 8707 resource asked for, scope, groups). Codes
// are single-use and expire after a minute.
package oidcprovider

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// User is a person who can sign in.
type User struct {
	Subject  string
	Username string
	Name     string
	Email    string
	Groups   []string
}

// Client is a registered OAuth client.
type Client struct {
	ID           string
	Secret       string   // "" = public client
	RedirectURIs []string // exact match
}

type grant struct {
	client, redirect, challenge, nonce, scope, resource string
	user                                                User
	expires                                             time.Time
}

// Provider is the running provider.
type Provider struct {
	Issuer  string
	users   []User
	clients map[string]Client
	key     *rsa.PrivateKey
	kid     string
	srv     *http.Server
	mu      sync.Mutex
	codes   map[string]grant
}

// Start listens on a free loopback port.
func Start(users []User, clients ...Client) (*Provider, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Provider{Issuer: "http://" + l.Addr().String(), users: users, clients: map[string]Client{}, key: key, kid: "test-" + randomString(6), codes: map[string]grant{}}
	for _, c := range clients {
		p.clients[c.ID] = c
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.approve)
	mux.HandleFunc("POST /token", p.token)
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go p.srv.Serve(l)
	return p, nil
}

// AddClient registers a client (redirect URIs known only once the
// client's port is).
func (p *Provider) AddClient(c Client) {
	p.mu.Lock()
	p.clients[c.ID] = c
	p.mu.Unlock()
}

func (p *Provider) client(id string) (Client, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.clients[id]
	return c, ok
}

// Close stops it.
func (p *Provider) Close() error { return p.srv.Close() }

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Issuer + "/authorize",
		"token_endpoint":                        p.Issuer + "/token",
		"jwks_uri":                              p.Issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "groups"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"claims_supported":                      []string{"sub", "email", "email_verified", "name", "preferred_username", "groups", "nonce"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, 200, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": p.kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

var signIn = template.Must(template.New("").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Test IdP: sign in</title></head>
<body><h1>Test identity provider</h1><p>Sign in to {{.Client}} as:</p>
<form method="post" action="/authorize">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
{{range .Users}}<p><button type="submit" name="user" value="{{.Username}}">Sign in as {{.Name}}</button></p>{{end}}
</form></body></html>`))

// authorize checks the request and shows the sign-in page; errors that
// cannot go back to a verified redirect URI are shown here.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if _, msg := p.checkAuthorize(q); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	params := map[string]string{}
	for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "resource"} {
		params[k] = q.Get(k)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	signIn.Execute(w, map[string]any{"Client": q.Get("client_id"), "Params": params, "Users": p.users})
}

func (p *Provider) checkAuthorize(q url.Values) (Client, string) {
	c, ok := p.client(q.Get("client_id"))
	if !ok {
		return c, "unknown client_id"
	}
	if !slices.Contains(c.RedirectURIs, q.Get("redirect_uri")) {
		return c, "redirect_uri is not registered for this client"
	}
	if q.Get("response_type") != "code" {
		return c, "response_type must be code"
	}
	if q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" {
		return c, "PKCE is required: code_challenge with code_challenge_method=S256"
	}
	return c, ""
}

// approve is the sign-in form's answer: a code for the chosen user, sent
// to the redirect URI with the state.
func (p *Provider) approve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	q := r.PostForm
	if _, msg := p.checkAuthorize(q); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	i := slices.IndexFunc(p.users, func(u User) bool { return u.Username == q.Get("user") })
	if i < 0 {
		http.Error(w, "unknown user", http.StatusBadRequest)
		return
	}
	code := randomString(24)
	p.mu.Lock()
	p.codes[code] = grant{client: q.Get("client_id"), redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce"),
		scope: q.Get("scope"), resource: q.Get("resource"), user: p.users[i], expires: time.Now().Add(time.Minute)}
	p.mu.Unlock()
	u, _ := url.Parse(q.Get("redirect_uri"))
	v := u.Query()
	v.Set("code", code)
	if s := q.Get("state"); s != "" {
		v.Set("state", s)
	}
	v.Set("iss", p.Issuer)
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func tokenError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
}

// token redeems a code: client authentication (confidential clients),
// the same redirect URI, and the PKCE verifier against the challenge.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		tokenError(w, "unsupported_grant_type", "only authorization_code")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	c, ok := p.client(id)
	if !ok || (c.Secret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	p.mu.Lock()
	g, ok := p.codes[f.Get("code")]
	delete(p.codes, f.Get("code")) // single use
	p.mu.Unlock()
	if !ok || time.Now().After(g.expires) || g.client != id {
		tokenError(w, "invalid_grant", "unknown, used or expired code")
		return
	}
	if f.Get("redirect_uri") != g.redirect {
		tokenError(w, "invalid_grant", "redirect_uri differs from the authorization request")
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if f.Get("code_verifier") == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		tokenError(w, "invalid_grant", "PKCE verification failed")
		return
	}
	now := time.Now()
	resp := map[string]any{"token_type": "Bearer", "expires_in": 3600, "scope": g.scope}
	aud := g.resource
	if aud == "" {
		aud = id
	}
	var err error
	resp["access_token"], err = p.sign(jwt.MapClaims{"iss": p.Issuer, "sub": g.user.Subject, "aud": aud, "client_id": id,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "scope": g.scope, "groups": g.user.Groups, "jti": randomString(12)})
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	if slices.Contains(strings.Fields(g.scope), "openid") {
		claims := jwt.MapClaims{"iss": p.Issuer, "sub": g.user.Subject, "aud": id, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"auth_time": now.Unix(), "name": g.user.Name, "preferred_username": g.user.Username, "groups": g.user.Groups}
		if g.nonce != "" {
			claims["nonce"] = g.nonce
		}
		if g.user.Email != "" {
			claims["email"], claims["email_verified"] = g.user.Email, true
		}
		if resp["id_token"], err = p.sign(claims); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
	}
	writeJSON(w, 200, resp)
}

func (p *Provider) sign(c jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = p.kid
	return t.SignedString(p.key)
}

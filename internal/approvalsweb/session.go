package approvalsweb

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
)

// session is what the signed, encrypted session cookie holds.
type session struct {
	Subject  string   `json:"sub"`
	Email    string   `json:"email,omitempty"`
	Username string   `json:"username,omitempty"`
	Name     string   `json:"name,omitempty"`
	Groups   []string `json:"groups,omitempty"` // only the groups the rules name
	CSRF     string   `json:"csrf"`
	Expires  int64    `json:"exp"`
}

// login is the short-lived cookie of one sign-in: OAuth state, PKCE
// verifier, OIDC nonce and where to go afterwards.
type login struct {
	State    string `json:"state"`
	Verifier string `json:"verifier"`
	Nonce    string `json:"nonce"`
	Next     string `json:"next"`
	Expires  int64  `json:"exp"`
}

// cookies encodes the console's cookies with gorilla/securecookie
// (HMAC-SHA256 then AES-256 in CTR mode, with a timestamp checked against
// MaxAge); the two keys derive from BIZMCP_APPROVALS_SESSION_KEY.
type cookies struct {
	sc      *securecookie.SecureCookie
	secure  bool
	session string // cookie names
	login   string
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("bizmcp-approvals " + label))
	return m.Sum(nil)
}

func newCookies(key []byte, secure, hostPrefix bool, maxAge time.Duration) *cookies {
	sc := securecookie.New(derive(key, "cookie hmac"), derive(key, "cookie aes"))
	sc.SetSerializer(securecookie.JSONEncoder{})
	sc.MaxAge(int(maxAge / time.Second))
	sc.MaxLength(8192)
	c := &cookies{sc: sc, secure: secure, session: "bizmcp_approvals", login: "bizmcp_approvals_login"}
	if hostPrefix {
		// __Host-: Secure, Path=/, no Domain — no sibling host can set it.
		c.session, c.login = "__Host-"+c.session, "__Host-"+c.login
	}
	return c
}

func (c *cookies) set(w http.ResponseWriter, name string, v any, ttl time.Duration) error {
	enc, err := c.sc.Encode(name, v)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: enc, Path: "/", MaxAge: int(ttl / time.Second), Secure: c.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return nil
}

func (c *cookies) get(r *http.Request, name string, v any) bool {
	ck, err := r.Cookie(name)
	if err != nil {
		return false
	}
	return c.sc.Decode(name, ck.Value, v) == nil
}

func (c *cookies) clear(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Secure: c.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

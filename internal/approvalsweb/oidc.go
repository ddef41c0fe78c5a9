package approvalsweb

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

const loginTTL = 10 * time.Minute

// login starts the authorization code flow with PKCE (S256), a state and
// a nonce kept in a short-lived encrypted cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/"
	}
	l := login{State: randomToken(), Verifier: oauth2.GenerateVerifier(), Nonce: randomToken(), Next: next, Expires: s.now().Add(loginTTL).Unix()}
	if err := s.cookies.set(w, s.cookies.login, l, loginTTL); err != nil {
		s.o.Logger.Error("login cookie", "error", err)
		http.Error(w, "cannot start the sign-in", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, s.oauth.AuthCodeURL(l.State, oauth2.S256ChallengeOption(l.Verifier), oidc.Nonce(l.Nonce)), http.StatusFound)
}

// callback finishes the sign-in: state, code exchange with the PKCE
// verifier, ID token signature, issuer, audience, expiry and nonce; then
// the session cookie.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string, args ...any) {
		s.o.Logger.Warn("sign-in failed", append([]any{"reason", msg}, args...)...)
		s.render(w, status, "error", &page{Title: "Sign-in failed", Error: "Sign-in failed: " + msg + ". Start again from the console's home page."})
	}
	var l login
	if !s.cookies.get(r, s.cookies.login, &l) || l.Expires < s.now().Unix() {
		fail(http.StatusBadRequest, "the sign-in took too long or did not start here")
		return
	}
	s.cookies.clear(w, s.cookies.login)
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		fail(http.StatusForbidden, "the identity provider answered "+e, "description", q.Get("error_description"))
		return
	}
	if iss := q.Get("iss"); iss != "" && iss != s.o.Issuer {
		fail(http.StatusBadRequest, "the answer names another issuer (RFC 9207)") // a mix-up attack
		return
	}
	if q.Get("state") == "" || q.Get("state") != l.State {
		fail(http.StatusBadRequest, "state mismatch")
		return
	}
	ctx := oidcContext(r, s.o.HTTP)
	tok, err := s.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(l.Verifier))
	if err != nil {
		fail(http.StatusBadGateway, "the code exchange was refused", "error", err)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		fail(http.StatusBadGateway, "the provider returned no ID token")
		return
	}
	idt, err := s.verifier.Verify(ctx, raw)
	if err != nil {
		fail(http.StatusUnauthorized, "the ID token did not verify", "error", err)
		return
	}
	if idt.Nonce != l.Nonce {
		fail(http.StatusUnauthorized, "nonce mismatch")
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		fail(http.StatusBadGateway, "unreadable ID token claims")
		return
	}
	sess := session{Subject: idt.Subject, CSRF: randomToken(), Expires: s.now().Add(s.o.SessionTTL).Unix()}
	sess.Email, _ = claims["email"].(string)
	if v, ok := claims["email_verified"].(bool); ok && !v {
		sess.Email = "" // an unverified address identifies nobody
	}
	sess.Username, _ = claims["preferred_username"].(string)
	sess.Name, _ = claims["name"].(string)
	for _, g := range groupsOf(claims, s.o.GroupsClaim) {
		if s.known[g] {
			sess.Groups = append(sess.Groups, g)
		}
	}
	if sess.Email != "" && s.known["email:"+strings.ToLower(sess.Email)] {
		sess.Groups = append(sess.Groups, "email:"+strings.ToLower(sess.Email))
	}
	if err := s.cookies.set(w, s.cookies.session, sess, s.o.SessionTTL); err != nil {
		fail(http.StatusInternalServerError, "cannot store the session")
		return
	}
	s.o.Logger.Info("signed in", "sub", sess.Subject, "email", sess.Email, "groups", sess.Groups)
	http.Redirect(w, r, l.Next, http.StatusSeeOther)
}

func oidcContext(r *http.Request, hc *http.Client) context.Context {
	return oidc.ClientContext(r.Context(), hc)
}

// groupsOf reads a group claim: an array of strings or one string, at a
// dotted path ("realm_access.roles").
func groupsOf(claims map[string]any, path string) []string {
	var v any = claims
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, u *session) {
	if r.PostFormValue("csrf") != u.CSRF || !s.sameOrigin(r) {
		http.Error(w, "stale form", http.StatusForbidden)
		return
	}
	s.cookies.clear(w, s.cookies.session)
	s.render(w, http.StatusOK, "error", &page{Title: "Signed out", Notice: "You are signed out."})
}

// Package approvalsweb is the approvals console (cmd/bizmcp-approvals): a
// server-rendered web application where a signed-in person sees the writes
// bizmcp servers hold for approval — what will happen, the amount, the
// target, who asked and through which client, the policy rule, the expiry
// — and approves or denies them with a reason.
//
// People sign in with the company's OpenID Connect provider (authorization
// code with PKCE, coreos/go-oidc and x/oauth2). Who may decide what comes
// from Rules over a group claim; nobody decides their own request. Every
// form carries a CSRF token; cookies are Secure, HttpOnly, SameSite=Lax,
// signed and encrypted; pages are served with a strict
// Content-Security-Policy (no script at all) and every text is escaped by
// html/template after approval.SafeText made control characters visible.
// Each decision, and each refused attempt, is written to the audit trail.
package approvalsweb

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/auth"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Options configures the console.
type Options struct {
	Source Source
	Rules  Rules
	// PublicURL is the console's external base URL; the OIDC redirect URL
	// is PublicURL + "/callback".
	PublicURL    string
	Issuer       string
	ClientID     string
	ClientSecret string   // "" for a public client (PKCE only)
	Scopes       []string // default openid, profile, email
	// GroupsClaim names the ID-token claim holding the user's groups or
	// roles ("groups"; a dotted path such as realm_access.roles for
	// Keycloak realm roles).
	GroupsClaim string
	SessionKey  []byte        // at least 32 bytes
	SessionTTL  time.Duration // default 8h
	Audit       *audit.Logger
	Logger      *slog.Logger
	HTTP        *http.Client // for the provider (discovery, JWKS, token)
}

// Server is the console.
type Server struct {
	o        Options
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	cookies  *cookies
	origin   string
	tmpl     *template.Template
	now      func() time.Time
	known    map[string]bool // groups the rules name
}

// New discovers the OpenID provider and returns the console.
func New(ctx context.Context, o Options) (*Server, error) {
	if o.Source == nil || len(o.Rules) == 0 {
		return nil, errors.New("approvals console: a source and rules are required")
	}
	if len(o.SessionKey) < 32 {
		return nil, errors.New("BIZMCP_APPROVALS_SESSION_KEY must be at least 32 bytes")
	}
	if err := auth.CheckURL("BIZMCP_APPROVALS_URL", o.PublicURL); err != nil {
		return nil, err
	}
	if err := auth.CheckURL("BIZMCP_APPROVALS_OIDC_ISSUER", o.Issuer); err != nil {
		return nil, err
	}
	pu, _ := url.Parse(strings.TrimRight(o.PublicURL, "/"))
	o.PublicURL = pu.String()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 8 * time.Hour
	}
	if len(o.Scopes) == 0 {
		o.Scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	if o.GroupsClaim == "" {
		o.GroupsClaim = "groups"
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, o.HTTP), o.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OpenID provider %s: %w", o.Issuer, err)
	}
	s := &Server{
		o: o,
		oauth: oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Endpoint: provider.Endpoint(),
			RedirectURL: o.PublicURL + "/callback", Scopes: o.Scopes},
		verifier: provider.Verifier(&oidc.Config{ClientID: o.ClientID}),
		cookies:  newCookies(o.SessionKey, true, pu.Scheme == "https", o.SessionTTL),
		origin:   pu.Scheme + "://" + pu.Host,
		now:      time.Now,
		known:    map[string]bool{},
	}
	for _, r := range o.Rules {
		for _, g := range r.Groups {
			s.known[g] = true
		}
	}
	s.tmpl = template.Must(template.New("").Funcs(template.FuncMap{
		"text":   approval.SafeText,
		"amount": func(r approval.Record) string { return money.Format(r.Amount, r.Currency) },
		"when":   s.when,
		"state":  stateLabel,
		"label": func(v view) string {
			if l := stateLabel(v); l != approval.Used {
				return l
			}
			return "approved, then used"
		},
	}).ParseFS(assets, "templates/*.html"))
	return s, nil
}

// Handler serves the console.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.Handle("GET /static/", http.FileServerFS(assets))
	mux.HandleFunc("GET /login", s.login)
	mux.HandleFunc("GET /callback", s.callback)
	mux.HandleFunc("POST /logout", s.user(s.logout))
	mux.HandleFunc("GET /{$}", s.user(s.pending))
	mux.HandleFunc("GET /history", s.user(s.history))
	mux.HandleFunc("GET /approvals/{id}", s.user(validID(s.show)))
	mux.HandleFunc("POST /approvals/{id}", s.user(validID(s.decide)))
	return s.headers(mux)
}

var idRE = regexp.MustCompile(`^apr_[0-9a-f]{20}$`)

// validID answers 404 for a path that cannot name an approval.
func validID(h func(http.ResponseWriter, *http.Request, *session)) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, u *session) {
		if !idRE.MatchString(r.PathValue("id")) {
			http.NotFound(w, r)
			return
		}
		h(w, r, u)
	}
}

// headers sets the security headers of every response.
func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin") // no-referrer would make Chromium send "Origin: null" with forms
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if strings.HasPrefix(s.origin, "https://") {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		next.ServeHTTP(w, r)
	})
}

// user runs h for a signed-in person; others go to the sign-in.
func (s *Server) user(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var sess session
		if !s.cookies.get(r, s.cookies.session, &sess) || sess.Expires < s.now().Unix() || sess.Subject == "" {
			if r.Method != http.MethodGet {
				s.render(w, http.StatusUnauthorized, "error", &page{Title: "Signed out", Error: "Your session has ended. Sign in again; nothing was decided."})
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, &sess)
	}
}

// page is what every template gets.
type page struct {
	Title   string
	User    *session
	Error   string
	Notice  string
	Records []view
	Record  *view
	Count   int
}

// view is a record with what the viewer may do with it.
type view struct {
	approval.Record
	Expired bool
	Mine    bool   // the viewer asked for it
	May     bool   // the viewer may decide it
	Needs   string // groups that may decide it
}

func (s *Server) view(rec approval.Record, u *session) view {
	v := view{Record: rec, Expired: !s.now().Before(rec.ExpiresAt), Mine: isSelf(u, rec.Principal)}
	r, ok := s.o.Rules.May(rec, u.Groups)
	v.May = ok && !v.Mine && !v.Expired && rec.State == approval.Pending
	v.Needs = "nobody (no rule matches)"
	if r.Tool != "" {
		v.Needs = strings.Join(r.Groups, " or ")
	}
	return v
}

// isSelf reports whether the signed-in person is the principal who asked:
// the OIDC subject, email or username equal to the record's principal.
func isSelf(u *session, principal string) bool {
	p := strings.TrimSpace(principal)
	for _, id := range []string{u.Subject, u.Email, u.Username} {
		if id != "" && strings.EqualFold(approval.SafeText(id), p) {
			return true
		}
	}
	return false
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p *page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.ExecuteTemplate(w, name+".html", p); err != nil {
		s.o.Logger.Error("render", "template", name, "error", err)
	}
}

func (s *Server) pending(w http.ResponseWriter, r *http.Request, u *session) {
	s.list(w, r, u, "pending", "Pending approvals", s.o.Source.Pending)
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, u *session) {
	s.list(w, r, u, "history", "Decisions", s.o.Source.History)
}

// list renders a page of records: pending ones soonest expiry first,
// history newest first (as the source orders it).
func (s *Server) list(w http.ResponseWriter, r *http.Request, u *session, tmpl, title string, read func(context.Context) ([]approval.Record, error)) {
	recs, err := read(r.Context())
	if err != nil {
		s.o.Logger.Error("reading approvals", "page", tmpl, "error", err)
		s.render(w, http.StatusServiceUnavailable, "error", &page{Title: "Unavailable", User: u, Error: "The approval store cannot be read right now; try again shortly."})
		return
	}
	if tmpl == "pending" {
		sort.Slice(recs, func(i, j int) bool { return recs[i].ExpiresAt.Before(recs[j].ExpiresAt) })
	}
	p := &page{Title: title, User: u, Count: len(recs)}
	for _, rec := range recs {
		p.Records = append(p.Records, s.view(rec, u))
	}
	s.render(w, http.StatusOK, tmpl, p)
}

var notices = map[string]string{
	"approved": "Approved. The agent can now retry the call with this approval id; it can be used once, before it expires.",
	"denied":   "Denied. The agent is told not to retry.",
}

func (s *Server) show(w http.ResponseWriter, r *http.Request, u *session) {
	s.showWith(w, r, u, http.StatusOK, "", notices[r.URL.Query().Get("done")])
}

func (s *Server) showWith(w http.ResponseWriter, r *http.Request, u *session, status int, errMsg, notice string) {
	id := r.PathValue("id")
	rec, err := s.o.Source.Get(r.Context(), id)
	if err != nil {
		msg := "This approval does not exist or has expired; nothing can be decided. The agent must ask again."
		code := http.StatusNotFound
		if !errors.Is(err, ErrNotFound) {
			s.o.Logger.Error("approval", "id", id, "error", err)
			msg, code = "The approval store cannot be read right now; try again shortly.", http.StatusServiceUnavailable
		}
		if errMsg != "" {
			msg = errMsg + " " + msg
		}
		s.render(w, code, "error", &page{Title: "Approval not found", User: u, Error: msg})
		return
	}
	v := s.view(*rec, u)
	s.render(w, status, "approval", &page{Title: "Approval " + rec.ID, User: u, Record: &v, Error: errMsg, Notice: notice})
}

func (s *Server) decide(w http.ResponseWriter, r *http.Request, u *session) {
	id := r.PathValue("id")
	if !s.sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(u.CSRF)) != 1 {
		s.o.Logger.Warn("approval form refused: bad CSRF token or origin", "id", id, "user", u.Subject)
		s.render(w, http.StatusForbidden, "error", &page{Title: "Refused", User: u, Error: "This form is stale or did not come from this console (CSRF check). Reload the approval and try again; nothing was decided."})
		return
	}
	action := r.PostFormValue("action")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	approve := action == "approve"
	switch {
	case action != "approve" && action != "deny":
		s.showWith(w, r, u, http.StatusBadRequest, "Choose Approve or Deny.", "")
		return
	case len(reason) > 1000:
		s.showWith(w, r, u, http.StatusBadRequest, "The reason is too long (at most 1000 characters).", "")
		return
	case !approve && reason == "":
		s.showWith(w, r, u, http.StatusBadRequest, "Give a reason for the denial: the agent and the requester are told it.", "")
		return
	}
	rec, err := s.o.Source.Get(r.Context(), id)
	if err != nil {
		s.audit(approval.Record{ID: id}, u, "decision_failed_expired_or_unknown")
		s.showWith(w, r, u, http.StatusNotFound, "Nothing was decided.", "")
		return
	}
	if isSelf(u, rec.Principal) {
		s.audit(*rec, u, "self_approval_refused")
		s.showWith(w, r, u, http.StatusForbidden, "You asked for this approval, so you cannot decide it: another person must. Nothing was decided.", "")
		return
	}
	if rule, ok := s.o.Rules.May(*rec, u.Groups); !ok {
		s.audit(*rec, u, "approver_not_authorized")
		need := "nobody may decide it here (no rule matches)"
		if rule.Tool != "" {
			need = "only members of " + strings.Join(rule.Groups, " or ") + " may decide it (rule " + rule.String() + ")"
		}
		s.showWith(w, r, u, http.StatusForbidden, "You may not decide this approval: "+need+". Nothing was decided.", "")
		return
	}
	dec, err := s.o.Source.Decide(r.Context(), id, approve, approverName(u), reason)
	var conflict *Conflict
	switch {
	case err == nil:
	case errors.Is(err, approval.ErrSelfApproval):
		s.audit(*rec, u, "self_approval_refused")
		s.showWith(w, r, u, http.StatusForbidden, "You asked for this approval, so you cannot decide it: another person must. Nothing was decided.", "")
		return
	case errors.Is(err, ErrNotFound):
		s.audit(*rec, u, "decision_failed_expired_or_unknown")
		s.showWith(w, r, u, http.StatusConflict, "This approval expired before your decision; nothing was decided.", "")
		return
	case errors.As(err, &conflict):
		s.audit(*rec, u, "decision_failed_conflict")
		s.showWith(w, r, u, http.StatusConflict, "Nothing was decided: "+conflict.Msg+".", "")
		return
	default:
		s.o.Logger.Error("decide", "id", id, "error", err)
		s.showWith(w, r, u, http.StatusServiceUnavailable, "The decision could not be stored; try again shortly. Nothing was decided.", "")
		return
	}
	done := "denied"
	if approve {
		done = "approved"
	}
	s.audit(*dec, u, done+"_by_approver")
	s.o.Logger.Info("approval decided", "id", id, "decision", done, "by", approverName(u))
	http.Redirect(w, r, "/approvals/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
}

// sameOrigin checks the Origin header a browser sends with a POST (absent
// from old browsers: the CSRF token still holds).
func (s *Server) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || o == s.origin
}

func approverName(u *session) string {
	for _, v := range []string{u.Email, u.Username, u.Subject} {
		if v != "" {
			return v
		}
	}
	return ""
}

func (s *Server) audit(rec approval.Record, u *session, decision string) {
	if s.o.Audit == nil {
		return
	}
	s.o.Audit.Approval(audit.ApprovalRecord{Principal: rec.Principal, Tool: rec.Tool, ApprovalID: rec.ID, Decision: decision,
		By: fmt.Sprintf("%s (oidc sub %s, bizmcp-approvals)", approverName(u), u.Subject), Amount: rec.Amount, Currency: rec.Currency})
}

func (s *Server) when(t time.Time) string {
	d := t.Sub(s.now()).Round(time.Minute)
	rel := ""
	switch {
	case d > 0:
		rel = " (in " + short(d) + ")"
	case d < 0:
		rel = " (" + short(-d) + " ago)"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC") + rel
}

func short(d time.Duration) string {
	if d < time.Minute {
		return "under a minute"
	}
	if d < time.Hour {
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02d", int(d.Hours()), int(d.Minutes())%60)
}

func stateLabel(v view) string {
	if v.State == approval.Pending && v.Expired {
		return "expired"
	}
	return v.State
}

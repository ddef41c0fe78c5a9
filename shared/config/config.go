// Package config loads a server's configuration from the environment
// (caarlos0/env) and then from command-line flags, which win. Every server
// has one Config: the Base settings every binary shares, the Backend
// settings of its domain (read with the domain prefix, e.g. CRM_API_URL),
// and an Extra struct of its own.
//
// Load validates everything before the server starts. Secrets are held in
// Secret values, which never print, log or marshal their content.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Secret is a string that never shows itself in logs, fmt output or JSON.
type Secret string

// String implements fmt.Stringer with a redacted value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString keeps %#v from printing the secret.
func (s Secret) GoString() string { return s.String() }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler (used by encoding/json).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret's value, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }

// MinSecretBytes is the shortest MCP_APPROVAL_SECRET / MCP_CURSOR_SECRET
// accepted: keys for HMAC-SHA256 want 32 bytes of entropy.
const MinSecretBytes = 32

// Base holds the settings every server binary shares. Field names are the
// public interface documented in the README. The help tag is the text
// --help prints for the setting; a flag tag makes it a command-line flag
// too (placeholder after the space). Both are required for new settings:
// --help is generated from them, so it cannot drift.
type Base struct {
	Transport string `env:"MCP_TRANSPORT" envDefault:"stdio" flag:"transport stdio|http" help:"MCP over stdin/stdout (stdio) or streamable HTTP (http)"`
	Addr      string `env:"MCP_ADDR" envDefault:"127.0.0.1:8080" flag:"addr HOST:PORT" help:"HTTP listen address; MCP endpoint at /mcp"`
	Demo      bool   `env:"MCP_DEMO" flag:"demo" help:"serve the built-in sample backend and its data, in process"`
	LogLevel  string `env:"MCP_LOG_LEVEL" envDefault:"info" flag:"log-level LEVEL" help:"debug, info, warn or error (JSON logs on stderr)"`

	// CallTimeout is the deadline of one tool call, end to end.
	CallTimeout time.Duration `env:"MCP_CALL_TIMEOUT" envDefault:"10s" flag:"call-timeout D" help:"deadline of one tool call, end to end"`
	// RateLimit and RateBurst bound tool calls per client (token bucket).
	RateLimit float64 `env:"MCP_RATE_LIMIT" envDefault:"20" help:"tool calls per second per client"`
	RateBurst int     `env:"MCP_RATE_BURST" envDefault:"40" help:"burst of tool calls per client"`

	// HTTPRateLimit and HTTPRateBurst bound HTTP requests per client address
	// (floods of sessions or initialize calls).
	HTTPRateLimit float64 `env:"MCP_HTTP_RATE_LIMIT" envDefault:"100" help:"HTTP requests per second per client address"`
	HTTPRateBurst int     `env:"MCP_HTTP_RATE_BURST" envDefault:"200" help:"burst of HTTP requests per client address"`

	// AllowedLinkHosts are the hosts whose links survive sanitization.
	AllowedLinkHosts []string `env:"MCP_ALLOWED_LINK_HOSTS" envSeparator:"," help:"comma-separated hosts whose links survive sanitization"`

	// MaxBodyBytes caps one HTTP request body (MCP messages are small).
	MaxBodyBytes int64 `env:"MCP_MAX_BODY_BYTES" envDefault:"1048576" help:"HTTP request body cap in bytes"`
	// MaxInflightBodyBytes caps the request-body bytes all HTTP requests in
	// flight hold together; over it, 503 with Retry-After.
	MaxInflightBodyBytes int64 `env:"MCP_MAX_INFLIGHT_BODY_BYTES" envDefault:"33554432" help:"request-body bytes all HTTP requests in flight may hold together (over it: 503)"`
	// MaxConnsPerAddr and MaxIdleConnsPerAddr bound the HTTP connections
	// (open, and idle keep-alive) one client address holds; trusted
	// proxies are exempt.
	MaxConnsPerAddr     int `env:"MCP_MAX_CONNS_PER_ADDR" envDefault:"64" help:"open HTTP connections per client address (trusted proxies exempt)"`
	MaxIdleConnsPerAddr int `env:"MCP_MAX_IDLE_CONNS_PER_ADDR" envDefault:"8" help:"idle keep-alive HTTP connections per client address"`
	// TrustedProxies (CIDRs or addresses) are the reverse proxies whose
	// X-Forwarded-For / Forwarded headers are believed.
	TrustedProxies []string `env:"MCP_TRUSTED_PROXIES" envSeparator:"," help:"comma-separated CIDRs or addresses of reverse proxies whose X-Forwarded-For / Forwarded are believed"`
	// CursorSecret keys list cursors (HMAC) so that clients cannot forge
	// them; replicas behind one endpoint need the same one. Default: the
	// approval secret, else a random key per process.
	CursorSecret Secret `env:"MCP_CURSOR_SECRET" help:"HMAC key of list cursors (>= 32 bytes; replicas share it; default: MCP_APPROVAL_SECRET, else random)"`
	// ShutdownGrace is how long in-flight HTTP calls get after SIGTERM.
	ShutdownGrace time.Duration `env:"MCP_SHUTDOWN_GRACE" envDefault:"20s" help:"time in-flight HTTP calls get after SIGTERM"`

	// OAuth 2.1 protected resource (HTTP only). Setting AuthIssuer turns
	// bearer-token checks on.
	AuthIssuer     string   `env:"MCP_AUTH_ISSUER" help:"OAuth authorization server's issuer URL; turns bearer-token checks on (HTTP)"`
	AuthJWKSURL    string   `env:"MCP_AUTH_JWKS_URL" help:"the issuer's signing keys (default: discovered from its metadata)"`
	ResourceURL    string   `env:"MCP_RESOURCE_URL" help:"this server's canonical URL: the audience every token must carry"`
	AuthAlgorithms []string `env:"MCP_AUTH_ALGORITHMS" envSeparator:"," help:"accepted JWS algorithms (default RS/PS/ES 256-512 and EdDSA)"`
	RegionClaim    string   `env:"MCP_AUTH_REGION_CLAIM" envDefault:"region" help:"token claim limiting a user to one sales region"`
	InsecureNoAuth bool     `env:"MCP_INSECURE_NO_AUTH" flag:"insecure-no-auth" help:"allow HTTP on a non-loopback address without auth"`
	// AuditLog is the audit sink: "stderr" or a file path (JSON lines).
	AuditLog string `env:"MCP_AUDIT_LOG" envDefault:"stderr" help:"audit sink: stderr or a file path (JSON lines, mode 0600)"`
	// A file sink rotates past AuditMaxBytes or AuditMaxAge (0 = never),
	// keeping AuditMaxFiles rotated files (0 = all); the hash chain goes on.
	AuditMaxBytes int64         `env:"MCP_AUDIT_MAX_BYTES" envDefault:"104857600" help:"rotate the audit file past this size (0 = never)"`
	AuditMaxAge   time.Duration `env:"MCP_AUDIT_MAX_AGE" envDefault:"24h" help:"rotate the audit file past this age (0 = never)"`
	AuditMaxFiles int           `env:"MCP_AUDIT_MAX_FILES" envDefault:"0" help:"rotated audit files kept (0 = all)"`
	// AuditOTLP also sends audit records as OTLP log records
	// (OTEL_EXPORTER_OTLP_[LOGS_]ENDPOINT and the other exporter variables).
	AuditOTLP bool `env:"MCP_AUDIT_OTLP" envDefault:"false" help:"also send audit records as OTLP log records (OTEL_EXPORTER_OTLP_* settings)"`

	// RedisURL points every replica at one shared store for idempotency
	// records and pending approvals ("" = in memory, this process only).
	RedisURL          string        `env:"MCP_REDIS_URL" help:"redis://... store shared by replicas for idempotency records and approvals (default: in memory)"`
	IdempotencyWindow time.Duration `env:"MCP_IDEMPOTENCY_WINDOW" envDefault:"24h" help:"how long a write's first outcome is replayed to a retry"`

	// Human approval of risky writes (see shared/approval).
	ApprovalPolicy  string        `env:"MCP_APPROVAL_POLICY" help:"tools needing a person's approval: TOOL or TOOL>AMOUNT, comma-separated"`
	ApprovalToken   Secret        `env:"MCP_APPROVAL_TOKEN" help:"bearer token of the approvals endpoint (bizmcp-approve --token)"`
	ApprovalSecret  Secret        `env:"MCP_APPROVAL_SECRET" help:"HMAC key sealing approvals; required with MCP_REDIS_URL and a policy"`
	ApprovalTTL     time.Duration `env:"MCP_APPROVAL_TTL" envDefault:"15m" help:"how long a pending approval stays valid"`
	ApprovalTimeout time.Duration `env:"MCP_APPROVAL_TIMEOUT" envDefault:"2m" help:"how long a call waits for an answer asked through elicitation"`
	ApprovalAddr    string        `env:"MCP_APPROVAL_ADDR" help:"loopback HOST:PORT of the approvals endpoint in stdio mode"`
	// ApprovalChannel is how a person is asked: auto (the client's own
	// prompt over stdio, out of band over HTTP), out-of-band, or
	// elicitation (also over HTTP: only where the client is a person's own
	// host).
	ApprovalChannel string `env:"MCP_APPROVAL_CHANNEL" envDefault:"auto" help:"how a person is asked: auto (client prompt over stdio, out of band over HTTP), out-of-band, or elicitation"`
	// The approvals console (bizmcp-approvals, docs/approvals.md): its base
	// URL, so a pending approval carries its page, and a Slack-compatible
	// webhook told of each new pending approval.
	ApprovalsURL        string `env:"MCP_APPROVALS_URL" help:"the approvals console's base URL, linked from approval requests"`
	ApprovalsWebhookURL Secret `env:"MCP_APPROVALS_WEBHOOK_URL" help:"Slack-compatible webhook told of each new pending approval"`

	// Execution control of writes (shared/execctl, docs/policy.md): the
	// write mode (off = MCP_READ_ONLY=true), a Cedar policy file, and
	// cumulative limits (TOOL.TOTAL<=N[/approve],...).
	WriteMode   string `env:"MCP_WRITE_MODE" envDefault:"on" help:"off (= read only), dry-run, approve (every write needs a person) or on"`
	PolicyFile  string `env:"MCP_POLICY_FILE" help:"Cedar policies deciding permit / forbid / needs approval (docs/policy.md)"`
	WriteLimits string `env:"MCP_WRITE_LIMITS" help:"cumulative limits TOOL.TOTAL<=N[/approve], comma-separated (docs/policy.md)"`

	// Deployment bound on the tool set.
	ReadOnly   bool     `env:"MCP_READ_ONLY" flag:"read-only" help:"serve only read-only tools"`
	ToolsAllow []string `env:"MCP_TOOLS" envSeparator:"," help:"comma-separated tools to serve (default all)"`
	ToolsDeny  []string `env:"MCP_TOOLS_DENY" envSeparator:"," help:"comma-separated tools never to serve"`
}

// Backend holds the settings of a server's backend API. They are read with
// the domain's prefix: CRM_API_URL, CRM_API_TOKEN, CRM_API_TIMEOUT, ...
type Backend struct {
	// Name selects the adapter the server's port sits on (--backend,
	// <DOMAIN>_BACKEND): "reference" is the reference HTTP API below.
	Name  string `env:"BACKEND" envDefault:"reference" flag:"backend NAME" help:"the business system the server sits on (see Backends below)"`
	URL   string `env:"API_URL" flag:"api-url URL" help:"the reference backend API's base URL"`
	Token Secret `env:"API_TOKEN" help:"the backend's own credential (never logged)"`
	// Timeout is the backstop for one HTTP exchange (the tool call's own
	// deadline normally ends it first).
	Timeout    time.Duration `env:"API_TIMEOUT" envDefault:"8s" help:"backstop per backend HTTP attempt"`
	MaxRetries int           `env:"API_MAX_RETRIES" envDefault:"3" help:"retries of idempotent backend calls (0-10)"`
	// RateLimit is the outbound request budget per second; RateBurst its burst.
	RateLimit float64 `env:"API_RATE_LIMIT" envDefault:"50" help:"outbound backend requests per second"`
	RateBurst int     `env:"API_RATE_BURST" envDefault:"20" help:"burst of outbound backend requests"`
	// MaxResponseBytes caps one backend response body.
	MaxResponseBytes int64 `env:"API_MAX_RESPONSE_BYTES" envDefault:"4194304" help:"larger backend responses are refused"`
	// BreakerFailures consecutive failures open the circuit for BreakerOpen.
	BreakerFailures int           `env:"API_BREAKER_FAILURES" envDefault:"5" help:"consecutive backend failures that open the circuit breaker"`
	BreakerOpen     time.Duration `env:"API_BREAKER_OPEN" envDefault:"10s" help:"how long the open breaker fails fast before probing"`
}

// Config is one server's whole configuration.
type Config[X any] struct {
	Base
	Backend Backend
	Extra   X
	// Version is set by Load when --version was asked for; the caller prints it.
	ShowVersion bool
}

// Spec names the server for flags, errors and env prefixes.
type Spec struct {
	Binary string // "crm-mcp"
	Prefix string // "CRM_"
	// Usage is the first line of --help.
	Usage string
	// Backends writes the --help section listing the backends and their
	// settings (the app, from the server's adapters); nil: none. A
	// function: the text is only needed for --help.
	Backends func() string
	// Commands writes the --help section listing subcommands, if any.
	Commands func() string
}

// ErrHelp is returned when --help was asked for; the usage was written.
var ErrHelp = flag.ErrHelp

// UsageError is a configuration problem; binaries exit with status 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Load reads environ (KEY=VALUE pairs, as os.Environ) and then args
// (without the program name) into a Config, and validates it. --help text
// goes to out, once; a bad flag or value is a *UsageError (one line).
func Load[X any](spec Spec, args, environ []string, out io.Writer) (*Config[X], error) {
	envMap := env.ToMap(environ)
	var c Config[X]
	parts := []struct {
		v      any
		prefix string
	}{{&c.Base, ""}, {&c.Backend, spec.Prefix}, {&c.Extra, spec.Prefix}}
	for _, part := range parts {
		if err := env.ParseWithOptions(part.v, envOptions(envMap, part.prefix)); err != nil {
			return nil, &UsageError{Msg: fmt.Sprintf("%s: %s", spec.Binary, describeEnvError(err, part.v, part.prefix))}
		}
	}

	fs := flag.NewFlagSet(spec.Binary, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned (one line), help printed below
	var settings []setting
	for _, part := range parts {
		settings = append(settings, collect(part.v, part.prefix, fs)...)
	}
	fs.BoolVar(&c.ShowVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeHelp(out, spec, settings)
			return nil, ErrHelp
		}
		return nil, &UsageError{Msg: fmt.Sprintf("%s: %v (see --help)", spec.Binary, err)}
	}
	if fs.NArg() > 0 {
		return nil, &UsageError{Msg: fmt.Sprintf("%s: unexpected argument %q (see --help)", spec.Binary, fs.Arg(0))}
	}
	if c.ShowVersion {
		return &c, nil
	}
	if err := c.validate(spec); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Config[X]) validate(spec Spec) error {
	bad := func(format string, a ...any) error {
		return &UsageError{Msg: spec.Binary + ": " + fmt.Sprintf(format, a...)}
	}
	switch c.Transport {
	case "stdio", "http":
	default:
		return bad("--transport must be stdio or http, not %q", c.Transport)
	}
	if c.Transport == "http" {
		host, _, err := net.SplitHostPort(c.Addr)
		if err != nil {
			return bad("--addr %q is not HOST:PORT: %v", c.Addr, err)
		}
		if c.AuthIssuer == "" && !c.InsecureNoAuth && !loopback(host) {
			return bad("refusing to serve HTTP on non-loopback address %s without auth: set MCP_AUTH_ISSUER and MCP_RESOURCE_URL, or MCP_INSECURE_NO_AUTH=true to run unauthenticated (for example behind an authenticating proxy)", c.Addr)
		}
	}
	if c.AuthIssuer != "" {
		if c.ResourceURL == "" {
			return bad("MCP_RESOURCE_URL is required with MCP_AUTH_ISSUER: it is this server's canonical URL, the audience tokens must carry")
		}
		for name, u := range map[string]string{"MCP_AUTH_ISSUER": c.AuthIssuer, "MCP_AUTH_JWKS_URL": c.AuthJWKSURL, "MCP_RESOURCE_URL": c.ResourceURL} {
			if u == "" {
				continue
			}
			if err := httpsOrLoopback(u); err != nil {
				return bad("%s: %v", name, err)
			}
		}
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		return bad("%v", err)
	}
	if c.CallTimeout <= 0 {
		return bad("MCP_CALL_TIMEOUT must be positive, not %s", c.CallTimeout)
	}
	if c.RateLimit <= 0 || c.RateBurst < 1 {
		return bad("MCP_RATE_LIMIT must be > 0 and MCP_RATE_BURST >= 1")
	}
	if c.ApprovalAddr != "" {
		host, _, err := net.SplitHostPort(c.ApprovalAddr)
		if err != nil || !loopback(host) {
			return bad("MCP_APPROVAL_ADDR must be a loopback HOST:PORT, not %q", c.ApprovalAddr)
		}
	}
	if c.RedisURL != "" && c.ApprovalPolicy != "" && c.ApprovalSecret == "" {
		return bad("MCP_APPROVAL_SECRET is required with MCP_REDIS_URL and MCP_APPROVAL_POLICY: replicas must seal approvals with the same key")
	}
	switch c.WriteMode {
	case "off":
		c.ReadOnly = true
	case "dry-run", "approve", "on":
		if c.ReadOnly {
			c.WriteMode = "off"
		}
	default:
		return bad("MCP_WRITE_MODE must be off, dry-run, approve or on, not %q", c.WriteMode)
	}
	if c.RedisURL != "" && c.ApprovalSecret == "" && (c.PolicyFile != "" || c.WriteMode == "approve" || strings.Contains(c.WriteLimits, "/approve")) {
		return bad("MCP_APPROVAL_SECRET is required with MCP_REDIS_URL when writes may need approval (MCP_POLICY_FILE, MCP_WRITE_MODE=approve, MCP_WRITE_LIMITS .../approve): replicas must seal approvals with the same key")
	}
	switch c.ApprovalChannel {
	case "auto", "out-of-band", "elicitation":
	default:
		return bad("MCP_APPROVAL_CHANNEL must be auto, out-of-band or elicitation, not %q", c.ApprovalChannel)
	}
	for name, v := range map[string]string{"MCP_APPROVALS_URL": c.ApprovalsURL, "MCP_APPROVALS_WEBHOOK_URL": c.ApprovalsWebhookURL.Reveal()} {
		if u, err := url.Parse(v); v != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
			return bad("%s must be an absolute http(s) URL", name)
		}
	}
	for name, sec := range map[string]Secret{"MCP_APPROVAL_SECRET": c.ApprovalSecret, "MCP_CURSOR_SECRET": c.CursorSecret} {
		if sec != "" && len(sec) < MinSecretBytes {
			return bad("%s is %d bytes; use at least %d random bytes (for example: openssl rand -base64 48)", name, len(sec), MinSecretBytes)
		}
	}
	if c.MaxInflightBodyBytes < c.MaxBodyBytes {
		return bad("MCP_MAX_INFLIGHT_BODY_BYTES (%d) must be at least MCP_MAX_BODY_BYTES (%d)", c.MaxInflightBodyBytes, c.MaxBodyBytes)
	}
	if c.MaxConnsPerAddr < 1 || c.MaxIdleConnsPerAddr < 1 {
		return bad("MCP_MAX_CONNS_PER_ADDR and MCP_MAX_IDLE_CONNS_PER_ADDR must be at least 1")
	}
	for _, p := range c.TrustedProxies {
		p = strings.TrimSpace(p)
		if _, err := netip.ParsePrefix(p); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(p); err != nil {
			return bad("MCP_TRUSTED_PROXIES: %q is neither a CIDR (10.0.0.0/8) nor an IP address", p)
		}
	}
	if c.IdempotencyWindow < time.Minute {
		return bad("MCP_IDEMPOTENCY_WINDOW must be at least 1m")
	}
	if c.MaxBodyBytes < 1024 {
		return bad("MCP_MAX_BODY_BYTES must be at least 1024")
	}
	if !c.Demo && c.Backend.Name == "reference" {
		if c.Backend.URL == "" {
			return bad("%sAPI_URL is not set; set it to the backend's base URL, or pass --demo to use the built-in sample backend", spec.Prefix)
		}
		if !strings.HasPrefix(c.Backend.URL, "http://") && !strings.HasPrefix(c.Backend.URL, "https://") {
			return bad("%sAPI_URL must be an http(s) URL, not %q", spec.Prefix, RedactURL(c.Backend.URL))
		}
	}
	if c.Backend.MaxRetries < 0 || c.Backend.MaxRetries > 10 {
		return bad("%sAPI_MAX_RETRIES must be between 0 and 10", spec.Prefix)
	}
	if c.Backend.RateLimit <= 0 || c.Backend.RateBurst < 1 {
		return bad("%sAPI_RATE_LIMIT must be > 0 and %sAPI_RATE_BURST >= 1", spec.Prefix, spec.Prefix)
	}
	if c.Backend.BreakerFailures < 1 || c.Backend.BreakerOpen <= 0 {
		return bad("%sAPI_BREAKER_FAILURES must be >= 1 and %sAPI_BREAKER_OPEN positive", spec.Prefix, spec.Prefix)
	}
	if c.Backend.MaxResponseBytes < 1024 {
		return bad("%sAPI_MAX_RESPONSE_BYTES must be at least 1024", spec.Prefix)
	}
	if v, ok := any(&c.Extra).(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return bad("%v", err)
		}
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpsOrLoopback requires https, except for loopback hosts.
func httpsOrLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.Scheme == "https" || (u.Scheme == "http" && loopback(u.Hostname())) {
		return nil
	}
	return fmt.Errorf("%q must be https (http only on loopback addresses)", raw)
}

// describeEnvError names the environment variable behind each parse error.
func describeEnvError(err error, v any, prefix string) string {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err.Error()
	}
	t := reflect.TypeOf(v).Elem()
	var msgs []string
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := t.FieldByName(pe.Name); ok {
				key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
				msgs = append(msgs, fmt.Sprintf("%s%s: %v", prefix, key, pe.Err))
				continue
			}
		}
		msgs = append(msgs, e.Error())
	}
	return strings.Join(msgs, "; ")
}

// ParseLevel turns a level name into a slog.Level.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level must be debug, info, warn or error, not %q", s)
	}
	return l, nil
}

// RedactURL returns raw with credentials hidden, for logs: the password of
// its user info and every query value (API keys often travel as ?key=).
// Something that does not parse as a URL is hidden whole.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "[redacted: not a URL]"
	}
	if u.User != nil {
		u.User = url.UserPassword("redacted", "redacted")
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{"redacted"}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// LogAttrs returns the configuration as log attributes, secrets redacted.
func (c *Config[X]) LogAttrs() []any {
	attrs := []any{slog.String("transport", c.Transport)}
	if c.Transport == "http" {
		attrs = append(attrs, slog.String("addr", c.Addr))
	}
	return append(attrs,
		slog.Bool("demo", c.Demo),
		slog.String("call_timeout", c.CallTimeout.String()),
		slog.String("backend", c.Backend.Name),
		slog.String("api_url", RedactURL(c.Backend.URL)),
		slog.Any("api_token", c.Backend.Token),
		slog.String("auth_issuer", c.AuthIssuer),
		slog.String("resource_url", c.ResourceURL),
		slog.Bool("read_only", c.ReadOnly),
		slog.String("write_mode", c.WriteMode),
		slog.String("policy_file", c.PolicyFile),
		slog.Bool("shared_store", c.RedisURL != ""),
		slog.Any("extra", c.Extra),
	)
}

// ParseEnv reads an adapter's own settings from environ into v (a pointer
// to a struct with caarlos0/env tags) under prefix, and reports a bad value
// as a *UsageError naming the variable.
func ParseEnv(binary string, environ map[string]string, prefix string, v any) error {
	if err := env.ParseWithOptions(v, envOptions(environ, prefix)); err != nil {
		return &UsageError{Msg: fmt.Sprintf("%s: %s", binary, describeEnvError(err, v, prefix))}
	}
	return nil
}

// HTTPSOrLoopback requires an https URL, or http on a loopback host (the
// rule for every backend base-URL override); name is the setting's name.
func HTTPSOrLoopback(binary, name, raw string) error {
	if err := httpsOrLoopback(raw); err != nil {
		return &UsageError{Msg: fmt.Sprintf("%s: %s: %v", binary, name, err)}
	}
	return nil
}

// Usagef returns a *UsageError (exit status 2) with binary's name in front.
func Usagef(binary, format string, a ...any) error {
	return &UsageError{Msg: binary + ": " + fmt.Sprintf(format, a...)}
}

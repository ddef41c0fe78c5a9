// Package app is the common main of every bizmcp server: configuration,
// logging, the backend HTTP client, the MCP server with its middleware, the
// access policy, auth and audit, and the transport. A server's main.go fills
// in a Spec and calls Main.
package app

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/auth"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/compress"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/idempotency"
	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/bizmcp/bizmcp/shared/ratelimit"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/bizmcp/bizmcp/shared/telemetry"
	"github.com/bizmcp/bizmcp/shared/timeout"
	"github.com/bizmcp/bizmcp/shared/transport"
	"github.com/caarlos0/env/v11"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Spec describes one server binary. X is the server's own settings, P the
// port (interface) its tools depend on.
type Spec[X any, P port.Pinger] struct {
	Name         string // domain: "crm"
	Binary       string // "crm-mcp"
	Prefix       string // env prefix: "CRM_"
	Title        string // human title
	Usage        string // first line of --help
	Instructions string // MCP server instructions for the model
	// Backends are the adapters the port can sit on; the first is the
	// default ("reference").
	Backends []Backend[P]
	// Demo opens the port on the built-in sample backend, in process
	// (--demo).
	Demo func(env BackendEnv) (P, error)
	// Register adds the server's tools (and resources, prompts) to s, built
	// on the port p.
	Register func(s *mcp.Server, d Deps[X], p P) error
	// Commands are subcommands (orders-mcp migrate): run instead of the
	// server when the first argument names one.
	Commands []Command
	// ServerJSON is the server's MCP registry entry (servers/<name>/server.json):
	// the serverInfo's icons and the server card come from it.
	ServerJSON []byte
}

// Backend is one adapter a server's port can sit on.
type Backend[P port.Pinger] struct {
	Name    string // "reference", "postgres", "hubspot"
	Summary string // one line for --help
	// Settings are the adapter's own environment variables, for --help.
	Settings []Setting
	// Open validates the adapter's settings (a *config.UsageError naming
	// the setting on a bad one: the binary exits 2) and builds it. ctx
	// bounds start-up work; it is not the adapter's lifetime.
	Open func(ctx context.Context, env BackendEnv) (P, error)
}

// Setting documents one environment variable of an adapter.
type Setting struct {
	Env     string // "ORDERS_DATABASE_URL"
	Default string
	Meaning string
}

// Command is a subcommand of a server binary.
type Command struct {
	Name    string // "migrate"
	Summary string
	// Run gets the arguments after the command's name; it returns the exit
	// status.
	Run func(ctx context.Context, env CommandEnv) int
}

// CommandEnv is what a subcommand gets.
type CommandEnv struct {
	Binary, Version string
	Args            []string
	Environ         map[string]string
	Stdout, Stderr  io.Writer
}

// BackendEnv is what an adapter's Open gets: the process environment for
// its own settings, the <DOMAIN>_API_* client settings every HTTP adapter
// shares, and a constructor of the shared HTTP client (retries, outbound
// rate limit, size cap, circuit breaker).
type BackendEnv struct {
	Domain, Binary, Prefix, Version string
	Environ                         map[string]string
	API                             config.Backend
	Logger                          *slog.Logger
	// Base replaces the network transport (the --demo backend in process).
	Base http.RoundTripper
}

// HTTPClient returns the shared backend HTTP client for an adapter, with
// the <DOMAIN>_API_* retry, timeout, rate, size and breaker settings; token
// is the backend credential sent as a bearer token ("" = the adapter sets
// its own auth header).
func (e BackendEnv) HTTPClient(token string) *http.Client {
	return backend.NewHTTPClient(backend.Options{
		Name:             e.Domain,
		Token:            token,
		UserAgent:        e.Binary + "/" + e.Version,
		MaxRetries:       e.API.MaxRetries,
		RateLimit:        e.API.RateLimit,
		RateBurst:        e.API.RateBurst,
		MaxResponseBytes: e.API.MaxResponseBytes,
		Timeout:          e.API.Timeout,
		BreakerFailures:  e.API.BreakerFailures,
		BreakerOpen:      e.API.BreakerOpen,
		Base:             e.Base,
		Logger:           e.Logger,
	})
}

// On returns e pointed at baseURL over rt instead of the network: the
// --demo backend in process, and tests.
func (e BackendEnv) On(rt http.RoundTripper, baseURL string) BackendEnv {
	e.Base, e.API.URL = rt, baseURL
	return e
}

// Deps is what Register gets besides the port.
type Deps[X any] struct {
	Config    *config.Config[X]
	Sanitizer *sanitize.Sanitizer
	Logger    *slog.Logger
	// Completions collects completion functions for prompt arguments and
	// resource-template variables.
	Completions *mcpkit.Completions
	// Store holds idempotency records and approvals (memory or Redis).
	Store kv.Store
	// Approvals is the human-approval gate write tools call before writing.
	Approvals *approval.Gate
	// Control is execution control: write tools are registered through it
	// (execctl.AddWriteTool / execctl.Handler) and server shorthand
	// policies added to it (Control.Shorthand).
	Control *execctl.Controller
	// Ready is the port's readiness check.
	Ready func(ctx context.Context) error
	// ReadyNote is what /readyz adds about the backend, from a port with a
	// ReadyNote() string method ("EasyPost test key"); "" = nothing.
	ReadyNote string
	// Set by Build after Register:
	Tools   *policy.Tools
	Audit   *audit.Logger
	Version string
}

// Main runs the server and exits.
//
// Unless GOGC is set, the collector keeps at least 16 MB of headroom
// (gc.go): GOGC = max(100, 100 x 16 MB / live heap) after every cycle,
// 200-500 at rest and under light load, the Go default 100 under a burst.
// Measured with benchreport (README, Performance) against the fixed
// GOGC=150 it replaced, same binary (--stack-env GOGC=150), alternately:
// CPU per call lower in every row (small record, HTTP, one client: 0.76
// against 0.91 of the bare tool's), peak RSS at 512 sessions 0.97 and 0.74
// of the bare tool's against 1.11 and 0.98.
// Unless GOMEMLIMIT is set, it is 90% of the container's memory limit (the
// cgroup's memory.max, read by automemlimit), so a pod limited to 128 Mi
// collects harder near the limit instead of being killed; without a limit
// there is none.
func Main[X any, P port.Pinger](spec Spec[X, P], version string) {
	if os.Getenv("GOGC") == "" {
		startGCHeadroom(gcFloor)
	}
	setMemoryLimit(memlimit.FromCgroup)
	// A closed stderr (or stdout) must not kill the process with SIGPIPE on
	// its first log line: writes then fail with EPIPE instead, which the
	// logger ignores and the stdio transport ends the session on.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, spec, version, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Run is Main without the process: it returns the exit status (0 ok, 1
// failure, 2 usage or configuration error).
func Run[X any, P port.Pinger](ctx context.Context, spec Spec[X, P], version string, args, environ []string, stdin io.ReadCloser, stdout io.WriteCloser, stderr io.Writer) int {
	if len(args) > 0 {
		for _, c := range spec.Commands {
			if args[0] == c.Name {
				return c.Run(ctx, CommandEnv{Binary: spec.Binary, Version: version, Args: args[1:], Environ: env.ToMap(environ), Stdout: stdout, Stderr: stderr})
			}
		}
	}
	cfg, err := config.Load[X](config.Spec{Binary: spec.Binary, Prefix: spec.Prefix, Usage: spec.Usage, Backends: spec.backendHelp, Commands: spec.commandHelp}, args, environ, stdout)
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if cfg.ShowVersion {
		fmt.Fprintf(stdout, "%s %s\n", spec.Binary, version)
		return 0
	}
	level, _ := config.ParseLevel(cfg.LogLevel)
	log := slog.New(telemetry.LogHandler(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))).With("server", spec.Binary)
	// Every start-up failure is one line on stderr and exit status 2.
	startFailed := func(err error) int {
		var ue *config.UsageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, ue.Msg)
		} else {
			fmt.Fprintf(stderr, "%s: cannot start: %v\n", spec.Binary, err)
		}
		return 2
	}
	stopTracing, err := startTracing(ctx, spec.Binary, version, environ)
	if err != nil {
		return startFailed(err)
	}
	defer stopTracing()

	auditOpts, err := auditOptions(cfg, version, environ, log)
	if err != nil {
		return startFailed(err)
	}
	auditLog, closer, err := audit.OpenWith(spec.Binary, auditOpts, stderr)
	if err != nil {
		return startFailed(fmt.Errorf("MCP_AUDIT_LOG: %w", err))
	}
	defer closer.Close()
	srv, deps, err := BuildFromEnv(ctx, spec, version, cfg, log, auditLog, env.ToMap(environ))
	if err != nil {
		return startFailed(err)
	}
	opts, err := HTTPOptions(ctx, spec, deps)
	if err != nil {
		return startFailed(err)
	}
	attrs := append([]any{"version", version}, cfg.LogAttrs()...)
	if lim := debug.SetMemoryLimit(-1); lim != math.MaxInt64 {
		attrs = append(attrs, "gomemlimit", lim)
	}
	log.Info("starting", attrs...)
	if !cfg.Demo { // the demo backend is in process: nothing to check, and it is built on first use
		go startupCheck(ctx, log, opts.Ready)
	}
	if cfg.Transport == "stdio" && cfg.ApprovalAddr != "" {
		// Over stdio the approvals endpoint gets its own loopback listener.
		if tok := cfg.ApprovalToken.Reveal(); tok != "" {
			as := &http.Server{Addr: cfg.ApprovalAddr, Handler: deps.Approvals.Handler(tok), ReadHeaderTimeout: 5 * time.Second}
			go func() {
				if err := as.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("approvals listener", "error", err)
				}
			}()
			defer as.Close()
			log.Info("approvals endpoint listening", "addr", cfg.ApprovalAddr)
		} else {
			log.Warn("MCP_APPROVAL_ADDR is set but MCP_APPROVAL_TOKEN is not: approvals endpoint disabled")
		}
	}
	opts.Transport = cfg.Transport
	opts.Stdin, opts.Stdout = stdin, stdout
	if err := transport.Run(ctx, srv, opts); err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "listen" {
			return startFailed(fmt.Errorf("cannot listen on %s (MCP_ADDR, --addr): %v", cfg.Addr, oe.Err))
		}
		log.Error("stopped", "error", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// Build assembles the MCP server from a loaded configuration with the
// audit trail discarded. Tests use it to get the exact server the binary
// runs; Run uses BuildWithAudit.
func Build[X any, P port.Pinger](spec Spec[X, P], version string, cfg *config.Config[X], log *slog.Logger) (*mcp.Server, Deps[X], error) {
	return BuildWithAudit(spec, version, cfg, log, audit.New(spec.Binary, io.Discard))
}

// OpenBackend opens the port cfg selects: the demo backend with --demo,
// else the adapter named by --backend / <DOMAIN>_BACKEND. environ is the
// process environment (nil = os.Environ()).
func OpenBackend[X any, P port.Pinger](ctx context.Context, spec Spec[X, P], version string, cfg *config.Config[X], log *slog.Logger, environ map[string]string) (P, error) {
	var zero P
	if environ == nil {
		environ = env.ToMap(os.Environ())
	}
	be := BackendEnv{Domain: spec.Name, Binary: spec.Binary, Prefix: spec.Prefix, Version: version, Environ: environ, API: cfg.Backend, Logger: log}
	if cfg.Demo {
		if spec.Demo == nil {
			return zero, fmt.Errorf("%s has no demo backend", spec.Binary)
		}
		p, err := spec.Demo(be)
		if err != nil {
			return zero, fmt.Errorf("demo backend: %w", err)
		}
		return p, nil
	}
	var names []string
	for _, b := range spec.Backends {
		if b.Name == cfg.Backend.Name {
			return b.Open(ctx, be)
		}
		names = append(names, b.Name)
	}
	return zero, config.Usagef(spec.Binary, "unknown backend %q (%sBACKEND / --backend): choose one of %s", cfg.Backend.Name, spec.Prefix, strings.Join(names, ", "))
}

func (spec Spec[X, P]) backendHelp() string {
	var b strings.Builder
	for i, be := range spec.Backends {
		def := ""
		if i == 0 {
			def = " (default)"
		}
		fmt.Fprintf(&b, "  %s%s: %s\n", be.Name, def, be.Summary)
		for _, s := range be.Settings {
			d := ""
			if s.Default != "" {
				d = " (default " + s.Default + ")"
			}
			fmt.Fprintf(&b, "      %s%s\n          %s\n", s.Env, d, s.Meaning)
		}
	}
	return b.String()
}

func (spec Spec[X, P]) commandHelp() string {
	var b strings.Builder
	for _, c := range spec.Commands {
		fmt.Fprintf(&b, "  %-12s %s\n", c.Name, c.Summary)
	}
	return b.String()
}

// BuildFromEnv opens the port cfg selects with the adapter settings in
// environ, then builds the server on it.
func BuildFromEnv[X any, P port.Pinger](ctx context.Context, spec Spec[X, P], version string, cfg *config.Config[X], log *slog.Logger, auditLog *audit.Logger, environ map[string]string) (*mcp.Server, Deps[X], error) {
	pt, err := OpenBackend(ctx, spec, version, cfg, log, environ)
	if err != nil {
		return nil, Deps[X]{}, err
	}
	return BuildWithBackend(spec, version, cfg, log, auditLog, &pt)
}

// BuildWithAudit is Build with an explicit audit logger.
func BuildWithAudit[X any, P port.Pinger](spec Spec[X, P], version string, cfg *config.Config[X], log *slog.Logger, auditLog *audit.Logger) (*mcp.Server, Deps[X], error) {
	return BuildWithBackend(spec, version, cfg, log, auditLog, nil)
}

// BuildWithBackend is BuildWithAudit on a given port (nil: the one cfg
// selects, see OpenBackend). Handler tests pass an in-memory fake.
func BuildWithBackend[X any, P port.Pinger](spec Spec[X, P], version string, cfg *config.Config[X], log *slog.Logger, auditLog *audit.Logger, p *P) (*mcp.Server, Deps[X], error) {
	var pt P
	if p != nil {
		pt = *p
	} else {
		var err error
		pt, err = OpenBackend(context.Background(), spec, version, cfg, log, nil)
		if err != nil {
			return nil, Deps[X]{}, err
		}
	}
	if sec := cmp.Or(cfg.CursorSecret.Reveal(), cfg.ApprovalSecret.Reveal()); sec != "" {
		m := hmac.New(sha256.New, []byte(sec))
		m.Write([]byte("bizmcp list cursor key"))
		compress.SetCursorKey(m.Sum(nil))
	}
	store, err := kv.Open(context.Background(), cfg.RedisURL)
	if err != nil {
		return nil, Deps[X]{}, err
	}
	approvalPolicy, err := approval.ParsePolicy(cfg.ApprovalPolicy)
	if err != nil {
		return nil, Deps[X]{}, err
	}
	noElicit, elicitHTTP, err := approval.ParseChannel(cfg.ApprovalChannel)
	if err != nil {
		return nil, Deps[X]{}, config.Usagef(spec.Binary, "%v", err)
	}
	deps := Deps[X]{
		Store: store,
		Approvals: approval.NewGate(approval.Options{
			Policy: approvalPolicy, Store: store, Secret: cfg.ApprovalSecret.Reveal(), TTL: cfg.ApprovalTTL,
			Domain: spec.Name, Audit: auditLog, Logger: log, NoElicit: noElicit, ElicitOverHTTP: elicitHTTP,
			PageURL: cfg.ApprovalsURL, WebhookURL: cfg.ApprovalsWebhookURL.Reveal(),
		}),
		Config:      cfg,
		Ready:       pt.Ping,
		Sanitizer:   sanitize.New(sanitize.Options{AllowedLinkHosts: cfg.AllowedLinkHosts}),
		Logger:      log,
		Audit:       auditLog,
		Completions: mcpkit.NewCompletions(),
	}
	if n, ok := any(pt).(interface{ ReadyNote() string }); ok {
		deps.ReadyNote = n.ReadyNote()
	}
	reg, err := registryOf(spec)
	if err != nil {
		return nil, Deps[X]{}, err
	}
	deps.Version = version
	impl := implementation(spec, version, reg)
	deps.Control = execctl.New(execctl.Options{Domain: spec.Name, Store: store, Gate: deps.Approvals, Mode: cfg.WriteMode, Logger: log})
	srv := mcp.NewServer(impl, &mcp.ServerOptions{
		Instructions:      spec.Instructions,
		Logger:            log,
		CompletionHandler: deps.Completions.Handler(),
		Capabilities:      &mcp.ServerCapabilities{},
		SetCacheable:      cacheHints,
	})
	mcpkit.SetToolIcons(srv, impl.Icons)
	defer mcpkit.SetToolIcons(srv, nil)
	if err := spec.Register(srv, deps, pt); err != nil {
		return nil, deps, err
	}
	tools := mcpkit.TakeTools(srv)
	dep := policy.Deployment{ReadOnly: cfg.ReadOnly, Allow: cfg.ToolsAllow, Deny: cfg.ToolsDeny}
	known := map[string]bool{}
	var kept []*mcp.Tool
	for _, t := range tools {
		known[t.Name] = true
		if dep.Permits(t.Name, t.Annotations != nil && t.Annotations.ReadOnlyHint) {
			kept = append(kept, t)
		} else {
			srv.RemoveTools(t.Name)
		}
	}
	for _, n := range append(append([]string{}, cfg.ToolsAllow...), cfg.ToolsDeny...) {
		if !known[n] {
			return nil, deps, fmt.Errorf("MCP_TOOLS/MCP_TOOLS_DENY name unknown tool %q", n)
		}
	}
	for n := range approvalPolicy {
		if !known[n] {
			return nil, deps, fmt.Errorf("MCP_APPROVAL_POLICY names unknown tool %q", n)
		}
	}
	if err := finishControl(spec, cfg, deps.Control, tools, approvalPolicy); err != nil {
		return nil, deps, err
	}
	deps.Tools = policy.NewTools(spec.Name, kept)
	write := spec.Name + ":write"
	srv.AddReceivingMiddleware(
		telemetry.Middleware(spec.Name, log, telemetry.Names(known)),
		capabilities(impl),
		auditLog.Middleware(),
		deps.Tools.Middleware(),
		ratelimit.New(cfg.RateLimit, cfg.RateBurst).Middleware(),
		timeout.MiddlewareWithExtension(cfg.CallTimeout, log, approvalWait(approvalPolicy, deps.Control, cfg.ApprovalTimeout)),
		idempotency.Middleware(idempotency.Options{
			Store: store, Domain: spec.Name, Window: cfg.IdempotencyWindow, Logger: log,
			Pending: cfg.CallTimeout + cfg.ApprovalTimeout + 30*time.Second,
			IsWrite: func(tool string) bool { return deps.Tools.ScopeOf(tool) == write },
		}),
	)
	return srv, deps, nil
}

// finishControl checks that every write tool went through execution
// control, then compiles the policy file and the shorthand settings
// (MCP_APPROVAL_POLICY, MCP_WRITE_LIMITS, MCP_READ_ONLY and the server's
// own) into its engine. A policy naming an unknown tool or attribute stops
// the start with one line naming it.
func finishControl[X any, P port.Pinger](spec Spec[X, P], cfg *config.Config[X], ctl *execctl.Controller, tools []*mcp.Tool, ap approval.Policy) error {
	for _, t := range tools {
		if t.Annotations != nil && t.Annotations.ReadOnlyHint || ctl.Planned(t.Name) {
			continue
		}
		return fmt.Errorf("write tool %s was registered without a plan: register it with execctl.AddWriteTool (docs/execution-control.md)", t.Name)
	}
	sch := ctl.Schema()
	var sources []execctl.Source
	if cfg.PolicyFile != "" {
		b, err := os.ReadFile(cfg.PolicyFile)
		if err != nil {
			return config.Usagef(spec.Binary, "MCP_POLICY_FILE: %v", err)
		}
		sources = append(sources, execctl.Source{Name: cfg.PolicyFile, Text: string(b)})
	}
	sources = append(sources, execctl.ApprovalPolicy(ap, sch))
	lim, err := execctl.Limits(cfg.WriteLimits, sch)
	if err != nil {
		return config.Usagef(spec.Binary, "%v", err)
	}
	sources = append(sources, lim)
	if err := ctl.Finish(sources...); err != nil {
		return config.Usagef(spec.Binary, "policy: %v", err)
	}
	return nil
}

// startupCheck asks the backend once at start, so that a wrong base URL
// (or a backend that is down) is in the log before the first call fails.
func startupCheck(ctx context.Context, log *slog.Logger, ready func(context.Context) error) {
	if ready == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := ready(ctx)
	switch be, _ := backend.AsError(err); {
	case err == nil:
		log.Info("backend ready")
	case be != nil && be.Kind == backend.KindMisconfigured:
		log.Error("backend base URL looks wrong at start", "reason", be.Kind, "error", err)
	case ctx.Err() == nil:
		log.Warn("backend not ready at start", "reason", transport.Reason(err), "error", err)
	}
}

// approvalWait gives calls that may ask the user for approval through
// elicitation the time a person needs to answer.
func approvalWait(p approval.Policy, ctl *execctl.Controller, wait time.Duration) func(mcp.Request) time.Duration {
	return func(req mcp.Request) time.Duration {
		params, ok := req.GetParams().(*mcp.CallToolParamsRaw)
		if !ok || !p.Covers(params.Name) && !ctl.MayAsk(params.Name) {
			return 0
		}
		if s, ok := req.GetSession().(*mcp.ServerSession); ok {
			if ip := s.InitializeParams(); ip != nil && ip.Capabilities != nil && ip.Capabilities.Elicitation != nil {
				return wait
			}
		}
		return 0
	}
}

// HTTPOptions returns the transport options for deps' server: readiness,
// and, when MCP_AUTH_ISSUER is set, bearer-token protection and protected
// resource metadata. ctx ends the JWKS refresh.
func HTTPOptions[X any, P port.Pinger](ctx context.Context, spec Spec[X, P], d Deps[X]) (transport.Options, error) {
	cfg := d.Config
	o := transport.Options{
		Transport:         "http",
		Addr:              cfg.Addr,
		MaxBodyBytes:      cfg.MaxBodyBytes,
		CallTimeout:       cfg.CallTimeout,
		ShutdownGrace:     cfg.ShutdownGrace,
		Logger:            d.Logger,
		RequestsPerSecond: cfg.HTTPRateLimit,
		RequestBurst:      cfg.HTTPRateBurst,
		// The probe goes on its own path: no breaker, retries or outbound
		// budget (see backend.Probe); transport caches it.
		Ready:                func(ctx context.Context) error { return d.Ready(backend.Probe(ctx)) },
		MaxInflightBodyBytes: cfg.MaxInflightBodyBytes,
		MaxConnsPerAddr:      cfg.MaxConnsPerAddr,
		MaxIdleConnsPerAddr:  cfg.MaxIdleConnsPerAddr,
		ReadyNote:            d.ReadyNote,
	}
	proxies, err := transport.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return o, err
	}
	o.TrustedProxies = proxies
	if o.Routes == nil {
		o.Routes = map[string]http.Handler{}
	}
	if tok := cfg.ApprovalToken.Reveal(); tok != "" {
		h := d.Approvals.Handler(tok)
		o.Routes["/approvals"], o.Routes["/approvals/"] = h, h
	}
	if reg, err := registryOf(spec); err == nil && reg.Name != "" {
		card := cardHandler(reg, d.Version, cfg.ResourceURL)
		o.Routes["GET "+ServerCardPath], o.Routes["OPTIONS "+ServerCardPath] = card, card
	}
	if cfg.AuthIssuer == "" || cfg.Transport != "http" {
		return o, nil
	}
	v, err := auth.NewVerifier(ctx, auth.Options{
		Issuer: cfg.AuthIssuer, JWKSURL: cfg.AuthJWKSURL, ResourceURL: cfg.ResourceURL,
		RegionClaim: cfg.RegionClaim, Algorithms: cfg.AuthAlgorithms, Logger: d.Logger,
	})
	if err != nil {
		return o, fmt.Errorf("auth: %w", err)
	}
	p := &auth.Protection{Verifier: v, Tools: d.Tools, Audit: d.Audit, MetadataURL: auth.MetadataURL(cfg.ResourceURL), MaxBody: cfg.MaxBodyBytes}
	meta := sdkauth.ProtectedResourceMetadataHandler(p.Metadata(spec.Title + " MCP server (" + spec.Binary + ")"))
	o.Protect, o.Authorize = p.Authenticate, p.Authorize
	if o.Routes == nil {
		o.Routes = map[string]http.Handler{}
	}
	for k, v := range map[string]http.Handler{
		"GET " + auth.MetadataPath:           meta,
		"GET " + auth.MetadataPath + "/":     meta,
		"OPTIONS " + auth.MetadataPath:       meta,
		"OPTIONS " + auth.MetadataPath + "/": meta,
	} {
		o.Routes[k] = v
	}
	return o, nil
}

// setMemoryLimit sets GOMEMLIMIT to 90% of the memory limit (Main: the
// cgroup's) when the environment does not set it (AUTOMEMLIMIT=off turns
// this off).
func setMemoryLimit(limit memlimit.Provider) {
	_, _ = memlimit.Set(
		memlimit.WithProvider(limit),
		memlimit.WithRatio(0.9),
		memlimit.WithLogger(slog.New(slog.DiscardHandler)),
	)
}

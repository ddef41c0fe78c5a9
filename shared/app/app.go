// Package app is the common main of every bizmcp server: configuration,
// logging, the backend HTTP client, the MCP server with its middleware, the
// access policy, auth and audit, and the transport. A server's main.go fills
// in a Spec and calls Main.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/auth"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/idempotency"
	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/ratelimit"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/bizmcp/bizmcp/shared/telemetry"
	"github.com/bizmcp/bizmcp/shared/timeout"
	"github.com/bizmcp/bizmcp/shared/transport"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Spec describes one server binary.
type Spec[X any] struct {
	Name         string // domain: "crm"
	Binary       string // "crm-mcp"
	Prefix       string // env prefix: "CRM_"
	Title        string // human title
	Usage        string // first line of --help
	Instructions string // MCP server instructions for the model
	// Register adds the server's tools (and resources, prompts) to s.
	Register func(s *mcp.Server, d Deps[X]) error
	// Demo returns the in-process transport and base URL used by --demo.
	Demo func() (http.RoundTripper, string, error)
	// ServerJSON is the server's MCP registry entry (servers/<name>/server.json):
	// the serverInfo's icons and the server card come from it.
	ServerJSON []byte
}

// Deps is what Register gets to build its backend client and tools.
type Deps[X any] struct {
	Config    *config.Config[X]
	HTTP      *http.Client // the backend client (retries, limits, caps)
	BaseURL   string       // backend base URL
	Sanitizer *sanitize.Sanitizer
	Logger    *slog.Logger
	// Completions collects completion functions for prompt arguments and
	// resource-template variables.
	Completions *mcpkit.Completions
	// Store holds idempotency records and approvals (memory or Redis).
	Store kv.Store
	// Approvals is the human-approval gate write tools call before writing.
	Approvals *approval.Gate
	// Set by Build after Register:
	Tools   *policy.Tools
	Audit   *audit.Logger
	Version string
}

// Main runs the server and exits.
//
// Unless GOGC is set, the garbage collector runs at GOGC=200: the SDK
// allocates a few hundred KB per call while the live heap stays small, so
// collecting half as often saves CPU per call for a few MB of heap.
func Main[X any](spec Spec[X], version string) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, spec, version, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Run is Main without the process: it returns the exit status (0 ok, 1
// failure, 2 usage or configuration error).
func Run[X any](ctx context.Context, spec Spec[X], version string, args, environ []string, stdin io.ReadCloser, stdout io.WriteCloser, stderr io.Writer) int {
	cfg, err := config.Load[X](config.Spec{Binary: spec.Binary, Prefix: spec.Prefix, Usage: spec.Usage}, args, environ, stderr)
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
	stopTracing, err := startTracing(ctx, spec.Binary, version, environ)
	if err != nil {
		log.Error("start failed", "error", err)
		return 2
	}
	defer stopTracing()

	auditOpts, err := auditOptions(cfg, version, environ, log)
	if err != nil {
		log.Error("start failed", "error", err)
		return 2
	}
	auditLog, closer, err := audit.OpenWith(spec.Binary, auditOpts, stderr)
	if err != nil {
		log.Error("start failed", "error", err)
		return 1
	}
	defer closer.Close()
	srv, deps, err := BuildWithAudit(spec, version, cfg, log, auditLog)
	if err != nil {
		log.Error("start failed", "error", err)
		return 1
	}
	opts, err := HTTPOptions(ctx, spec, deps)
	if err != nil {
		log.Error("start failed", "error", err)
		return 1
	}
	log.Info("starting", append([]any{"version", version}, cfg.LogAttrs()...)...)
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
		log.Error("stopped", "error", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// Build assembles the MCP server from a loaded configuration with the
// audit trail discarded. Tests use it to get the exact server the binary
// runs; Run uses BuildWithAudit.
func Build[X any](spec Spec[X], version string, cfg *config.Config[X], log *slog.Logger) (*mcp.Server, Deps[X], error) {
	return BuildWithAudit(spec, version, cfg, log, audit.New(spec.Binary, io.Discard))
}

// BuildWithAudit is Build with an explicit audit logger.
func BuildWithAudit[X any](spec Spec[X], version string, cfg *config.Config[X], log *slog.Logger, auditLog *audit.Logger) (*mcp.Server, Deps[X], error) {
	var base http.RoundTripper
	baseURL := cfg.Backend.URL
	if cfg.Demo {
		if spec.Demo == nil {
			return nil, Deps[X]{}, fmt.Errorf("%s has no demo backend", spec.Binary)
		}
		var err error
		base, baseURL, err = spec.Demo()
		if err != nil {
			return nil, Deps[X]{}, fmt.Errorf("demo backend: %w", err)
		}
	}
	hc := backend.NewHTTPClient(backend.Options{
		Name:             spec.Name,
		Token:            cfg.Backend.Token.Reveal(),
		UserAgent:        spec.Binary + "/" + version,
		MaxRetries:       cfg.Backend.MaxRetries,
		RateLimit:        cfg.Backend.RateLimit,
		RateBurst:        cfg.Backend.RateBurst,
		MaxResponseBytes: cfg.Backend.MaxResponseBytes,
		Timeout:          cfg.Backend.Timeout,
		BreakerFailures:  cfg.Backend.BreakerFailures,
		BreakerOpen:      cfg.Backend.BreakerOpen,
		Base:             base,
		Logger:           log,
	})
	store, err := kv.Open(context.Background(), cfg.RedisURL)
	if err != nil {
		return nil, Deps[X]{}, err
	}
	approvalPolicy, err := approval.ParsePolicy(cfg.ApprovalPolicy)
	if err != nil {
		return nil, Deps[X]{}, err
	}
	deps := Deps[X]{
		Store: store,
		Approvals: approval.NewGate(approval.Options{
			Policy: approvalPolicy, Store: store, Secret: cfg.ApprovalSecret.Reveal(), TTL: cfg.ApprovalTTL,
			Domain: spec.Name, Audit: auditLog, Logger: log,
		}),
		Config:      cfg,
		HTTP:        hc,
		BaseURL:     baseURL,
		Sanitizer:   sanitize.New(sanitize.Options{AllowedLinkHosts: cfg.AllowedLinkHosts}),
		Logger:      log,
		Audit:       auditLog,
		Completions: mcpkit.NewCompletions(),
	}
	reg, err := registryOf(spec)
	if err != nil {
		return nil, Deps[X]{}, err
	}
	deps.Version = version
	impl := implementation(spec, version, reg)
	srv := mcp.NewServer(impl, &mcp.ServerOptions{
		Instructions:      spec.Instructions,
		Logger:            log,
		CompletionHandler: deps.Completions.Handler(),
		Capabilities:      &mcp.ServerCapabilities{},
		SetCacheable:      cacheHints,
	})
	if err := spec.Register(srv, deps); err != nil {
		return nil, deps, err
	}
	tools, err := listTools(srv)
	if err != nil {
		return nil, deps, err
	}
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
	deps.Tools = policy.NewTools(spec.Name, kept)
	write := spec.Name + ":write"
	srv.AddReceivingMiddleware(
		telemetry.Middleware(spec.Name, log, telemetry.Names(known)),
		capabilities(impl),
		auditLog.Middleware(),
		deps.Tools.Middleware(),
		ratelimit.New(cfg.RateLimit, cfg.RateBurst).Middleware(),
		timeout.MiddlewareWithExtension(cfg.CallTimeout, log, approvalWait(approvalPolicy, cfg.ApprovalTimeout)),
		idempotency.Middleware(idempotency.Options{
			Store: store, Domain: spec.Name, Window: cfg.IdempotencyWindow, Logger: log,
			Pending: cfg.CallTimeout + cfg.ApprovalTimeout + 30*time.Second,
			IsWrite: func(tool string) bool { return deps.Tools.ScopeOf(tool) == write },
		}),
	)
	return srv, deps, nil
}

// approvalWait gives calls that may ask the user for approval through
// elicitation the time a person needs to answer.
func approvalWait(p approval.Policy, wait time.Duration) func(mcp.Request) time.Duration {
	return func(req mcp.Request) time.Duration {
		params, ok := req.GetParams().(*mcp.CallToolParamsRaw)
		if !ok || !p.Covers(params.Name) {
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

// listTools reads back the registered tool definitions through an
// in-memory session (the SDK exposes no other way).
func listTools(srv *mcp.Server) ([]*mcp.Tool, error) {
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		return nil, err
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "self", Version: "0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	var out []*mcp.Tool
	for t, err := range cs.Tools(ctx, nil) {
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// HTTPOptions returns the transport options for deps' server: readiness,
// and, when MCP_AUTH_ISSUER is set, bearer-token protection and protected
// resource metadata. ctx ends the JWKS refresh.
func HTTPOptions[X any](ctx context.Context, spec Spec[X], d Deps[X]) (transport.Options, error) {
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
		Ready:             func(ctx context.Context) error { return Ready(ctx, d) },
	}
	o.Routes = map[string]http.Handler{}
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
	o.Protect = p.Handler
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

// Ready checks the backend's GET /health.
func Ready[X any](ctx context.Context, d Deps[X]) error {
	j, err := backend.NewJSON(d.BaseURL, d.HTTP)
	if err != nil {
		return err
	}
	_, err = j.Get(ctx, "/health", nil, nil)
	return err
}

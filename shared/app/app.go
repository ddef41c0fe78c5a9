// Package app is the common main of every bizmcp server: configuration,
// logging, the backend HTTP client, the MCP server with its middleware, and
// the transport. A server's main.go fills in a Spec and calls Main.
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
	"syscall"

	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/ratelimit"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/bizmcp/bizmcp/shared/telemetry"
	"github.com/bizmcp/bizmcp/shared/timeout"
	"github.com/bizmcp/bizmcp/shared/transport"
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
}

// Deps is what Register gets to build its backend client and tools.
type Deps[X any] struct {
	Config    *config.Config[X]
	HTTP      *http.Client // the backend client (retries, limits, caps)
	BaseURL   string       // backend base URL
	Sanitizer *sanitize.Sanitizer
	Logger    *slog.Logger
}

// Main runs the server and exits.
func Main[X any](spec Spec[X], version string) {
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
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})).With("server", spec.Binary)

	srv, deps, err := Build(spec, version, cfg, log)
	if err != nil {
		log.Error("start failed", "error", err)
		return 1
	}
	log.Info("starting", append([]any{"version", version}, cfg.LogAttrs()...)...)
	err = transport.Run(ctx, srv, transport.Options{
		Transport:     cfg.Transport,
		Addr:          cfg.Addr,
		MaxBodyBytes:  cfg.MaxBodyBytes,
		CallTimeout:   cfg.CallTimeout,
		ShutdownGrace: cfg.ShutdownGrace,
		Logger:        log,
		Ready:         func(ctx context.Context) error { return Ready(ctx, deps) },
		Stdin:         stdin,
		Stdout:        stdout,
	})
	if err != nil {
		log.Error("stopped", "error", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// Build assembles the MCP server from a loaded configuration. Tests use it
// to get the exact server the binary runs.
func Build[X any](spec Spec[X], version string, cfg *config.Config[X], log *slog.Logger) (*mcp.Server, Deps[X], error) {
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
		Base:             base,
		Logger:           log,
	})
	deps := Deps[X]{
		Config:    cfg,
		HTTP:      hc,
		BaseURL:   baseURL,
		Sanitizer: sanitize.New(sanitize.Options{AllowedLinkHosts: cfg.AllowedLinkHosts}),
		Logger:    log,
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: spec.Binary, Title: spec.Title, Version: version}, &mcp.ServerOptions{
		Instructions: spec.Instructions,
		Logger:       log,
	})
	srv.AddReceivingMiddleware(
		telemetry.Middleware(spec.Name, log),
		ratelimit.New(cfg.RateLimit, cfg.RateBurst).Middleware(),
		timeout.Middleware(cfg.CallTimeout, log),
	)
	if err := spec.Register(srv, deps); err != nil {
		return nil, deps, err
	}
	return srv, deps, nil
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

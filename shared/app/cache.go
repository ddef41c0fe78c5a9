package app

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/telemetry"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Cache hints (MCP 2026-07-28: every list and resources/read result carries
// cacheScope and ttlMs).
const (
	// ListTTLMs: lists and fixed reference documents change only with a
	// new deployment.
	ListTTLMs = 5 * 60 * 1000
	// PrivateListTTLMs: a caller's own tool list (scopes) may be reused by
	// that caller's client for a minute.
	PrivateListTTLMs = 60 * 1000
)

// cacheHints decides cacheScope and ttlMs. Under auth every result is
// "private": the tool list depends on the caller's scopes and reads on the
// caller's region, and a shared cache must not hand a result fetched with
// one token to a request with another (or with none). Without auth the
// lists are the same for everyone: "public" for ListTTLMs. A resource read
// is live data (a record, or a policy document that shows how much quota
// is left), so it is "private" with ttl 0 unless its handler decided
// otherwise.
func cacheHints(_ context.Context, req mcp.Request, c *mcp.Cacheable) {
	_, isRead := req.(*mcp.ReadResourceRequest)
	if ex := req.GetExtra(); ex != nil && ex.TokenInfo != nil {
		c.CacheScope, c.TTLMs = "private", PrivateListTTLMs
		if isRead {
			c.TTLMs = 0
		}
		return
	}
	if isRead {
		if c.CacheScope == "" {
			c.CacheScope, c.TTLMs = "private", 0
		}
		return
	}
	c.CacheScope, c.TTLMs = "public", ListTTLMs
}

// capabilities advertises only what a server uses: no logging (the
// servers send no log messages; the feature is deprecated in 2026-07-28),
// and no listChanged (tool, prompt and resource lists are fixed once a
// server starts, so those notifications are never sent).
//
// It also keeps the serverInfo that MCP 2026-07-28 repeats in every
// result's _meta to name, title and version: the icons stay in
// initialize and server/discover, not in every tool result.
func capabilities(impl *mcp.Implementation) mcp.Middleware {
	compact := &mcp.Implementation{Name: impl.Name, Title: impl.Title, Version: impl.Version}
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			var caps *mcp.ServerCapabilities
			switch r := res.(type) {
			case *mcp.InitializeResult:
				caps = r.Capabilities
			case *mcp.DiscoverResult:
				caps = r.Capabilities
			default:
				if err == nil && res != nil && !reflect.ValueOf(res).IsNil() && newProtocol(req) {
					m := res.GetMeta()
					if m == nil {
						m = map[string]any{}
					}
					if _, ok := m[mcp.MetaKeyServerInfo]; !ok {
						m[mcp.MetaKeyServerInfo] = compact
						res.SetMeta(m)
					}
				}
			}
			if caps != nil {
				caps.Logging = nil
				if caps.Tools != nil {
					caps.Tools.ListChanged = false
				}
				if caps.Prompts != nil {
					caps.Prompts.ListChanged = false
				}
				if caps.Resources != nil {
					caps.Resources.ListChanged = false
				}
			}
			return res, err
		}
	}
}

// startTracing sets up OpenTelemetry tracing from the OTEL_* variables in
// environ (off unless an exporter or endpoint is configured); the returned
// function flushes pending spans.
func startTracing(ctx context.Context, binary, version string, environ []string) (func(), error) {
	tc, err := telemetry.TracingFromEnv(otelEnv(environ))
	if err != nil {
		return nil, err
	}
	shutdown, err := telemetry.SetupTracing(ctx, tc, binary, version)
	if err != nil {
		return nil, err
	}
	return func() {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		shutdown(c)
	}, nil
}

// auditOptions is the audit sink configuration: MCP_AUDIT_LOG with its
// rotation, and with MCP_AUDIT_OTLP the OTLP logs exporter from the
// OTEL_EXPORTER_OTLP_* variables in environ.
func auditOptions[X any](cfg *config.Config[X], version string, environ []string, log *slog.Logger) (audit.Options, error) {
	o := audit.Options{Sink: cfg.AuditLog, MaxBytes: cfg.AuditMaxBytes, MaxAge: cfg.AuditMaxAge, MaxFiles: cfg.AuditMaxFiles, Version: version, Logger: log}
	if !cfg.AuditOTLP {
		return o, nil
	}
	oc, err := telemetry.OTLPFromEnv(otelEnv(environ), "LOGS")
	if err != nil {
		return o, fmt.Errorf("MCP_AUDIT_OTLP: %w", err)
	}
	o.OTLP = &oc
	return o, nil
}

// otelEnv looks up OTEL_* variables in environ.
func otelEnv(environ []string) func(string) string {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "OTEL_") {
			env[k] = v
		}
	}
	return func(k string) string { return env[k] }
}

// newProtocol reports whether req follows MCP 2026-07-28 or later (it
// carries its protocol version in _meta).
func newProtocol(req mcp.Request) bool {
	p := req.GetParams()
	if p == nil || reflect.ValueOf(p).IsNil() {
		return false
	}
	_, ok := p.GetMeta()[mcp.MetaKeyProtocolVersion]
	return ok
}

package app

import (
	"context"
	"strings"
	"time"

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
// lists and the fixed documents in static are the same for everyone:
// "public" for ListTTLMs. Reads of backend records (templated resources)
// are live data: "private", ttl 0.
func cacheHints(static map[string]bool) func(context.Context, mcp.Request, *mcp.Cacheable) {
	return func(_ context.Context, req mcp.Request, c *mcp.Cacheable) {
		read, isRead := req.(*mcp.ReadResourceRequest)
		if ex := req.GetExtra(); ex != nil && ex.TokenInfo != nil {
			c.CacheScope, c.TTLMs = "private", PrivateListTTLMs
			if isRead {
				c.TTLMs = 0
			}
			return
		}
		if isRead && (read.Params == nil || !static[read.Params.URI]) {
			c.CacheScope, c.TTLMs = "private", 0
			return
		}
		c.CacheScope, c.TTLMs = "public", ListTTLMs
	}
}

// capabilities advertises only what a server uses: no logging (the
// servers send no log messages; the feature is deprecated in 2026-07-28),
// and no listChanged (tool, prompt and resource lists are fixed once a
// server starts, so those notifications are never sent).
func capabilities() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			var caps *mcp.ServerCapabilities
			switch r := res.(type) {
			case *mcp.InitializeResult:
				caps = r.Capabilities
			case *mcp.DiscoverResult:
				caps = r.Capabilities
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

// staticResources lists the fixed (non-template) resources of srv.
func staticResources(srv *mcp.Server) (map[string]bool, error) {
	out := map[string]bool{}
	err := withSelf(srv, func(ctx context.Context, cs *mcp.ClientSession) error {
		if cs.InitializeResult().Capabilities.Resources == nil {
			return nil
		}
		for r, err := range cs.Resources(ctx, nil) {
			if err != nil {
				return err
			}
			out[r.URI] = true
		}
		return nil
	})
	return out, err
}

// withSelf runs f with an in-memory client session on srv.
func withSelf(srv *mcp.Server, f func(context.Context, *mcp.ClientSession) error) error {
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		return err
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "self", Version: "0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		return err
	}
	defer cs.Close()
	return f(ctx, cs)
}

// startTracing sets up OpenTelemetry tracing from the OTEL_* variables in
// environ (off unless an exporter or endpoint is configured); the returned
// function flushes pending spans.
func startTracing(ctx context.Context, binary, version string, environ []string) (func(), error) {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "OTEL_") {
			env[k] = v
		}
	}
	tc, err := telemetry.TracingFromEnv(func(k string) string { return env[k] })
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

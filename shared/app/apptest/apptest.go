// Package apptest builds, for tests, the exact MCP server a binary runs
// (configuration loaded from args and environment as the binary loads it,
// assembled by app.Build) and connects in-memory clients to it.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Config loads spec's configuration from args and env (and nothing from
// the process environment), failing the test on an error.
func Config[X any, P port.Pinger](t testing.TB, spec app.Spec[X, P], args []string, env ...string) *config.Config[X] {
	t.Helper()
	cfg, err := config.Load[X](config.Spec{Binary: spec.Binary, Prefix: spec.Prefix}, args, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Build assembles the server with args and env, logs discarded. The audit
// trail is written to auditTo, or discarded when it is nil.
func Build[X any, P port.Pinger](t testing.TB, spec app.Spec[X, P], auditTo io.Writer, args []string, env ...string) (*mcp.Server, app.Deps[X]) {
	t.Helper()
	if auditTo == nil {
		auditTo = io.Discard
	}
	cfg := Config(t, spec, args, env...)
	srv, deps, err := app.BuildFromEnv(context.Background(), spec, "test", cfg, slog.New(slog.DiscardHandler), audit.New(spec.Binary, auditTo), envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	// The server's tool list for the access policy comes from
	// mcpkit.AddTool's record (no client session at start): a tool
	// registered another way would escape the policy.
	listed, err := mcptest.Connect(t, srv).ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range listed.Tools {
		if deps.Tools.ScopeOf(tool.Name) == "" {
			t.Fatalf("tool %s was not registered with mcpkit.AddTool: the access policy does not know it", tool.Name)
		}
	}
	return srv, deps
}

// Server is Build with an in-memory client connected to the server; the
// session is closed when the test ends.
func Server[X any, P port.Pinger](t testing.TB, spec app.Spec[X, P], auditTo io.Writer, args []string, env ...string) (*mcp.ClientSession, *mcp.Server, app.Deps[X]) {
	t.Helper()
	srv, deps := Build(t, spec, auditTo, args, env...)
	return mcptest.Connect(t, srv), srv, deps
}

// Session builds the server with args and env, audit trail discarded, and
// returns a connected in-memory client session.
func Session[X any, P port.Pinger](t testing.TB, spec app.Spec[X, P], args []string, env ...string) *mcp.ClientSession {
	t.Helper()
	cs, _, _ := Server(t, spec, nil, args, env...)
	return cs
}

func envMap(environ []string) map[string]string {
	m := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

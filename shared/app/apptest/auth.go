package apptest

import (
	"context"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/auth/authtest"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/bizmcp/bizmcp/shared/transport"
)

// AuthHTTP builds spec's server with args and env and serves it over
// streamable HTTP in process (an httptest server, closed when the test
// ends) with OAuth on: tokens of a new authtest issuer, for the protected
// resource URL resource. env comes after the auth settings; the audit
// trail goes to auditTo, or is discarded when it is nil.
func AuthHTTP[X any, P port.Pinger](t testing.TB, spec app.Spec[X, P], auditTo io.Writer, resource string, args []string, env ...string) (*authtest.Issuer, *httptest.Server) {
	t.Helper()
	is := authtest.New(t)
	env = append([]string{"MCP_TRANSPORT=http", "MCP_ADDR=127.0.0.1:0", "MCP_AUTH_ISSUER=" + is.URL, "MCP_RESOURCE_URL=" + resource}, env...)
	srv, deps := Build(t, spec, auditTo, args, env...)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	opts, err := app.HTTPOptions(ctx, spec, deps)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(transport.Handler(srv, opts))
	t.Cleanup(ts.Close)
	return is, ts
}

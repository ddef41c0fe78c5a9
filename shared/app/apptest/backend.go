package apptest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/port"
)

// OwnBackend starts a fresh in-process mock-backends (with opts) for one
// test, so that its stats and writes are the test's own, and returns it
// with a copy of spec whose --demo backend is that server: reached through
// mocks.Transport, wrapped by wrap when it is not nil, at baseURL.
func OwnBackend[X any, P port.Pinger](t testing.TB, spec app.Spec[X, P], opts mocks.Options, baseURL string, wrap func(http.RoundTripper) http.RoundTripper) (app.Spec[X, P], *mocks.Server) {
	t.Helper()
	ms, err := mocks.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	reference := spec.Backends[0]
	spec.Demo = func(env app.BackendEnv) (P, error) {
		rt := mocks.Transport(ms)
		if wrap != nil {
			rt = wrap(rt)
		}
		return reference.Open(context.Background(), env.On(rt, baseURL))
	}
	return spec, ms
}

// APIClient builds a backend API client with newClient (a package's New)
// for baseURL over rt, through a backend.NewHTTPClient named name that
// retries twice with millisecond waits, failing the test on an error.
func APIClient[C any](t testing.TB, newClient func(string, *http.Client) (C, error), name, baseURL string, rt http.RoundTripper) C {
	t.Helper()
	c, err := newClient(baseURL, backend.NewHTTPClient(backend.Options{Name: name, MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond, Base: rt}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

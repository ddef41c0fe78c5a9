package app

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/bizmcp/bizmcp/shared/demo"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Reference is the "reference" backend of a server: its reference HTTP API
// (documented in mocks/README.md and served by mock-backends), reached at
// <DOMAIN>_API_URL with <DOMAIN>_API_TOKEN through the shared HTTP client.
// newClient builds the adapter from the base URL and that client.
func Reference[P port.Pinger](domain, prefix string, newClient func(baseURL string, hc *http.Client) (P, error)) Backend[P] {
	return Backend[P]{
		Name:    "reference",
		Summary: "the bizmcp reference HTTP API for " + domain + " (mocks/README.md; served by mock-backends)",
		Settings: []Setting{
			{Env: prefix + "API_URL", Meaning: "the API's base URL (required unless --demo), e.g. http://127.0.0.1:9000/" + domain},
			{Env: prefix + "API_TOKEN", Meaning: "bearer token the API expects (never logged)"},
			{Env: prefix + "API_TIMEOUT, _API_MAX_RETRIES, _API_RATE_LIMIT, _API_RATE_BURST, _API_MAX_RESPONSE_BYTES, _API_BREAKER_FAILURES, _API_BREAKER_OPEN", Meaning: "the HTTP client's backstop timeout, retries, outbound rate, size cap and circuit breaker (see README)"},
		},
		Open: func(_ context.Context, env BackendEnv) (P, error) {
			return newClient(env.API.URL, env.HTTPClient(env.API.Token.Reveal()))
		},
	}
}

// DemoOf returns a Spec.Demo that serves b (normally the reference backend)
// from a fresh in-process instance of the mock domain newDomain returns.
// Only that domain's mock is linked into the binary.
func DemoOf[P port.Pinger](b Backend[P], newDomain func() demo.Domain) func(BackendEnv) (P, error) {
	return DemoWrapped(b, newDomain, nil)
}

// DemoWrapped is DemoOf with the in-process transport wrapped by wrap
// (tests count or drop backend requests); nil wrap = none.
//
// The mock domain and its sample data are built on the first backend
// request, not at start: --demo answers initialize and tools/list without
// them.
func DemoWrapped[P port.Pinger](b Backend[P], newDomain func() demo.Domain, wrap func(http.RoundTripper) http.RoundTripper) func(BackendEnv) (P, error) {
	return func(env BackendEnv) (P, error) {
		build := sync.OnceValue(func() http.RoundTripper {
			d := newDomain()
			rt, base := demo.Backend(d)
			if want := demo.BaseHost + "/" + env.Domain; base != want {
				// The base URL was handed out before the domain existed.
				return failRT(fmt.Errorf("demo backend: mock domain %q serves %s, not %s", d.Name(), base, want))
			}
			if wrap != nil {
				rt = wrap(rt)
			}
			return rt
		})
		lazy := roundTripFunc(func(r *http.Request) (*http.Response, error) { return build().RoundTrip(r) })
		return b.Open(context.Background(), env.On(lazy, demo.BaseHost+"/"+env.Domain))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func failRT(err error) http.RoundTripper {
	return roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, err })
}

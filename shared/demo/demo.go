// Package demo provides the in-process backend behind every server's --demo
// flag: one domain's mock handler with its sample data, reached through a
// RoundTripper instead of the network. It takes the handler, so a server
// binary links only its own domain's mock (not the other domains, nor the
// fault injector of mock-backends).
package demo

import (
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/bizmcp/bizmcp/mocks/inproc"
)

// BaseHost is the fake host demo backend URLs use; nothing resolves it.
const BaseHost = "http://mock-backends.demo"

// Domain is what a mock domain offers (mocks/<name>.NewDomain()).
type Domain interface {
	Name() string
	Handler() http.Handler
}

// Backend returns a transport to d's handler, in process, and the base URL
// of its API ("crm" -> http://mock-backends.demo/crm). Pass a new domain
// each time: two servers built in one process (tests) then never see each
// other's writes. Responses carry X-Request-Id as mock-backends' do.
func Backend(d Domain) (http.RoundTripper, string) {
	prefix := "/" + d.Name()
	h := d.Handler()
	var seq atomic.Uint64
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", http.StripPrefix(prefix, h))
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", fmt.Sprintf("demo-%06d", seq.Add(1)))
		mux.ServeHTTP(w, r)
	})
	return inproc.Transport(wrapped), BaseHost + prefix
}

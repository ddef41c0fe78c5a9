// Package demo provides the in-process backend behind every server's --demo
// flag: the mock-backends handler with its sample data, reached through a
// RoundTripper instead of the network.
package demo

import (
	"net/http"
	"sync"

	"github.com/bizmcp/bizmcp/mocks"
)

// BaseHost is the fake host demo backend URLs use; nothing resolves it.
const BaseHost = "http://mock-backends.demo"

var (
	once sync.Once
	rt   http.RoundTripper
	err  error
)

// Backend returns the transport to the in-process mock backends and the base
// URL of domain's API ("crm" -> http://mock-backends.demo/crm).
func Backend(domain string) (http.RoundTripper, string, error) {
	once.Do(func() {
		var h http.Handler
		h, err = mocks.New(mocks.Options{})
		if err == nil {
			rt = mocks.Transport(h)
		}
	})
	return rt, BaseHost + "/" + domain, err
}

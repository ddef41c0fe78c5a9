// Package demo provides the in-process backend behind every server's --demo
// flag: the mock-backends handler with its sample data, reached through a
// RoundTripper instead of the network.
package demo

import (
	"net/http"

	"github.com/bizmcp/bizmcp/mocks"
)

// BaseHost is the fake host demo backend URLs use; nothing resolves it.
const BaseHost = "http://mock-backends.demo"

// Backend returns a transport to a new in-process mock backend, holding its
// own copy of the sample data, and the base URL of domain's API ("crm" ->
// http://mock-backends.demo/crm). Each call starts from the sample data, so
// two servers built in one process (tests) never see each other's writes.
func Backend(domain string) (http.RoundTripper, string, error) {
	h, err := mocks.New(mocks.Options{})
	if err != nil {
		return nil, "", err
	}
	return mocks.Transport(h), BaseHost + "/" + domain, nil
}

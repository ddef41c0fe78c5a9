// Package apitest holds the test helpers shared by the mock backend domains'
// HTTP tests: a loopback server for a domain handler and decoding of JSON
// answers and error envelopes.
package apitest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Serve serves h over a real loopback server (closed at the end of the
// test) and returns a function that sends a request with body ("" = none)
// and header name/value pairs and returns the status, header and body of the
// answer. It fails t when an answer has no X-Request-Id or, with wantJSON,
// a Content-Type other than application/json.
func Serve(t testing.TB, h http.Handler, wantJSON bool) func(method, path, body string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return func(method, path, body string, hdr ...string) (int, http.Header, []byte) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, srv.URL+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if ct := res.Header.Get("Content-Type"); wantJSON && !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
		if res.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s: no X-Request-Id", method, path)
		}
		return res.StatusCode, res.Header, b
	}
}

// Decode unmarshals the JSON body into v, failing t when it cannot.
func Decode(t testing.TB, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
}

// ErrCode returns the code of the error envelope in body
// ({"error":{"code":...,"message":...}}), failing t when the message is
// empty.
func ErrCode(t testing.TB, body []byte) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	Decode(t, body, &e)
	if e.Error.Message == "" {
		t.Errorf("error without message: %s", body)
	}
	return e.Error.Code
}

package backend

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestReadBodyDeclaredAndChunked: a body with a declared length is read
// whole (one allocation), a chunked one too, and a body shorter than its
// declared length is an error, not a truncated record.
func TestReadBodyDeclaredAndChunked(t *testing.T) {
	big := `{"v":"` + strings.Repeat("x", 100_000) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/declared":
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			w.Write([]byte(big))
		case "/chunked":
			w.Write([]byte(big[:10]))
			w.(http.Flusher).Flush()
			w.Write([]byte(big[10:]))
		case "/short":
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			w.Write([]byte(big[:1000]))
		}
	}))
	defer srv.Close()
	c, err := NewJSON(srv.URL, NewHTTPClient(Options{Name: "test", MaxRetries: -1}))
	if err != nil {
		t.Fatal(err)
	}
	type rec struct{ V string }
	for _, path := range []string{"/declared", "/chunked"} {
		got, err := GetJSON[rec](context.Background(), c, path, nil)
		if err != nil || len(got.V) != 100_000 {
			t.Errorf("%s: %d bytes, %v", path, len(got.V), err)
		}
	}
	if got, err := GetJSON[rec](context.Background(), c, "/short", nil); err == nil {
		t.Errorf("/short: no error, %d bytes", len(got.V))
	}
}

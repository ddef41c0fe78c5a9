package mocks

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks/inproc"
)

// TestWriteCountedBeforeResponse: a client that has read a whole response
// with a declared length finds the write counted, even while the handler
// has not returned yet (the race a test asserting a write count right
// after a call ran into).
func TestWriteCountedBeforeResponse(t *testing.T) {
	r := newStatsRecorder()
	release := make(chan struct{})
	defer close(release)
	h := r.countWrites("orders", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Length", "2")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "{}")
		w.(http.Flusher).Flush()
		<-release // still running when the client has its answer
	}))
	c := &http.Client{Transport: inproc.Transport(h)}
	resp, err := c.Post("http://mock/orders/ORD-1/cancel", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, b); err != nil {
		t.Fatal(err)
	}
	s := r.snapshot()
	if got := s.Writes["POST /orders/orders/ORD-1/cancel"]; got != 1 {
		t.Errorf("writes counted once the response was read = %d, want 1 (stats %+v)", got, s)
	}
}

// TestWriteCountRejectedAndAborted: a rejected write counts as rejected, a
// handler that aborts before answering is not counted, one that returns
// without writing counts as a 200.
func TestWriteCountRejectedAndAborted(t *testing.T) {
	r := newStatsRecorder()
	serve := func(h http.HandlerFunc) {
		t.Helper()
		c := &http.Client{Transport: inproc.Transport(r.countWrites("orders", h))}
		resp, err := c.Post("http://mock/x", "application/json", strings.NewReader("{}"))
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	serve(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusConflict) })
	serve(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	serve(func(http.ResponseWriter, *http.Request) {})
	d := r.snapshot().Domains["orders"]
	if d.RejectedWrites != 1 || d.Writes != 1 {
		t.Errorf("domain stats %+v, want 1 rejected and 1 write", d)
	}
}

package mocks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/mocks/crm"
)

func inProcClient(t *testing.T, opts Options) (*Server, *http.Client, chan struct{}) {
	t.Helper()
	fired := make(chan struct{}, 4)
	opts.Logger = slog.New(signalHandler{fired})
	s, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, &http.Client{Transport: Transport(s)}, fired
}

const base = "http://mock-backends.invalid"

func TestTransportBasics(t *testing.T) {
	_, c, _ := inProcClient(t, Options{})
	res, err := c.Get(base + "/crm/customers/" + crm.SampleLargestID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || len(b) <= 30_000 || res.ContentLength != int64(len(b)) ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || res.Header.Get("X-Request-Id") == "" || res.Proto != "HTTP/1.1" {
		t.Fatalf("%d len=%d cl=%d %v %v", res.StatusCode, len(b), res.ContentLength, res.Header, err)
	}

	post := func() *http.Response {
		req, _ := http.NewRequest("POST", base+"/crm/customers/C-1001/notes", strings.NewReader(`{"body":"via transport"}`))
		req.Header.Set("Idempotency-Key", "t-1")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	if r := post(); r.StatusCode != 201 {
		t.Errorf("create: %d", r.StatusCode)
	}
	if r := post(); r.StatusCode != 200 || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: %d %v", r.StatusCode, r.Header)
	}

	req, _ := http.NewRequest("HEAD", base+"/crm/health", nil)
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	if res.StatusCode != 200 || len(b) != 0 {
		t.Errorf("HEAD: %d %q", res.StatusCode, b)
	}
}

func TestTransportCopiesBodies(t *testing.T) {
	reqBody := []byte(`{"msg":"original"}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, _ := io.ReadAll(r.Body)
		buf := append([]byte(nil), in...)
		w.Header().Set("Content-Type", "application/json")
		w.Write(buf)
		copy(buf, bytes.Repeat([]byte("X"), len(buf))) // must not reach the client
	})
	c := &http.Client{Transport: Transport(h)}
	res, err := c.Post(base+"/echo", "application/json", bytes.NewReader(reqBody))
	if err != nil {
		t.Fatal(err)
	}
	copy(reqBody, "CHANGED") // after the round trip: must not matter either
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != `{"msg":"original"}` {
		t.Fatalf("body = %q", b)
	}
}

func TestTransportContextBeforeHeaders(t *testing.T) {
	// hang: RoundTrip blocks until the context ends.
	_, c, fired := inProcClient(t, Options{Faults: "*=hang"})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/crm/health", nil)
		_, err := c.Do(req)
		errc <- err
	}()
	<-fired
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("hang: err = %v", err)
	}

	// latency longer than the deadline.
	_, c, _ = inProcClient(t, Options{Faults: "*=latency:1h"})
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/crm/health", nil)
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("latency: err = %v", err)
	}

	// already cancelled
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", base+"/crm/health", nil)
	if _, err := c.Do(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("pre-cancelled: err = %v", err)
	}
}

func TestTransportContextDuringBody(t *testing.T) {
	_, c, _ := inProcClient(t, Options{Faults: "*=slowbody:1h"})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/crm/customers/C-1001", nil)
	res, err := c.Do(req) // slowbody sends the headers at once
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	cancel()
	if _, err := io.ReadAll(res.Body); !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %v", err)
	}
}

func TestTransportReset(t *testing.T) {
	s, c, _ := inProcClient(t, Options{Faults: "GET *=reset; POST *=reset-after"})
	_, err := c.Get(base + "/crm/health")
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("reset: err = %v", err)
	}
	_, err = c.Post(base+"/crm/customers/C-1002/notes", "application/json", strings.NewReader(`{"body":"lost answer"}`))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("reset-after: err = %v", err)
	}
	if w := s.Stats().Domains["crm"].Writes; w != 1 {
		t.Errorf("writes = %d, want 1 (reset-after commits)", w)
	}

	// Any handler panic looks like a dropped connection.
	pc := &http.Client{Transport: Transport(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))}
	if _, err := pc.Get(base + "/x"); !errors.Is(err, syscall.ECONNRESET) || !strings.Contains(err.Error(), "boom") {
		t.Errorf("panic: err = %v", err)
	}
	// A panic after the headers fails the body read.
	mid := &http.Client{Transport: Transport(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("partial"))
		panic(http.ErrAbortHandler)
	}))}
	res, err := mid.Get(base + "/x")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	if string(b) != "partial" || !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("mid-body abort: %q %v", b, err)
	}
}

func TestTransportEarlyClose(t *testing.T) {
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		chunk := bytes.Repeat([]byte("a"), 4096)
		for {
			if _, err := w.Write(chunk); err != nil {
				done <- err
				return
			}
		}
	})
	c := &http.Client{Transport: Transport(h)}
	res, err := c.Get(base + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadFull(res.Body, make([]byte, 10000))
	res.Body.Close()
	if err := <-done; err == nil {
		t.Fatal("handler write should fail once the body is closed")
	}
}

func TestTransportOversize(t *testing.T) {
	_, c, _ := inProcClient(t, Options{Faults: "*=oversize:3MB"})
	res, err := c.Get(base + "/crm/customers/search")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || n != 3<<20 || res.ContentLength != 3<<20 {
		t.Fatalf("read %d (cl %d): %v", n, res.ContentLength, err)
	}
}

package backend

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

const base = "http://backend.test/api"

func newClient(t *testing.T, mt *httpmock.MockTransport, mod func(*Options)) *JSON {
	t.Helper()
	o := Options{Name: "test", MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, Base: mt, Token: "backend-secret"}
	if mod != nil {
		mod(&o)
	}
	j, err := NewJSON(base, NewHTTPClient(o))
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func status(code int, headers ...string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(code, `{"error":{"code":"x","message":"backend says `+http.StatusText(code)+`"}}`)
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		r.Header.Set("X-Request-Id", "req-7")
		return r, nil
	}
}

var ok = httpmock.NewStringResponder(200, `{"v":1}`)

func TestRetriesThenSucceeds(t *testing.T) {
	for _, code := range []int{500, 502, 503, 429} {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("GET", base+"/x", status(code).Then(status(code)).Then(ok))
		var out struct{ V int }
		if _, err := newClient(t, mt, nil).Get(context.Background(), "/x", nil, &out); err != nil || out.V != 1 {
			t.Fatalf("%d: err=%v out=%v", code, err, out)
		}
		if n := mt.GetTotalCallCount(); n != 3 {
			t.Errorf("%d: %d calls, want 3", code, n)
		}
	}
}

func TestFinalStatusReachesCaller(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/x", status(503))
	_, err := newClient(t, mt, nil).Get(context.Background(), "/x", nil, nil)
	be, isBE := AsError(err)
	if !isBE || be.Kind != KindUnavailable || be.Status != 503 || be.RequestID != "req-7" || !strings.Contains(be.Message, "Service Unavailable") {
		t.Fatalf("got %#v", err)
	}
	if strings.Contains(err.Error(), "giving up") {
		t.Errorf("bare giving-up error: %v", err)
	}
	if n := mt.GetTotalCallCount(); n != 4 {
		t.Errorf("%d calls, want 1 + 3 retries", n)
	}
}

func TestNoRetryOn4xx(t *testing.T) {
	for code, kind := range map[int]Kind{404: KindNotFound, 400: KindBadRequest, 409: KindConflict, 401: KindUnauthorized} {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("GET", base+"/x", status(code))
		_, err := newClient(t, mt, nil).Get(context.Background(), "/x", nil, nil)
		if be, _ := AsError(err); be == nil || be.Kind != kind {
			t.Errorf("%d: got %v, want %s", code, err, kind)
		}
		if n := mt.GetTotalCallCount(); n != 1 {
			t.Errorf("%d: %d calls", code, n)
		}
	}
}

func TestWritesRetriedOnlyWithIdempotencyKey(t *testing.T) {
	for _, tc := range []struct {
		method, key string
		calls       int
	}{
		{"POST", "", 1},
		{"PATCH", "", 1},
		{"POST", "k-1", 2},
		{"PATCH", "k-1", 2},
	} {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder(tc.method, base+"/w", func(r *http.Request) (*http.Response, error) {
			if got := r.Header.Get("Idempotency-Key"); got != tc.key {
				t.Errorf("Idempotency-Key %q, want %q", got, tc.key)
			}
			return nil, errors.New("connection reset by peer")
		})
		_, err := newClient(t, mt, func(o *Options) { o.MaxRetries = 1 }).Do(context.Background(), tc.method, "/w", nil, tc.key, map[string]string{"a": "b"}, nil)
		if be, _ := AsError(err); be == nil || be.Kind != KindUnreachable {
			t.Errorf("%s key=%q: got %v", tc.method, tc.key, err)
		}
		if n := mt.GetTotalCallCount(); n != tc.calls {
			t.Errorf("%s key=%q: %d calls, want %d", tc.method, tc.key, n, tc.calls)
		}
	}
}

func TestRetryAfterHonouredWithinDeadline(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/x", status(429, "Retry-After", "1").Then(ok))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := newClient(t, mt, nil).Get(ctx, "/x", nil, nil); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < time.Second {
		t.Errorf("retried after %s, before Retry-After", el)
	}
}

func TestRetryAfterBeyondDeadlineReturnsAtOnce(t *testing.T) {
	for _, ra := range []string{"30", time.Now().Add(40 * time.Second).UTC().Format(http.TimeFormat)} {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("GET", base+"/x", status(429, "Retry-After", ra))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := newClient(t, mt, nil).Get(ctx, "/x", nil, nil)
		cancel()
		be, _ := AsError(err)
		if be == nil || be.Kind != KindRateLimited || be.RetryAfter < 25*time.Second {
			t.Fatalf("Retry-After %s: got %#v", ra, err)
		}
		if n := mt.GetTotalCallCount(); n != 1 {
			t.Errorf("Retry-After %s: %d calls, want 1 (the wait does not fit the deadline)", ra, n)
		}
	}
}

func TestResponseSizeCap(t *testing.T) {
	mt := httpmock.NewMockTransport()
	big := `{"v":"` + strings.Repeat("x", 5000) + `"}`
	mt.RegisterResponder("GET", base+"/big", httpmock.NewStringResponder(200, big))
	_, err := newClient(t, mt, func(o *Options) { o.MaxResponseBytes = 2048 }).Get(context.Background(), "/big", nil, nil)
	if be, _ := AsError(err); be == nil || be.Kind != KindTooLarge {
		t.Fatalf("got %v", err)
	}
	// Exactly at the limit is fine.
	mt.RegisterResponder("GET", base+"/exact", httpmock.NewStringResponder(200, big))
	if _, err := newClient(t, mt, func(o *Options) { o.MaxResponseBytes = int64(len(big)) }).Get(context.Background(), "/exact", nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestMalformedJSON(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/x", httpmock.NewStringResponder(200, `{"v":`))
	var out struct{ V int }
	_, err := newClient(t, mt, nil).Get(context.Background(), "/x", nil, &out)
	if be, _ := AsError(err); be == nil || be.Kind != KindMalformed {
		t.Fatalf("got %v", err)
	}
}

func TestDeadlineEndsHangingCall(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/hang", func(r *http.Request) (*http.Response, error) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := newClient(t, mt, nil).Get(ctx, "/hang", nil, nil)
	if be, _ := AsError(err); be == nil || be.Kind != KindTimeout {
		t.Fatalf("got %v", err)
	}
}

func TestCredentialAndHeaders(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/x", func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Authorization") != "Bearer backend-secret" || r.Header.Get("User-Agent") == "" {
			t.Errorf("headers: %v", r.Header)
		}
		return httpmock.NewStringResponse(200, `{}`), nil
	})
	if _, err := newClient(t, mt, nil).Get(context.Background(), "/x", nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestOutboundRateLimit(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/x", ok)
	// One token, refilled every 10 s: the second call cannot get one before
	// its deadline and fails fast instead of waiting.
	j := newClient(t, mt, func(o *Options) { o.RateLimit = 0.1; o.RateBurst = 1 })
	if _, err := j.Get(context.Background(), "/x", nil, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := j.Get(ctx, "/x", nil, nil)
	if be, _ := AsError(err); be == nil || be.Kind != KindRateLimited {
		t.Fatalf("got %v", err)
	}
	if n := mt.GetTotalCallCount(); n != 1 {
		t.Errorf("%d calls reached the backend, want 1", n)
	}
}

func TestRetryAfterParse(t *testing.T) {
	h := http.Header{}
	if _, ok := RetryAfter(h); ok {
		t.Error("empty header parsed")
	}
	h.Set("Retry-After", "7")
	if d, ok := RetryAfter(h); !ok || d != 7*time.Second {
		t.Errorf("seconds: %v %v", d, ok)
	}
	h.Set("Retry-After", "soon")
	if _, ok := RetryAfter(h); ok {
		t.Error("garbage parsed")
	}
}

func TestCircuitBreakerFailsFastAndProbesBack(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var up atomic.Bool
	mt.RegisterResponder("GET", base+"/x", switching(&up, httpmock.NewStringResponder(503, `{}`), httpmock.NewStringResponder(200, `{}`)))
	j := newClient(t, mt, func(o *Options) { o.MaxRetries = 0; o.BreakerFailures = 3; o.BreakerOpen = 200 * time.Millisecond })
	for range 3 {
		j.Get(context.Background(), "/x", nil, nil)
	}
	calls := mt.GetTotalCallCount()
	_, err := j.Get(context.Background(), "/x", nil, nil)
	if !errors.Is(err, ErrCircuitOpen) || mt.GetTotalCallCount() != calls {
		t.Fatalf("open circuit: %v, backend called %d more times", err, mt.GetTotalCallCount()-calls)
	}
	if be, _ := AsError(err); be == nil || be.Kind != KindUnavailable {
		t.Errorf("kind: %v", err)
	}
	up.Store(true)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := j.Get(context.Background(), "/x", nil, nil); err == nil {
			return // the half-open probe succeeded and closed the circuit
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("circuit never closed after the backend recovered")
}

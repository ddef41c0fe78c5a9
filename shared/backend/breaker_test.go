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

// One failed call (after all its retries) is one failure for the breaker:
// BreakerFailures calls, not attempts, open it.
func TestBreakerCountsCallsNotAttempts(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/x", status(503))
	j := newClient(t, mt, func(o *Options) { o.BreakerFailures = 3; o.BreakerOpen = time.Minute })
	for i := range 3 {
		_, err := j.Get(context.Background(), "/x", nil, nil)
		if errors.Is(err, ErrCircuitOpen) {
			t.Fatalf("call %d: circuit already open after %d failed calls (%d attempts)", i+1, i, mt.GetTotalCallCount())
		}
		if be, _ := AsError(err); be == nil || be.Status != 503 {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if n := mt.GetTotalCallCount(); n != 12 {
		t.Errorf("%d attempts, want 3 calls x 4 attempts", n)
	}
	if _, err := j.Get(context.Background(), "/x", nil, nil); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("after 3 failed calls: %v, want circuit open", err)
	}
}

// A caller's own deadline or cancellation is not the backend's fault.
func TestBreakerIgnoresCallerDeadlines(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var hang atomic.Bool
	hang.Store(true)
	mt.RegisterResponder("GET", base+"/x", func(r *http.Request) (*http.Response, error) {
		if hang.Load() {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
		return httpmock.NewStringResponse(200, `{}`), nil
	})
	j := newClient(t, mt, func(o *Options) { o.BreakerFailures = 1; o.BreakerOpen = time.Minute })
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err := j.Get(ctx, "/x", nil, nil)
		cancel()
		if be, _ := AsError(err); be == nil || be.Kind != KindTimeout {
			t.Fatalf("hanging call: %v, want timeout", err)
		}
		ctx, cancel = context.WithCancel(context.Background())
		cancel()
		j.Get(ctx, "/x", nil, nil)
	}
	hang.Store(false)
	if _, err := j.Get(context.Background(), "/x", nil, nil); err != nil {
		t.Fatalf("after caller deadlines: %v (the breaker counted them)", err)
	}
}

// A readiness probe goes once, past an open circuit and an empty outbound
// budget, and is not counted.
func TestProbeBypassesBudgetRetriesAndBreaker(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/x", status(503))
	mt.RegisterResponder("GET", base+"/health", httpmock.NewStringResponder(200, `{"status":"ok"}`))
	j := newClient(t, mt, func(o *Options) {
		o.BreakerFailures = 1
		o.BreakerOpen = time.Minute
		o.RateLimit = 0.001
		o.RateBurst = 4
	})
	j.Get(context.Background(), "/x", nil, nil) // spends the budget of 4 attempts and opens the circuit
	if _, err := j.Get(context.Background(), "/x", nil, nil); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("want the circuit open: %v", err)
	}
	before := mt.GetTotalCallCount()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := j.Get(Probe(ctx), "/health", nil, nil); err != nil {
		t.Fatalf("probe: %v", err)
	}
	_, err := j.Get(Probe(ctx), "/x", nil, nil)
	if be, _ := AsError(err); be == nil || be.Status != 503 {
		t.Fatalf("probe of a failing path: %v", err)
	}
	if n := mt.GetTotalCallCount() - before; n != 2 {
		t.Errorf("probes made %d attempts, want 2 (no retries)", n)
	}
}

// switching answers with good while *ok, else with bad.
func switching(ok *atomic.Bool, bad, good httpmock.Responder) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		if ok.Load() {
			return good(r)
		}
		return bad(r)
	}
}

func notFoundBody(body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		return httpmock.NewStringResponse(404, body), nil
	}
}

func TestWrongBaseURLIsMisconfiguredNotMissing(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/customers/C-1", notFoundBody("404 page not found\n"))
	mt.RegisterResponder("GET", base+"/customers/C-2", notFoundBody(`<html><body>Not Found</body></html>`))
	mt.RegisterResponder("GET", base+"/customers/C-3", notFoundBody(``))
	mt.RegisterResponder("GET", base+"/customers/C-4", notFoundBody(`{"error":{"code":"not_found","message":"customer not found"}}`))
	j := newClient(t, mt, func(o *Options) { o.Name = "crm" })
	for _, id := range []string{"C-1", "C-2", "C-3"} {
		_, err := j.Get(context.Background(), "/customers/"+id, nil, nil)
		be, _ := AsError(err)
		if be == nil || be.Kind != KindMisconfigured || !strings.Contains(err.Error(), "CRM_API_URL") {
			t.Errorf("%s: %v, want misconfigured naming CRM_API_URL", id, err)
		}
	}
	// Once the base URL looks wrong, even a JSON 404 is not trusted as
	// "no such record" until a probe succeeds.
	if _, err := j.Get(context.Background(), "/customers/C-4", nil, nil); !strings.Contains(fmtErr(err), "misconfigured") {
		t.Errorf("JSON 404 after non-API 404s: %v", err)
	}
	// The API's own 404 is a missing record.
	j2 := newClient(t, mt, nil)
	for range 2 {
		_, err := j2.Get(context.Background(), "/customers/C-4", nil, nil)
		if be, _ := AsError(err); be == nil || be.Kind != KindNotFound {
			t.Errorf("API 404: %v, want not_found", err)
		}
	}
}

// A base URL without its path prefix often reaches a server that answers
// JSON 404s for everything (the mock's root): the readiness probe's 404
// marks the client misconfigured, its later 404s say so, and a probe that
// succeeds clears it.
func TestProbe404MarksMisconfigured(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var healthy atomic.Bool
	mt.RegisterResponder("GET", base+"/health", switching(&healthy,
		notFoundBody(`{"error":{"code":"not_found","message":"no domain serves /health"}}`), httpmock.NewStringResponder(200, `{}`)))
	mt.RegisterResponder("GET", base+"/customers/C-1", notFoundBody(`{"error":{"code":"not_found","message":"no domain serves /customers/C-1"}}`))
	j := newClient(t, mt, func(o *Options) { o.Name = "crm" })
	_, err := j.Get(Probe(context.Background()), "/health", nil, nil)
	if be, _ := AsError(err); be == nil || be.Kind != KindMisconfigured {
		t.Fatalf("probe: %v", err)
	}
	if _, err := j.Get(context.Background(), "/customers/C-1", nil, nil); !strings.Contains(fmtErr(err), "misconfigured") {
		t.Errorf("call after a failed probe: %v", err)
	}
	healthy.Store(true)
	if _, err := j.Get(Probe(context.Background()), "/health", nil, nil); err != nil {
		t.Fatal(err)
	}
	_, err = j.Get(context.Background(), "/customers/C-1", nil, nil)
	if be, _ := AsError(err); be == nil || be.Kind != KindNotFound {
		t.Errorf("after a good probe: %v, want not_found", err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

package backend

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/sony/gobreaker/v2"
)

// ErrCircuitOpen is returned, without calling the backend, while the
// circuit is open.
var ErrCircuitOpen = errors.New("circuit open: the backend has been failing; not calling it until a probe succeeds")

// breakerRT sits outside the retries: it sees one outcome per call, so a
// call that failed after all its retries is one failure, not one per
// attempt.
type breakerRT struct {
	cb   *gobreaker.CircuitBreaker[*http.Response]
	next http.RoundTripper
}

// serverError carries a 5xx response through the breaker as a failure.
type serverError struct{ resp *http.Response }

func (e *serverError) Error() string { return fmt.Sprintf("backend status %d", e.resp.StatusCode) }

// notBackendsFault carries an error the breaker must not count: the
// caller's own deadline or cancellation, the outbound budget, a response
// over the size cap.
type notBackendsFault struct{ err error }

func (e *notBackendsFault) Error() string { return e.err.Error() }
func (e *notBackendsFault) Unwrap() error { return e.err }

func newBreakerRT(o Options, next http.RoundTripper) http.RoundTripper {
	failures := o.BreakerFailures
	if failures <= 0 {
		failures = 5
	}
	open := o.BreakerOpen
	if open <= 0 {
		open = 10 * time.Second
	}
	state := metrics.GetOrCreateGauge(fmt.Sprintf(`bizmcp_backend_circuit_open{backend=%q}`, o.Name), nil)
	cb := gobreaker.NewCircuitBreaker[*http.Response](gobreaker.Settings{
		Name:        o.Name,
		MaxRequests: 1,
		Timeout:     open,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(failures) },
		IsExcluded: func(err error) bool {
			var nf *notBackendsFault
			return errors.As(err, &nf)
		},
		OnStateChange: func(name string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				state.Set(1)
			} else {
				state.Set(0)
			}
			if o.Logger != nil {
				o.Logger.Warn("backend circuit", "backend", name, "from", from.String(), "to", to.String())
			}
		},
	})
	return &breakerRT{cb: cb, next: next}
}

func (b *breakerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.cb.Execute(func() (*http.Response, error) {
		resp, err := b.next.RoundTrip(r)
		switch {
		case err != nil && notFault(r.Context(), err):
			return nil, &notBackendsFault{err}
		case err == nil && resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
			return nil, &serverError{resp}
		}
		return resp, err
	})
	var se *serverError
	var nf *notBackendsFault
	switch {
	case errors.As(err, &se):
		return se.resp, nil
	case errors.As(err, &nf):
		return nil, nf.err
	case errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests):
		return nil, ErrCircuitOpen
	}
	return resp, err
}

// notFault reports whether err is the caller's doing or a local limit
// rather than a sign that the backend is down: the request's own context
// ended (deadline or cancellation), the outbound budget had no room, or the
// response was over the size cap.
func notFault(ctx context.Context, err error) bool {
	var rl *RateLimitedError
	return ctx.Err() != nil ||
		errors.Is(err, context.Canceled) ||
		errors.As(err, &rl) ||
		errors.Is(err, ErrResponseTooLarge)
}

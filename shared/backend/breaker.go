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

type breakerRT struct {
	cb   *gobreaker.CircuitBreaker[*http.Response]
	next http.RoundTripper
	open time.Duration
}

// serverError carries a 5xx response through the breaker as a failure.
type serverError struct{ resp *http.Response }

func (e *serverError) Error() string { return fmt.Sprintf("backend status %d", e.resp.StatusCode) }

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
		// A caller that gave up is not the backend's fault.
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
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
	return &breakerRT{cb: cb, next: next, open: open}
}

func (b *breakerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.cb.Execute(func() (*http.Response, error) {
		resp, err := b.next.RoundTrip(r)
		if err == nil && resp.StatusCode >= 500 {
			return nil, &serverError{resp}
		}
		return resp, err
	})
	var se *serverError
	switch {
	case errors.As(err, &se):
		return se.resp, nil
	case errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests):
		return nil, ErrCircuitOpen
	}
	return resp, err
}

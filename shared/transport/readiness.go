package transport

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/shared/backend"
)

// Readiness answers /readyz from a cached result: the check (a plain
// func(ctx) error, whatever it asks) runs at most once per TTL, one run at a
// time however many callers wait for it (singleflight), on its own
// context (a caller that goes away does not fail it), bounded by Timeout.
// Failures are logged in full when the state changes; callers see only a
// short reason code.
type Readiness struct {
	check   func(context.Context) error
	ttl     time.Duration
	timeout time.Duration
	log     *slog.Logger
	now     func() time.Time

	mu      sync.Mutex
	at      time.Time // when the cached result was taken; zero = none
	err     error
	running chan struct{} // closed when the run in progress ends
	logged  string        // last state logged ("" = none yet)
}

// NewReadiness caches check for ttl (default 5 s) with a per-run timeout
// (default 3 s).
func NewReadiness(check func(context.Context) error, ttl, timeout time.Duration, log *slog.Logger) *Readiness {
	if ttl <= 0 {
		ttl = 5 * time.Second
	}
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Readiness{check: check, ttl: ttl, timeout: timeout, log: log, now: time.Now}
}

// Check returns the cached result, or waits for the one run in progress,
// or starts one. ctx bounds only the wait.
func (r *Readiness) Check(ctx context.Context) error {
	r.mu.Lock()
	if !r.at.IsZero() && r.now().Sub(r.at) < r.ttl {
		err := r.err
		r.mu.Unlock()
		return err
	}
	done := r.running
	if done == nil {
		done = make(chan struct{})
		r.running = done
		go r.run(done)
	}
	r.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *Readiness) run(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	err := r.check(ctx)
	cancel()
	r.mu.Lock()
	r.at, r.err, r.running = r.now(), err, nil
	state := "ready"
	if err != nil {
		state = Reason(err)
	}
	changed := state != r.logged
	r.logged = state
	r.mu.Unlock()
	close(done)
	if changed {
		if err != nil {
			r.log.Warn("not ready", "reason", state, "error", err)
		} else {
			r.log.Info("ready")
		}
	}
}

// Reason is the short code /readyz shows for err: the backend error kind
// (unreachable, unavailable, timeout, misconfigured, unauthorized, ...),
// "timeout" for a deadline, or "backend_error".
func Reason(err error) string {
	if be, ok := backend.AsError(err); ok {
		return string(be.Kind)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "backend_error"
}

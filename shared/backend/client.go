// Package backend builds the one *http.Client a server uses to reach its
// backend API, and a small JSON helper on top of it that turns every failure
// into a typed *Error.
//
// Round-trippers, outermost first:
//
//	sizeCap     caps the final response body (MaxResponseBytes)
//	marker      records in the context whether the request may be retried
//	breaker     sony/gobreaker: fails fast while the backend is down; it
//	            sees one outcome per call (after retries), so
//	            BreakerFailures counts failed calls, not attempts, and a
//	            caller's deadline or cancellation is never a failure
//	retryable   hashicorp/go-retryablehttp: bounded retries with backoff
//	  auth      adds the backend's own credential, User-Agent and the acting
//	            user (X-Acting-User, X-Acting-User-Region) — never the
//	            MCP caller's token
//	  limiter   x/time/rate outbound budget, waited per attempt
//	  count     per-status metrics
//	  otelhttp  a client span per attempt (telemetry.BackendTransport)
//	  base      http.Transport (or an in-process handler in --demo mode)
//
// A readiness probe (a context from Probe) skips the breaker, the retries
// and the outbound budget: it asks the backend once, on its own path, so
// a flood of /readyz can neither spend the tool calls' budget nor open the
// circuit.
//
// Retries: GET/HEAD/OPTIONS/PUT/DELETE are retried on connection errors, 429
// and 5xx; POST and PATCH only when the request carries an Idempotency-Key.
// Retry-After (seconds or HTTP date) is honoured while it fits in the
// context's deadline; when it does not, the 429/503 goes back to the caller
// with its Retry-After so the model can be told when to try again. The final
// status always reaches the caller (no bare "giving up" error).
package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/telemetry"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// Options configures NewHTTPClient.
type Options struct {
	Name             string // backend name for metrics and errors, e.g. "crm"
	Token            string // the backend's own credential (never the MCP caller's token)
	UserAgent        string
	MaxRetries       int
	RetryWaitMin     time.Duration // default 100ms
	RetryWaitMax     time.Duration // default 1s
	RateLimit        float64       // requests per second; 0 = unlimited
	RateBurst        int
	MaxResponseBytes int64 // default 4 MiB
	// BreakerFailures consecutive failed calls (connection errors, 5xx or
	// backstop timeouts once retries are spent) open the circuit; it then fails fast for BreakerOpen before
	// letting one probe through. 0 = 5 failures, 10 s.
	BreakerFailures int
	BreakerOpen     time.Duration
	Timeout         time.Duration // per-attempt backstop; default 8s
	Base            http.RoundTripper
	Logger          *slog.Logger
}

// ErrResponseTooLarge is returned while reading a body past MaxResponseBytes.
var ErrResponseTooLarge = errors.New("backend response exceeds the size limit")

type retryKey struct{}

// NewHTTPClient returns the server's backend client. Backend API clients take
// it as their only transport dependency.
func NewHTTPClient(o Options) *http.Client {
	if o.RetryWaitMin <= 0 {
		o.RetryWaitMin = 100 * time.Millisecond
	}
	if o.RetryWaitMax <= 0 {
		o.RetryWaitMax = time.Second
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = 4 << 20
	}
	if o.Timeout <= 0 {
		o.Timeout = 8 * time.Second
	}
	base, probeBase := o.Base, o.Base
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 32
		t.ResponseHeaderTimeout = o.Timeout
		base = t
		// Probes get their own connections, one per probe: they neither
		// wait for the calls' pool nor leave connections in it.
		pt := t.Clone()
		pt.DisableKeepAlives = true
		probeBase = pt
	}
	// A client span per attempt, child of the tool call's span.
	base = telemetry.BackendTransport(o.Name, base)
	var inner http.RoundTripper = &countRT{name: o.Name, next: base}
	if o.RateLimit > 0 {
		burst := o.RateBurst
		if burst < 1 {
			burst = 1
		}
		inner = &limitRT{lim: rate.NewLimiter(rate.Limit(o.RateLimit), burst), next: inner}
	}
	ua := o.UserAgent
	if ua == "" {
		ua = "bizmcp"
	}
	inner = &authRT{token: o.Token, ua: ua, next: inner}

	rc := retryablehttp.NewClient()
	rc.HTTPClient = &http.Client{Transport: inner, Timeout: o.Timeout}
	rc.RetryMax = o.MaxRetries
	rc.RetryWaitMin = o.RetryWaitMin
	rc.RetryWaitMax = o.RetryWaitMax
	rc.Logger = nil
	if o.Logger != nil {
		rc.Logger = retryLogger{o.Logger}
	}
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	rc.CheckRetry = checkRetry(o.RetryWaitMax)
	rc.Backoff = retryablehttp.DefaultBackoff

	retried := &retryablehttp.RoundTripper{Client: rc}
	name := o.Name
	if name == "" {
		name = "backend"
	}
	return &http.Client{
		Transport: &sizeCapRT{
			max: o.MaxResponseBytes, name: name, log: o.Logger,
			// A probe goes straight to the authenticated attempt: no
			// breaker, no retries, no outbound budget.
			probe: &authRT{token: o.Token, ua: ua, next: &countRT{name: o.Name, next: probeBase}},
			next:  &markRT{next: newBreakerRT(o, retried)},
		},
	}
}

type probeKey struct{}

// Probe marks ctx as a readiness probe's: requests made with it bypass the
// circuit breaker, the retries and the outbound rate limit, and their
// outcome is not counted by the breaker.
func Probe(ctx context.Context) context.Context { return context.WithValue(ctx, probeKey{}, true) }

func isProbe(ctx context.Context) bool { ok, _ := ctx.Value(probeKey{}).(bool); return ok }

// retryLogger adapts slog to retryablehttp.LeveledLogger at debug level, so
// routine retries do not flood the logs.
type retryLogger struct{ l *slog.Logger }

func (r retryLogger) Error(msg string, kv ...any) { r.l.Warn("backend: "+msg, kv...) }
func (r retryLogger) Info(msg string, kv ...any)  { r.l.Debug("backend: "+msg, kv...) }
func (r retryLogger) Debug(msg string, kv ...any) { r.l.Debug("backend: "+msg, kv...) }
func (r retryLogger) Warn(msg string, kv ...any)  { r.l.Warn("backend: "+msg, kv...) }

// Retryable reports whether a request may be repeated safely: idempotent
// methods always, POST and PATCH only with an Idempotency-Key.
func Retryable(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return r.Header.Get("Idempotency-Key") != ""
}

type markRT struct{ next http.RoundTripper }

func (m *markRT) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := context.WithValue(r.Context(), retryKey{}, Retryable(r))
	return m.next.RoundTrip(r.WithContext(ctx))
}

// checkRetry decides per attempt. It never retries a non-idempotent write,
// never sleeps past the context's deadline, and stops on cancellation.
func checkRetry(waitMax time.Duration) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if ok, _ := ctx.Value(retryKey{}).(bool); !ok {
			return false, nil
		}
		if err != nil {
			var tooLarge *tooLargeError
			if errors.As(err, &tooLarge) || errors.Is(err, ErrCircuitOpen) {
				return false, nil
			}
			// Connection errors are retried like DefaultRetryPolicy does,
			// except for errors that can never succeed.
			retry, _ := retryablehttp.DefaultRetryPolicy(ctx, resp, err)
			return retry && fits(ctx, waitMax), nil
		}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
			if d, ok := RetryAfter(resp.Header); ok {
				return fits(ctx, d), nil
			}
			return fits(ctx, waitMax), nil
		case resp.StatusCode == 0 || (resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented):
			return fits(ctx, waitMax), nil
		}
		return false, nil
	}
}

// fits reports whether waiting d still leaves time for one more attempt.
func fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	if !ok {
		return true
	}
	// Keep a quarter of a second for the attempt itself.
	return time.Until(dl) > d+250*time.Millisecond
}

// RetryAfter parses a Retry-After header (delay seconds or HTTP date).
func RetryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := time.Until(t)
	if d < 0 {
		d = 0
	}
	return d, true
}

type authRT struct {
	token, ua string
	next      http.RoundTripper
}

func (a *authRT) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if a.token != "" {
		r.Header.Set("Authorization", "Bearer "+a.token)
	}
	r.Header.Set("User-Agent", a.ua)
	// The caller's token never goes upstream; its identity does.
	if p := policy.FromContext(r.Context()); p.Authenticated {
		r.Header.Set("X-Acting-User", p.Subject)
		if p.Region != "" {
			r.Header.Set("X-Acting-User-Region", p.Region)
		}
	}
	if r.Header.Get("Accept") == "" {
		r.Header.Set("Accept", "application/json")
	}
	return a.next.RoundTrip(r)
}

// RateLimitedError is returned when the outbound budget cannot admit the
// request before the context's deadline.
type RateLimitedError struct{ Err error }

func (e *RateLimitedError) Error() string {
	return "outbound rate limit: no budget before the call's deadline: " + e.Err.Error()
}
func (e *RateLimitedError) Unwrap() error { return e.Err }

type limitRT struct {
	lim  *rate.Limiter
	next http.RoundTripper
}

func (l *limitRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := l.lim.Wait(r.Context()); err != nil {
		if r.Context().Err() != nil {
			return nil, r.Context().Err()
		}
		return nil, &RateLimitedError{Err: err}
	}
	return l.next.RoundTrip(r)
}

type countRT struct {
	name string
	next http.RoundTripper
}

func (c *countRT) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := c.next.RoundTrip(r)
	status := "error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
		audit.AddBackendRequestID(r.Context(), resp.Header.Get("X-Request-Id"))
	}
	telemetry.Counter(`bizmcp_backend_requests_total{backend=%q,method=%q,status=%q}`, c.name, r.Method, status).Inc()
	telemetry.Histogram(`bizmcp_backend_request_duration_seconds{backend=%q}%s`, c.name, "").UpdateDuration(start)
	return resp, err
}

type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("%v (%d bytes)", ErrResponseTooLarge, e.limit)
}
func (e *tooLargeError) Unwrap() error { return ErrResponseTooLarge }

type sizeCapRT struct {
	max         int64
	name        string
	log         *slog.Logger
	probe, next http.RoundTripper
	misconf     misconfState
}

func (s *sizeCapRT) RoundTrip(r *http.Request) (*http.Response, error) {
	next := s.next
	if isProbe(r.Context()) {
		next = s.probe
	}
	resp, err := next.RoundTrip(r)
	if err != nil || resp == nil {
		return resp, err
	}
	if resp.ContentLength > s.max {
		resp.Body.Close()
		return nil, &tooLargeError{limit: s.max}
	}
	resp.Body = &capReader{rc: resp.Body, left: s.max, limit: s.max}
	return resp, nil
}

type capReader struct {
	rc    io.ReadCloser
	left  int64
	limit int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// Probe for one more byte: exactly-at-limit bodies are fine.
		var one [1]byte
		n, err := c.rc.Read(one[:])
		if n > 0 {
			return 0, &tooLargeError{limit: c.limit}
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *capReader) Close() error { return c.rc.Close() }

package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/bizmcp/bizmcp/shared/port"
	segjson "github.com/segmentio/encoding/json"
)

// Kind and Error are the backend-neutral error of package port: the HTTP
// client reports every failure as a *port.Error.
type (
	Kind  = port.Kind
	Error = port.Error
)

const (
	KindNotFound      = port.KindNotFound
	KindBadRequest    = port.KindBadRequest
	KindConflict      = port.KindConflict
	KindUnauthorized  = port.KindUnauthorized
	KindForbidden     = port.KindForbidden
	KindRateLimited   = port.KindRateLimited
	KindUnavailable   = port.KindUnavailable
	KindTimeout       = port.KindTimeout
	KindUnreachable   = port.KindUnreachable
	KindTooLarge      = port.KindTooLarge
	KindMalformed     = port.KindMalformed
	KindMisconfigured = port.KindMisconfigured
)

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) { return port.AsError(err) }

// Meta describes a successful exchange.
type Meta struct {
	Status    int
	RequestID string
	Replayed  bool // the backend answered an Idempotency-Key replay
}

// JSON calls a JSON HTTP API under a base URL.
type JSON struct {
	base *url.URL
	hc   *http.Client
}

// NewJSON returns a JSON client for baseURL (e.g. http://127.0.0.1:9000/crm).
func NewJSON(baseURL string, hc *http.Client) (*JSON, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("backend URL %q is not an absolute http(s) URL", baseURL)
	}
	return &JSON{base: u, hc: hc}, nil
}

// Get fetches path (escaped by the caller) with query q into out.
func (c *JSON) Get(ctx context.Context, path string, q url.Values, out any) (Meta, error) {
	return c.Do(ctx, http.MethodGet, path, q, "", nil, out)
}

// Do performs one call. A non-empty idemKey is sent as Idempotency-Key,
// which also makes a POST/PATCH retryable.
func (c *JSON) Do(ctx context.Context, method, path string, q url.Values, idemKey string, in, out any) (Meta, error) {
	op := method + " " + path
	full := c.base.String() + path
	if len(q) > 0 {
		full += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return Meta{}, &Error{Kind: KindBadRequest, Op: op, Err: err}
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, full, body)
	if err != nil {
		return Meta{}, &Error{Kind: KindBadRequest, Op: op, Err: err}
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return Meta{}, transportError(ctx, op, err)
	}
	defer resp.Body.Close()
	meta := Meta{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id"), Replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
	data, err := readBody(resp)
	if err != nil {
		e := transportError(ctx, op, err)
		e.Status, e.RequestID = resp.StatusCode, meta.RequestID
		return meta, e
	}
	if resp.StatusCode >= 300 {
		e := statusError(op, resp, data)
		if sc, ok := c.hc.Transport.(*sizeCapRT); ok {
			sc.classify(ctx, e, data)
		}
		return meta, e
	}
	if sc, ok := c.hc.Transport.(*sizeCapRT); ok && isProbe(ctx) {
		sc.misconf.clear()
	}
	if out != nil {
		// segmentio/encoding (already linked by the MCP SDK) decodes a
		// record in 0.55-0.65x encoding/json's CPU (make bench's Go
		// benchmarks: BenchmarkDecode in servers/crm/internal/backends/reference).
		if err := segjson.Unmarshal(data, out); err != nil {
			return meta, &Error{Kind: KindMalformed, Op: op, Status: resp.StatusCode, RequestID: meta.RequestID, Err: err}
		}
	}
	return meta, nil
}

// TransportError classifies a failed exchange that has no HTTP status (a
// connection error, a timeout, the size cap, the circuit breaker, the
// outbound rate limit) as an *Error of the right kind, for adapters that
// read responses themselves.
func TransportError(ctx context.Context, op string, err error) *Error {
	return transportError(ctx, op, err)
}

func transportError(ctx context.Context, op string, err error) *Error {
	e := &Error{Op: op, Err: err}
	var rl *RateLimitedError
	var ne net.Error
	switch {
	case errors.Is(err, ErrResponseTooLarge):
		e.Kind = KindTooLarge
	case errors.Is(err, ErrCircuitOpen):
		e.Kind = KindUnavailable
	case errors.As(err, &rl):
		e.Kind = KindRateLimited
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		e.Kind = KindTimeout
	case errors.As(err, &ne) && ne.Timeout():
		e.Kind = KindTimeout
	default:
		e.Kind = KindUnreachable
	}
	return e
}

func statusError(op string, resp *http.Response, data []byte) *Error {
	e := &Error{Op: op, Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Code, e.Message = body.Error.Code, body.Error.Message
	}
	if len(e.Message) > 500 {
		e.Message = e.Message[:500]
	}
	switch s := resp.StatusCode; {
	case s == http.StatusNotFound:
		e.Kind = KindNotFound
	case s == http.StatusConflict || s == http.StatusUnprocessableEntity || s == http.StatusPreconditionFailed:
		e.Kind = KindConflict
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		e.Kind = KindUnauthorized
	case s == http.StatusTooManyRequests:
		e.Kind = KindRateLimited
		e.RetryAfter, _ = RetryAfter(resp.Header)
	case s >= 500:
		e.Kind = KindUnavailable
		e.RetryAfter, _ = RetryAfter(resp.Header)
	default:
		e.Kind = KindBadRequest
	}
	return e
}

// Ping runs GET /health: the reference APIs' cheap readiness check.
func (c *JSON) Ping(ctx context.Context) error {
	_, err := c.Get(ctx, "/health", nil, nil)
	return err
}

// BaseURL is the API's base URL.
func (c *JSON) BaseURL() string { return c.base.String() }

// maxPresized bounds the buffer readBody allocates from a declared length
// (the size cap refuses a larger declared length before this).
const maxPresized = 16 << 20

// readBody reads a response body in one allocation of its declared length
// (io.ReadAll grows its buffer step by step: about twice the body in
// garbage per call, which at hundreds of concurrent calls on large records
// is most of the heap), else with io.ReadAll. A body shorter than declared
// is an error (io.ErrUnexpectedEOF), as a truncated read is.
func readBody(resp *http.Response) ([]byte, error) {
	n := resp.ContentLength
	if n <= 0 || n > maxPresized {
		return io.ReadAll(resp.Body)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

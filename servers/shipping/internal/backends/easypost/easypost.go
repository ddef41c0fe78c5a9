// Package easypost is the shipping port's adapter for EasyPost's API v2
// (https://api.easypost.com/v2): address verification, shipments and their
// rates, label purchase, refunds (voids) and trackers. It knows HTTP and
// JSON, not MCP; every failure is a *port.Error.
//
// Exactly one label per purchase: EasyPost has no idempotency header, but a
// shipment holds at most one label. BuyLabel reads the shipment before
// buying and returns a label it already has (Write.Replayed); after a lost
// or failed answer it reads the shipment again before buying once more.
// See servers/shipping/README.md for the failure window.
package easypost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/port"
)

// DefaultURL is EasyPost's API base URL.
const DefaultURL = "https://api.easypost.com/v2"

// Key modes, from the API key's prefix.
const (
	ModeTest       = "test"       // EZTK…: free, fake labels and trackers
	ModeProduction = "production" // EZAK…: real labels, charged
	ModeUnknown    = "unknown"
)

// settings are the adapter's environment (EASYPOST_ prefix).
type settings struct {
	APIKey        config.Secret `env:"API_KEY"`
	APIURL        string        `env:"API_URL" envDefault:"https://api.easypost.com/v2"`
	FromAddressID string        `env:"FROM_ADDRESS_ID"`
}

// Backend is the "easypost" entry of shipping-mcp's backends.
func Backend() app.Backend[shipping.Backend] {
	return app.Backend[shipping.Backend]{
		Name:    "easypost",
		Summary: "EasyPost's multi-carrier API v2 (test keys EZTK… buy free test labels; production keys EZAK… buy real ones)",
		Settings: []app.Setting{
			{Env: "EASYPOST_API_KEY", Meaning: "the EasyPost API key (required; never logged): a test key EZTK… or a production key EZAK…"},
			{Env: "EASYPOST_API_URL", Default: DefaultURL, Meaning: "the API's base URL: https, or http on loopback only (tests)"},
			{Env: "EASYPOST_FROM_ADDRESS_ID", Meaning: "an EasyPost Address id (adr_…) to ship from when shipping_get_rates gets no `from`"},
			{Env: "SHIPPING_API_TIMEOUT, _API_MAX_RETRIES, _API_RATE_LIMIT, _API_RATE_BURST, _API_MAX_RESPONSE_BYTES, _API_BREAKER_FAILURES, _API_BREAKER_OPEN", Meaning: "the HTTP client's backstop timeout, retries of reads, outbound rate, size cap and circuit breaker (see README)"},
		},
		Open: func(_ context.Context, env app.BackendEnv) (shipping.Backend, error) {
			var s settings
			if err := config.ParseEnv(env.Binary, env.Environ, "EASYPOST_", &s); err != nil {
				return nil, err
			}
			key := strings.TrimSpace(s.APIKey.Reveal())
			if key == "" {
				return nil, config.Usagef(env.Binary, "EASYPOST_API_KEY is not set: set it to an EasyPost test key (EZTK…) to try the server, or a production key (EZAK…)")
			}
			if err := config.HTTPSOrLoopback(env.Binary, "EASYPOST_API_URL", s.APIURL); err != nil {
				return nil, err
			}
			if s.FromAddressID != "" && !strings.HasPrefix(s.FromAddressID, "adr_") {
				return nil, config.Usagef(env.Binary, "EASYPOST_FROM_ADDRESS_ID must be an EasyPost Address id (adr_…), not %q", s.FromAddressID)
			}
			c, err := New(s.APIURL, key, env.HTTPClient(""))
			if err != nil {
				return nil, config.Usagef(env.Binary, "EASYPOST_API_URL: %v", err)
			}
			c.fromAddressID = s.FromAddressID
			log := env.Logger
			if log == nil {
				log = slog.Default()
			}
			switch c.mode {
			case ModeTest:
				log.Info("easypost backend: test key (EZTK…): labels are free test labels, tracking is simulated", "api_url", s.APIURL, "key_mode", c.mode)
			case ModeProduction:
				log.Warn("easypost backend: PRODUCTION key (EZAK…): labels are real and charged to the EasyPost account", "api_url", s.APIURL, "key_mode", c.mode)
			default:
				log.Warn("easypost backend: the API key is neither a test (EZTK…) nor a production (EZAK…) key", "api_url", s.APIURL, "key_mode", c.mode)
			}
			return c, nil
		},
	}
}

// Client calls EasyPost.
type Client struct {
	base          string
	hc            *http.Client
	mode          string
	fromAddressID string
	// rateLimitWait is the wait before retrying a 429 that names no
	// Retry-After; maxRateLimitTries bounds the attempts.
	rateLimitWait     time.Duration
	maxRateLimitTries int

	// The last readiness answer, reused for pingTTL: probes must not spend
	// EasyPost's list-endpoint budget (5 requests a second).
	pingMu  sync.Mutex
	pingAt  time.Time
	pingErr error
}

const pingTTL = 5 * time.Second

var _ shipping.Backend = (*Client)(nil)

// New returns a client for the API at baseURL with key, over hc (whose
// Authorization header it sets: the key as the HTTP Basic user).
func New(baseURL, key string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", baseURL)
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	authed := *hc
	authed.Transport = basicAuth{key: key, next: next}
	return &Client{
		base: u.String(), hc: &authed, mode: KeyMode(key),
		rateLimitWait: time.Second, maxRateLimitTries: 3,
	}, nil
}

// KeyMode says from its prefix whether key is a test or a production key.
func KeyMode(key string) string {
	switch {
	case strings.HasPrefix(key, "EZTK"):
		return ModeTest
	case strings.HasPrefix(key, "EZAK"):
		return ModeProduction
	}
	return ModeUnknown
}

// Mode is the key's mode: ModeTest, ModeProduction or ModeUnknown.
func (c *Client) Mode() string { return c.mode }

// ReadyNote is shown with readiness (/readyz): which kind of key is used.
func (c *Client) ReadyNote() string {
	switch c.mode {
	case ModeTest:
		return "EasyPost test key (EZTK…): test labels, simulated tracking"
	case ModeProduction:
		return "EasyPost production key (EZAK…): real, charged labels"
	}
	return "EasyPost key of unknown kind (neither EZTK… nor EZAK…)"
}

type basicAuth struct {
	key  string
	next http.RoundTripper
}

func (b basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.SetBasicAuth(b.key, "")
	return b.next.RoundTrip(r)
}

// Ping lists one address: cheap, read-only, and it proves the key works.
// An answer is reused for pingTTL.
func (c *Client) Ping(ctx context.Context) error {
	c.pingMu.Lock()
	defer c.pingMu.Unlock()
	if !c.pingAt.IsZero() && time.Since(c.pingAt) < pingTTL {
		return c.pingErr
	}
	c.pingErr = c.do(ctx, http.MethodGet, "/addresses", url.Values{"page_size": {"1"}}, nil, nil)
	c.pingAt = time.Now()
	return c.pingErr
}

// do sends one request (in is JSON-encoded; out decodes a 2xx answer) and
// maps every failure to a *port.Error. GETs are retried by the shared HTTP
// client; a 429 to a POST (which EasyPost refused before doing anything) is
// retried here while its Retry-After fits in ctx's deadline.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return &port.Error{Kind: port.KindBadRequest, Op: method + " " + path, Err: err}
		}
	}
	for try := 1; ; try++ {
		err := c.once(ctx, method, path, q, body, out)
		e, ok := port.AsError(err)
		if !ok || e.Kind != port.KindRateLimited || method == http.MethodGet || try >= c.maxRateLimitTries {
			return err
		}
		wait := e.RetryAfter
		if wait <= 0 {
			wait = c.rateLimitWait
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+250*time.Millisecond {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func (c *Client) once(ctx context.Context, method, path string, q url.Values, body []byte, out any) error {
	op := method + " " + path
	full := c.base + path
	if len(q) > 0 {
		full += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, full, rd)
	if err != nil {
		return &port.Error{Kind: port.KindBadRequest, Op: op, Err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return backend.TransportError(ctx, op, err)
	}
	defer resp.Body.Close()
	reqID := resp.Header.Get("X-Ep-Request-Uuid")
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e := backend.TransportError(ctx, op, err)
		e.Status, e.RequestID = resp.StatusCode, reqID
		return e
	}
	if resp.StatusCode >= 300 {
		return apiError(op, resp, reqID, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return &port.Error{Kind: port.KindMalformed, Op: op, Status: resp.StatusCode, RequestID: reqID, Err: err}
		}
	}
	return nil
}

// apiError maps EasyPost's {"error":{"code","message","errors"}} and the
// status to a port error. The first field error names Field.
func apiError(op string, resp *http.Response, reqID string, data []byte) *port.Error {
	e := &port.Error{Op: op, Status: resp.StatusCode, RequestID: reqID}
	var body epError
	if json.Unmarshal(data, &body) == nil {
		e.Code, e.Message = body.Error.Code, body.Error.Message
		var details []string
		for _, raw := range body.Error.Errors {
			var fe epFieldError
			var s string
			switch {
			case json.Unmarshal(raw, &fe) == nil && (fe.Field != "" || fe.Message != ""):
				if e.Field == "" && fe.Field != "" {
					e.Field = fieldName(fe.Field)
				}
				d := strings.TrimSpace(fieldName(fe.Field) + " " + fe.Message)
				if fe.Suggestion != "" {
					d += " (suggestion: " + fe.Suggestion + ")"
				}
				details = append(details, d)
			case json.Unmarshal(raw, &s) == nil && s != "":
				details = append(details, s)
			}
		}
		if len(details) > 0 {
			e.Message = strings.TrimRight(e.Message, ". ") + ": " + strings.Join(details, "; ")
		}
	}
	if len(e.Message) > 500 {
		e.Message = e.Message[:500]
	}
	switch s := resp.StatusCode; {
	case s == http.StatusNotFound:
		e.Kind = port.KindNotFound
	case s == http.StatusUnauthorized:
		e.Kind, e.Setting = port.KindUnauthorized, "EASYPOST_API_KEY"
	case s == http.StatusForbidden && strings.HasPrefix(e.Code, "APIKEY."):
		e.Kind, e.Setting = port.KindUnauthorized, "EASYPOST_API_KEY"
	case s == http.StatusForbidden:
		e.Kind, e.Setting = port.KindForbidden, "EASYPOST_API_KEY"
	case s == http.StatusPaymentRequired:
		// No billing method or not enough funds: the account's owner must act.
		e.Kind = port.KindForbidden
		if e.Message == "" {
			e.Message = "the EasyPost account has no billing method or not enough funds"
		}
	case s == http.StatusTooManyRequests:
		e.Kind = port.KindRateLimited
		e.RetryAfter, _ = backend.RetryAfter(resp.Header)
	case s >= 500:
		e.Kind = port.KindUnavailable
		e.RetryAfter, _ = backend.RetryAfter(resp.Header)
	default:
		// 400, 422 and the rest: the request (or the carrier) was refused.
		e.Kind = port.KindBadRequest
	}
	return e
}

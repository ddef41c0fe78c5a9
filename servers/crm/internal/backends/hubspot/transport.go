package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/shared/port"
	"golang.org/x/time/rate"
)

// The adapter talks to HubSpot through the shared backend client (retries
// with Retry-After clamped to the call's deadline, outbound rate limit,
// size cap, circuit breaker). transport sits under it, next to the network,
// and adapts HubSpot's conventions to it:
//
//   - HubSpot sends no Retry-After on a 429; its body names the policy that
//     was hit (policyName SECONDLY, TEN_SECONDLY_ROLLING, DAILY). transport
//     adds the Retry-After the shared client then honours within the call's
//     deadline: 1 s for the per-second and rolling ten-second policies, none
//     that fits (3600 s) for the daily one.
//   - X-HubSpot-RateLimit-Remaining: 0 pauses the next request by 1 s (or
//     until the call's deadline is too close to wait).
//   - Searches are held to 4 a second (HubSpot's search limit; search
//     answers carry no rate-limit headers).
//   - X-HubSpot-Correlation-Id is copied to X-Request-Id, where the shared
//     client and the audit trail read a backend request id.
//   - The Idempotency-Key header marks, for the shared client, a POST that
//     may be retried (searches, batch reads, PATCH); HubSpot has no such
//     header, so it is removed, with the X-Acting-User headers meant for the
//     reference APIs.
//   - An error body is read (up to 64 KiB) into the call's capture, so the
//     adapter can report HubSpot's category, message, correlation id and the
//     property at fault.
type transport struct {
	next   http.RoundTripper
	now    func() time.Time
	search *rate.Limiter

	mu    sync.Mutex
	pause time.Time // no request before this (X-HubSpot-RateLimit-Remaining: 0)
}

func newTransport(next http.RoundTripper, now func() time.Time) *transport {
	return &transport{next: next, now: now, search: rate.NewLimiter(4, 4)}
}

// apiError is HubSpot's error body (docs: api-reference/error-handling;
// 429: usage-details), read leniently: every field is optional.
type apiError struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	Category      string `json:"category"`
	SubCategory   string `json:"subCategory"`
	CorrelationID string `json:"correlationId"`
	PolicyName    string `json:"policyName"`
	ErrorType     string `json:"errorType"`
	Errors        []struct {
		Message string              `json:"message"`
		Code    string              `json:"code"`
		In      string              `json:"in"`
		Context map[string][]string `json:"context"`
	} `json:"errors"`
	Context map[string][]string `json:"context"`
}

type captureKey struct{}

// capture holds the last error body HubSpot sent during one call.
type capture struct {
	mu  sync.Mutex
	err *apiError
}

func withCapture(ctx context.Context) (context.Context, *capture) {
	c := &capture{}
	return context.WithValue(ctx, captureKey{}, c), c
}

func (c *capture) get() *apiError {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	r = r.Clone(ctx)
	for _, h := range []string{"Idempotency-Key", "X-Acting-User", "X-Acting-User-Region"} {
		r.Header.Del(h)
	}
	if err := t.wait(ctx, strings.HasSuffix(r.URL.Path, "/search")); err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if id := resp.Header.Get("X-HubSpot-Correlation-Id"); id != "" {
		resp.Header.Set("X-Request-Id", id)
	}
	if resp.Header.Get("X-HubSpot-RateLimit-Remaining") == "0" {
		t.mu.Lock()
		t.pause = t.now().Add(time.Second)
		t.mu.Unlock()
	}
	if resp.StatusCode < 400 {
		return resp, nil
	}
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if rerr != nil {
		return resp, nil
	}
	var e apiError
	if json.Unmarshal(data, &e) != nil {
		return resp, nil
	}
	if e.CorrelationID != "" && resp.Header.Get("X-Request-Id") == "" {
		resp.Header.Set("X-Request-Id", e.CorrelationID)
	}
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
		resp.Header.Set("Retry-After", strconv.Itoa(int(policyWait(e.PolicyName)/time.Second)))
	}
	if c, ok := ctx.Value(captureKey{}).(*capture); ok {
		c.mu.Lock()
		c.err = &e
		c.mu.Unlock()
	}
	return resp, nil
}

// policyWait is how long to wait after a 429 of policy p.
func policyWait(p string) time.Duration {
	if strings.EqualFold(p, "DAILY") {
		return time.Hour
	}
	return time.Second
}

// wait holds a request while HubSpot said no budget remains, and searches
// to their own rate, as long as the call's deadline allows; past it the
// request goes out and HubSpot decides.
func (t *transport) wait(ctx context.Context, search bool) error {
	t.mu.Lock()
	d := t.pause.Sub(t.now())
	t.mu.Unlock()
	if d > 0 && fits(ctx, d) {
		if err := port.Sleep(ctx, d); err != nil {
			return err
		}
	}
	if search {
		res := t.search.Reserve()
		if d := res.Delay(); d > 0 {
			if !fits(ctx, d) {
				res.Cancel()
				return nil
			}
			if err := port.Sleep(ctx, d); err != nil {
				res.Cancel()
				return err
			}
		}
	}
	return nil
}

func fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d+250*time.Millisecond
}

var propertyName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"name"\s*:\s*"([^"]+)"`) })
var innerMessage = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"message"\s*:\s*"((?:[^"\\]|\\.)*)"`) })

// call runs one JSON exchange and turns a failure into the port's error
// with what HubSpot said: the kind refined by status and category, the
// message, the correlation id, the property at fault mapped to bizmcp's
// field. idemKey marks a POST/PATCH the shared client may retry ("" = never
// retried by the transport).
func (c *Client) call(ctx context.Context, method, path string, q map[string][]string, idemKey string, in, out any) error {
	_, err := c.exchange(ctx, method, path, q, idemKey, in, out)
	return err
}

// exchange is call that also returns HubSpot's correlation id of a
// successful exchange.
func (c *Client) exchange(ctx context.Context, method, path string, q map[string][]string, idemKey string, in, out any) (string, error) {
	ctx, cap := withCapture(ctx)
	meta, err := c.j.Do(ctx, method, path, q, idemKey, in, out)
	if err == nil {
		return meta.RequestID, nil
	}
	if te := port.FromContext(ctx, method+" "+path); te != nil {
		return "", te
	}
	pe, ok := port.AsError(err)
	if !ok {
		return "", &port.Error{Kind: port.KindMalformed, Op: method + " " + path, Err: err}
	}
	e := cap.get()
	if e == nil || pe.Status == 0 {
		return "", pe
	}
	pe.Code, pe.Message = e.Category, e.Message
	if e.CorrelationID != "" {
		pe.RequestID = e.CorrelationID
	}
	switch {
	case pe.Status == http.StatusUnauthorized:
		pe.Kind, pe.Setting = port.KindUnauthorized, "HUBSPOT_ACCESS_TOKEN"
	case pe.Status == http.StatusForbidden:
		pe.Kind, pe.Setting = port.KindForbidden, "HUBSPOT_ACCESS_TOKEN (private app scopes)"
	case pe.Status == http.StatusTooManyRequests:
		pe.Kind, pe.RetryAfter = port.KindRateLimited, policyWait(e.PolicyName)
		if e.PolicyName != "" {
			pe.Code = e.PolicyName
		}
	case pe.Status == http.StatusConflict:
		pe.Kind = port.KindConflict
	case pe.Status == http.StatusBadRequest || e.Category == "VALIDATION_ERROR":
		pe.Kind = port.KindBadRequest
		c.validationDetail(pe, e)
	}
	if len(pe.Message) > 500 {
		pe.Message = pe.Message[:500]
	}
	return "", pe
}

// validationDetail finds the property a validation error is about (in
// errors[].context.propertyName, errors[].in, or the JSON HubSpot embeds in
// the message: Property values were not valid: [{..."name":"email"}]) and
// the message that explains it.
func (c *Client) validationDetail(pe *port.Error, e *apiError) {
	prop := ""
	for _, d := range e.Errors {
		if names := d.Context["propertyName"]; len(names) > 0 {
			prop = names[0]
		} else if d.In != "" {
			prop = d.In
		}
		if prop != "" {
			if d.Message != "" {
				pe.Message = d.Message
			}
			break
		}
	}
	if m := propertyName().FindStringSubmatch(e.Message); prop == "" && m != nil {
		prop = m[1]
	}
	if m := innerMessage().FindStringSubmatch(pe.Message); m != nil {
		if s, err := strconv.Unquote(`"` + m[1] + `"`); err == nil {
			pe.Message = s
		}
	}
	if prop != "" {
		pe.Field = c.fieldOf(prop)
	}
}

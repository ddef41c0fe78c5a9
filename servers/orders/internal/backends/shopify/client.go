package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/port"
)

// client posts GraphQL documents to the Admin API and keeps the app's
// cost bucket as Shopify last reported it.
type client struct {
	api *backend.JSON
	log *slog.Logger

	mu     sync.Mutex
	bucket throttleStatus
	seenAt time.Time

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// tokenRT sets the Admin API credential header.
type tokenRT struct {
	token string
	next  http.RoundTripper
}

func (t tokenRT) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Shopify-Access-Token", t.token)
	r.Header.Set("Accept", "application/json")
	return t.next.RoundTrip(r)
}

func newClient(endpoint, token string, hc *http.Client, log *slog.Logger) (*client, error) {
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	wrapped := &http.Client{Transport: tokenRT{token: token, next: next}, Timeout: hc.Timeout}
	api, err := backend.NewJSON(endpoint, wrapped)
	if err != nil {
		return nil, err
	}
	return &client{api: api, log: log, now: time.Now, sleep: port.Sleep}, nil
}

// Wire shapes of every GraphQL answer: data, errors, extensions.cost.
type (
	gqlRequest struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables,omitempty"`
	}
	gqlResponse struct {
		Data       json.RawMessage `json:"data"`
		Errors     []gqlError      `json:"errors"`
		Extensions struct {
			Cost *queryCost `json:"cost"`
		} `json:"extensions"`
	}
	gqlError struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	}
	queryCost struct {
		RequestedQueryCost float64        `json:"requestedQueryCost"`
		ActualQueryCost    *float64       `json:"actualQueryCost"`
		ThrottleStatus     throttleStatus `json:"throttleStatus"`
	}
	throttleStatus struct {
		MaximumAvailable   float64 `json:"maximumAvailable"`
		CurrentlyAvailable float64 `json:"currentlyAvailable"`
		RestoreRate        float64 `json:"restoreRate"`
	}
)

// attempts bounds the tries of one document (throttling and transient
// faults), always within the call's deadline.
const attempts = 5

// query runs a read: it may be repeated after a transient fault.
func (c *client) query(ctx context.Context, op, doc string, vars map[string]any, out any) error {
	_, err := c.do(ctx, op, doc, vars, out, true)
	return err
}

// mutate runs a write. idempotent says whether repeating it is safe (an
// @idempotent key, or a write that is a no-op the second time); only then
// is it retried after a fault where Shopify may have applied it.
func (c *client) mutate(ctx context.Context, op, doc string, vars map[string]any, out any, idempotent bool) (backend.Meta, error) {
	return c.do(ctx, op, doc, vars, out, idempotent)
}

func (c *client) do(ctx context.Context, op, doc string, vars map[string]any, out any, repeatable bool) (backend.Meta, error) {
	var last error
	for try := 0; try < attempts; try++ {
		if err := c.pace(ctx, op); err != nil {
			return backend.Meta{}, err
		}
		var res gqlResponse
		meta, err := c.api.Do(ctx, http.MethodPost, "", nil, "", gqlRequest{Query: doc, Variables: vars}, &res)
		if res.Extensions.Cost != nil {
			c.observe(res.Extensions.Cost.ThrottleStatus)
		}
		if err != nil {
			pe := c.httpError(ctx, op, err)
			if !retryable(pe, repeatable) {
				return meta, pe
			}
			last = pe
			if werr := c.wait(ctx, op, backoff(try, pe.RetryAfter)); werr != nil {
				return meta, pe
			}
			continue
		}
		if throttled(res.Errors) {
			wait := c.refill(res.Extensions.Cost)
			pe := &port.Error{Kind: port.KindRateLimited, Op: op, Code: "THROTTLED", RequestID: meta.RequestID, RetryAfter: wait,
				Message: "Shopify's API cost budget for this app is used up (THROTTLED)"}
			last = pe
			if werr := c.wait(ctx, op, wait); werr != nil {
				return meta, pe
			}
			continue
		}
		if len(res.Errors) > 0 {
			return meta, graphQLError(op, meta, res.Errors)
		}
		if out != nil {
			if len(res.Data) == 0 || string(res.Data) == "null" {
				return meta, &port.Error{Kind: port.KindMalformed, Op: op, RequestID: meta.RequestID, Message: "the answer has no data"}
			}
			if err := json.Unmarshal(res.Data, out); err != nil {
				return meta, &port.Error{Kind: port.KindMalformed, Op: op, RequestID: meta.RequestID, Err: err}
			}
		}
		return meta, nil
	}
	return backend.Meta{}, last
}

// pace waits, before a request, until the bucket Shopify last reported
// has refilled to a useful level (a tenth of its size), if that fits in the
// call's deadline.
func (c *client) pace(ctx context.Context, op string) error {
	c.mu.Lock()
	b, at := c.bucket, c.seenAt
	c.mu.Unlock()
	if b.RestoreRate <= 0 || b.MaximumAvailable <= 0 {
		return nil
	}
	need := b.MaximumAvailable / 10
	have := b.CurrentlyAvailable + c.now().Sub(at).Seconds()*b.RestoreRate
	if have >= need {
		return nil
	}
	d := time.Duration((need - have) / b.RestoreRate * float64(time.Second))
	if err := c.wait(ctx, op, d); err != nil {
		return &port.Error{Kind: port.KindRateLimited, Op: op, RetryAfter: d, Message: "Shopify's API cost budget for this app is nearly used up"}
	}
	return nil
}

func (c *client) observe(t throttleStatus) {
	if t.MaximumAvailable <= 0 {
		return
	}
	c.mu.Lock()
	c.bucket, c.seenAt = t, c.now()
	c.mu.Unlock()
}

// refill is how long until the bucket holds the request's cost again.
func (c *client) refill(cost *queryCost) time.Duration {
	if cost == nil || cost.ThrottleStatus.RestoreRate <= 0 {
		return time.Second
	}
	need := cost.RequestedQueryCost - cost.ThrottleStatus.CurrentlyAvailable
	if need <= 0 {
		need = 1
	}
	return time.Duration(math.Ceil(need/cost.ThrottleStatus.RestoreRate*1000)) * time.Millisecond
}

// wait sleeps d unless that would not leave time for the request itself
// before the call's deadline.
func (c *client) wait(ctx context.Context, op string, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d+250*time.Millisecond {
		return errors.New("no time left")
	}
	if err := c.sleep(ctx, d); err != nil {
		return port.FromContext(ctx, op)
	}
	return nil
}

func backoff(try int, after time.Duration) time.Duration {
	if after > 0 {
		return after
	}
	return time.Duration(200<<try) * time.Millisecond
}

func throttled(errs []gqlError) bool {
	for _, e := range errs {
		if e.Extensions.Code == "THROTTLED" {
			return true
		}
	}
	return false
}

// retryable: throttling always (nothing ran), transient faults only for
// requests that are safe to repeat.
func retryable(e *port.Error, repeatable bool) bool {
	switch e.Kind {
	case port.KindRateLimited:
		return true
	case port.KindUnavailable, port.KindUnreachable:
		return repeatable
	}
	return false
}

// httpError completes the shared client's error with what Shopify's HTTP
// statuses mean for this deployment.
func (c *client) httpError(ctx context.Context, op string, err error) *port.Error {
	pe, ok := port.AsError(err)
	if !ok {
		if te := port.FromContext(ctx, op); te != nil {
			return te
		}
		return &port.Error{Kind: port.KindUnreachable, Op: op, Err: err}
	}
	pe.Op = op
	switch pe.Status {
	case http.StatusUnauthorized:
		pe.Kind, pe.Setting = port.KindUnauthorized, "SHOPIFY_ACCESS_TOKEN"
		pe.Message = "Shopify refused the access token (401)"
	case http.StatusForbidden:
		pe.Kind, pe.Setting = port.KindForbidden, "the custom app's Admin API access scopes (read_orders, write_orders)"
		pe.Message = "Shopify refused the request (403): the app lacks an access scope, or the shop is unavailable"
	case http.StatusNotFound:
		pe.Kind, pe.Setting = port.KindMisconfigured, "SHOPIFY_SHOP / SHOPIFY_API_VERSION"
		pe.Message = "no Admin GraphQL API at this address (404): check the shop domain and the API version"
	case http.StatusPaymentRequired, 423:
		pe.Kind, pe.Setting = port.KindUnavailable, "SHOPIFY_SHOP"
		pe.Message = fmt.Sprintf("the shop is frozen or locked (%d)", pe.Status)
	}
	return pe
}

// graphQLError maps top-level GraphQL errors (not userErrors).
func graphQLError(op string, meta backend.Meta, errs []gqlError) *port.Error {
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, e.Message)
	}
	pe := &port.Error{Op: op, RequestID: meta.RequestID, Code: errs[0].Extensions.Code, Message: clip(strings.Join(msgs, "; "), 500)}
	switch pe.Code {
	case "ACCESS_DENIED":
		pe.Kind, pe.Setting = port.KindForbidden, "the custom app's Admin API access scopes (read_orders, write_orders; read_all_orders for orders older than 60 days)"
	case "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE":
		pe.Kind = port.KindUnavailable
	case "MAX_COST_EXCEEDED":
		pe.Kind = port.KindTooLarge
	case "NOT_FOUND":
		pe.Kind = port.KindNotFound
	default:
		// A document Shopify cannot run (an unknown field, a wrong argument)
		// is a version mismatch, not the model's fault.
		pe.Kind, pe.Setting = port.KindMisconfigured, "SHOPIFY_API_VERSION"
	}
	return pe
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

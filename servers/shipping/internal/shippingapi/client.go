// Package shippingapi is the client of the reference shipping API (see
// mocks/shipping/API.md). It knows HTTP and JSON, not MCP. Errors are
// *backend.Error.
package shippingapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/bizmcp/bizmcp/shared/backend"
)

// Client calls the shipping API.
type Client struct{ j *backend.JSON }

// New returns a client for the API at baseURL (e.g. http://127.0.0.1:9000/shipping).
func New(baseURL string, hc *http.Client) (*Client, error) {
	return backend.NewAPI(baseURL, hc, func(j *backend.JSON) *Client { return &Client{j: j} })
}

// callKey returns a fresh Idempotency-Key for one read-like POST: the
// backend client retries the request (same key) on transient failures, and
// a repeat of the call by the model quotes afresh.
func callKey(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "bizmcp-" + prefix + "-" + hex.EncodeToString(b)
}

// ValidateAddress runs POST /addresses/validate. It changes nothing, so it
// is sent with a per-call key to make it retryable.
func (c *Client) ValidateAddress(ctx context.Context, a Address) (*Validation, error) {
	out, _, err := backend.DoJSON[Validation](ctx, c.j, http.MethodPost, "/addresses/validate", callKey("validate"), a)
	return out, err
}

// Quote runs POST /rates with a per-call key: retries of this request
// return the same rates; a new call issues new rate ids.
func (c *Client) Quote(ctx context.Context, r RateRequest) (*Quote, error) {
	out, _, err := backend.DoJSON[Quote](ctx, c.j, http.MethodPost, "/rates", callKey("quote"), r)
	return out, err
}

// Rate runs GET /rates/{id}.
func (c *Client) Rate(ctx context.Context, id string) (*Rate, error) {
	return backend.GetJSON[Rate](ctx, c.j, "/rates/"+url.PathEscape(id), nil)
}

// BuyLabel runs POST /labels with an Idempotency-Key, so a retried purchase
// never buys two labels.
func (c *Client) BuyLabel(ctx context.Context, r LabelRequest, idemKey string) (*Label, backend.Meta, error) {
	return backend.DoJSON[Label](ctx, c.j, http.MethodPost, "/labels", idemKey, r)
}

// Label runs GET /labels/{id}.
func (c *Client) Label(ctx context.Context, id string) (*Label, error) {
	return backend.GetJSON[Label](ctx, c.j, "/labels/"+url.PathEscape(id), nil)
}

// VoidLabel runs POST /labels/{id}/void with an Idempotency-Key.
func (c *Client) VoidLabel(ctx context.Context, id, idemKey string) (*VoidResult, backend.Meta, error) {
	return backend.DoJSON[VoidResult](ctx, c.j, http.MethodPost, "/labels/"+url.PathEscape(id)+"/void", idemKey, nil)
}

// Track runs GET /tracking/{carrier}/{number}: the whole history, newest first.
func (c *Client) Track(ctx context.Context, carrier, number string) (*Tracking, error) {
	p := "/tracking/" + url.PathEscape(strings.ToLower(carrier)) + "/" + url.PathEscape(number)
	return backend.GetJSON[Tracking](ctx, c.j, p, nil)
}

// Ping checks the API's GET /health (readiness).
func (c *Client) Ping(ctx context.Context) error { return c.j.Ping(ctx) }

// BaseURL is the API's base URL (label files may be relative to its origin).
func (c *Client) BaseURL() string { return c.j.BaseURL() }

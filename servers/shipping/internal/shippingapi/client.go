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
	j, err := backend.NewJSON(baseURL, hc)
	if err != nil {
		return nil, err
	}
	return &Client{j: j}, nil
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
	var out Validation
	if _, err := c.j.Do(ctx, http.MethodPost, "/addresses/validate", nil, callKey("validate"), a, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Quote runs POST /rates with a per-call key: retries of this request
// return the same rates; a new call issues new rate ids.
func (c *Client) Quote(ctx context.Context, r RateRequest) (*Quote, error) {
	var out Quote
	if _, err := c.j.Do(ctx, http.MethodPost, "/rates", nil, callKey("quote"), r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Rate runs GET /rates/{id}.
func (c *Client) Rate(ctx context.Context, id string) (*Rate, error) {
	var out Rate
	if _, err := c.j.Get(ctx, "/rates/"+url.PathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// BuyLabel runs POST /labels with an Idempotency-Key, so a retried purchase
// never buys two labels.
func (c *Client) BuyLabel(ctx context.Context, r LabelRequest, idemKey string) (*Label, backend.Meta, error) {
	var out Label
	meta, err := c.j.Do(ctx, http.MethodPost, "/labels", nil, idemKey, r, &out)
	if err != nil {
		return nil, meta, err
	}
	return &out, meta, nil
}

// Label runs GET /labels/{id}.
func (c *Client) Label(ctx context.Context, id string) (*Label, error) {
	var out Label
	if _, err := c.j.Get(ctx, "/labels/"+url.PathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// VoidLabel runs POST /labels/{id}/void with an Idempotency-Key.
func (c *Client) VoidLabel(ctx context.Context, id, idemKey string) (*VoidResult, backend.Meta, error) {
	var out VoidResult
	meta, err := c.j.Do(ctx, http.MethodPost, "/labels/"+url.PathEscape(id)+"/void", nil, idemKey, nil, &out)
	if err != nil {
		return nil, meta, err
	}
	return &out, meta, nil
}

// Track runs GET /tracking/{carrier}/{number}: the whole history, newest first.
func (c *Client) Track(ctx context.Context, carrier, number string) (*Tracking, error) {
	var out Tracking
	p := "/tracking/" + url.PathEscape(strings.ToLower(carrier)) + "/" + url.PathEscape(number)
	if _, err := c.j.Get(ctx, p, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

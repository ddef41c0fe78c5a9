// Package reference is the orders port's adapter for the reference orders API (see
// mocks/orders/API.md). It knows HTTP and JSON, not MCP. Errors are
// *port.Error (backend.Error). Client is the wire client; Adapter puts the
// orders port on it.
//
// Retries land once: writes carry the tool call's idempotency key as the
// Idempotency-Key header, and the API answers a repeated key with the first
// outcome and Idempotent-Replayed: true.
package reference

import (
	"context"
	"net/http"
	"net/url"

	"github.com/bizmcp/bizmcp/shared/backend"
)

// Client calls the orders API.
type Client struct{ j *backend.JSON }

// New returns a client for the API at baseURL (e.g. http://127.0.0.1:9000/orders).
func New(baseURL string, hc *http.Client) (*Client, error) {
	return backend.NewAPI(baseURL, hc, func(j *backend.JSON) *Client { return &Client{j: j} })
}

// ListQuery selects orders; empty fields do not filter.
type ListQuery struct {
	CustomerID    string
	CustomerEmail string
	Status        string
	Region        string
	CreatedFrom   string // RFC 3339 or YYYY-MM-DD, inclusive
	CreatedTo     string // RFC 3339 or YYYY-MM-DD, exclusive
	Limit         int
	Offset        int
}

// List runs GET /orders (newest first).
func (c *Client) List(ctx context.Context, q ListQuery) (*ListResult, error) {
	v := backend.Query{}.Str("customer_id", q.CustomerID).Str("customer_email", q.CustomerEmail).Str("status", q.Status).
		Str("region", q.Region).Str("created_from", q.CreatedFrom).Str("created_to", q.CreatedTo).
		Page(q.Limit, q.Offset).Values()
	return backend.GetJSON[ListResult](ctx, c.j, "/orders", v)
}

// Get runs GET /orders/{id}.
func (c *Client) Get(ctx context.Context, id string) (*Order, error) {
	return backend.GetJSON[Order](ctx, c.j, "/orders/"+url.PathEscape(id), nil)
}

// Items runs GET /orders/{id}/items: one page of line items, optionally
// only those whose SKU or name contains q.
func (c *Client) Items(ctx context.Context, id, q string, limit, offset int) (*ItemsResult, error) {
	v := backend.Query{}.Str("q", q).Page(limit, offset).Values()
	return backend.GetJSON[ItemsResult](ctx, c.j, "/orders/"+url.PathEscape(id)+"/items", v)
}

// Cancel runs POST /orders/{id}/cancel with an Idempotency-Key, so a
// retried call never cancels (or refunds) twice.
func (c *Client) Cancel(ctx context.Context, id string, r CancelRequest, idemKey string) (*Order, backend.Meta, error) {
	return backend.DoJSON[Order](ctx, c.j, http.MethodPost, "/orders/"+url.PathEscape(id)+"/cancel", idemKey, r)
}

// Refund runs POST /orders/{id}/refunds with an Idempotency-Key, so a
// retried call never refunds twice.
func (c *Client) Refund(ctx context.Context, id string, r RefundRequest, idemKey string) (*RefundResult, backend.Meta, error) {
	return backend.DoJSON[RefundResult](ctx, c.j, http.MethodPost, "/orders/"+url.PathEscape(id)+"/refunds", idemKey, r)
}

// Ping checks the API's GET /health (readiness).
func (c *Client) Ping(ctx context.Context) error { return c.j.Ping(ctx) }

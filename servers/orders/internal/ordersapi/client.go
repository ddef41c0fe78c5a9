// Package ordersapi is the client of the reference orders API (see
// mocks/orders/API.md). It knows HTTP and JSON, not MCP. Errors are
// *backend.Error.
package ordersapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bizmcp/bizmcp/shared/backend"
)

// Client calls the orders API.
type Client struct{ j *backend.JSON }

// New returns a client for the API at baseURL (e.g. http://127.0.0.1:9000/orders).
func New(baseURL string, hc *http.Client) (*Client, error) {
	j, err := backend.NewJSON(baseURL, hc)
	if err != nil {
		return nil, err
	}
	return &Client{j: j}, nil
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
	v := url.Values{}
	for k, s := range map[string]string{"customer_id": q.CustomerID, "customer_email": q.CustomerEmail, "status": q.Status,
		"region": q.Region, "created_from": q.CreatedFrom, "created_to": q.CreatedTo} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	var out ListResult
	if _, err := c.j.Get(ctx, "/orders", v, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get runs GET /orders/{id}.
func (c *Client) Get(ctx context.Context, id string) (*Order, error) {
	var out Order
	if _, err := c.j.Get(ctx, "/orders/"+url.PathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Items runs GET /orders/{id}/items: one page of line items, optionally
// only those whose SKU or name contains q.
func (c *Client) Items(ctx context.Context, id, q string, limit, offset int) (*ItemsResult, error) {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	var out ItemsResult
	if _, err := c.j.Get(ctx, "/orders/"+url.PathEscape(id)+"/items", v, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Cancel runs POST /orders/{id}/cancel with an Idempotency-Key, so a
// retried call never cancels (or refunds) twice.
func (c *Client) Cancel(ctx context.Context, id string, r CancelRequest, idemKey string) (*Order, backend.Meta, error) {
	var out Order
	meta, err := c.j.Do(ctx, http.MethodPost, "/orders/"+url.PathEscape(id)+"/cancel", nil, idemKey, r, &out)
	if err != nil {
		return nil, meta, err
	}
	return &out, meta, nil
}

// Refund runs POST /orders/{id}/refunds with an Idempotency-Key, so a
// retried call never refunds twice.
func (c *Client) Refund(ctx context.Context, id string, r RefundRequest, idemKey string) (*RefundResult, backend.Meta, error) {
	var out RefundResult
	meta, err := c.j.Do(ctx, http.MethodPost, "/orders/"+url.PathEscape(id)+"/refunds", nil, idemKey, r, &out)
	if err != nil {
		return nil, meta, err
	}
	return &out, meta, nil
}

// Package crmapi is the client of the reference CRM API (see mocks/README.md).
// It knows HTTP and JSON, not MCP. Errors are *backend.Error.
package crmapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bizmcp/bizmcp/shared/backend"
)

// Client calls the CRM API.
type Client struct{ j *backend.JSON }

// New returns a client for the API at baseURL (e.g. http://127.0.0.1:9000/crm).
func New(baseURL string, hc *http.Client) (*Client, error) {
	j, err := backend.NewJSON(baseURL, hc)
	if err != nil {
		return nil, err
	}
	return &Client{j: j}, nil
}

// SearchQuery selects customers.
type SearchQuery struct {
	Q      string
	Region string
	Limit  int
	Offset int
}

// Search runs GET /customers/search.
func (c *Client) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	v := url.Values{}
	v.Set("q", q.Q)
	if q.Region != "" {
		v.Set("region", q.Region)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	var out SearchResult
	if _, err := c.j.Get(ctx, "/customers/search", v, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get runs GET /customers/{id}.
func (c *Client) Get(ctx context.Context, id string) (*Customer, error) {
	var out Customer
	if _, err := c.j.Get(ctx, "/customers/"+url.PathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddNote runs POST /customers/{id}/notes with an Idempotency-Key, so a
// retried call never adds the note twice.
func (c *Client) AddNote(ctx context.Context, id string, n NewNote, idemKey string) (*Note, backend.Meta, error) {
	var out Note
	meta, err := c.j.Do(ctx, http.MethodPost, "/customers/"+url.PathEscape(id)+"/notes", nil, idemKey, n, &out)
	if err != nil {
		return nil, meta, err
	}
	return &out, meta, nil
}

// Update runs PATCH /customers/{id} with an Idempotency-Key.
func (c *Client) Update(ctx context.Context, id string, p Patch, idemKey string) (*Customer, backend.Meta, error) {
	var out Customer
	meta, err := c.j.Do(ctx, http.MethodPatch, "/customers/"+url.PathEscape(id), nil, idemKey, p, &out)
	if err != nil {
		return nil, meta, err
	}
	return &out, meta, nil
}

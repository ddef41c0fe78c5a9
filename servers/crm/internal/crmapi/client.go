// Package crmapi is the client of the reference CRM API (see mocks/README.md).
// It knows HTTP and JSON, not MCP. Errors are *backend.Error.
package crmapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/bizmcp/bizmcp/shared/backend"
)

// Client calls the CRM API.
type Client struct{ j *backend.JSON }

// New returns a client for the API at baseURL (e.g. http://127.0.0.1:9000/crm).
func New(baseURL string, hc *http.Client) (*Client, error) {
	return backend.NewAPI(baseURL, hc, func(j *backend.JSON) *Client { return &Client{j: j} })
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
	v := backend.Query{"q": {q.Q}}.Str("region", q.Region).Page(q.Limit, q.Offset).Values()
	return backend.GetJSON[SearchResult](ctx, c.j, "/customers/search", v)
}

// Get runs GET /customers/{id}.
func (c *Client) Get(ctx context.Context, id string) (*Customer, error) {
	return backend.GetJSON[Customer](ctx, c.j, "/customers/"+url.PathEscape(id), nil)
}

// AddNote runs POST /customers/{id}/notes with an Idempotency-Key, so a
// retried call never adds the note twice.
func (c *Client) AddNote(ctx context.Context, id string, n NewNote, idemKey string) (*Note, backend.Meta, error) {
	return backend.DoJSON[Note](ctx, c.j, http.MethodPost, "/customers/"+url.PathEscape(id)+"/notes", idemKey, n)
}

// Update runs PATCH /customers/{id} with an Idempotency-Key.
func (c *Client) Update(ctx context.Context, id string, p Patch, idemKey string) (*Customer, backend.Meta, error) {
	return backend.DoJSON[Customer](ctx, c.j, http.MethodPatch, "/customers/"+url.PathEscape(id), idemKey, p)
}

// Ping checks the API's GET /health (readiness).
func (c *Client) Ping(ctx context.Context) error { return c.j.Ping(ctx) }

// Package emailapi is the client of the reference email API (see
// mocks/email/API.md). It knows HTTP and JSON, not MCP. Errors are
// *backend.Error.
package emailapi

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/bizmcp/bizmcp/shared/backend"
)

// Client calls the email API.
type Client struct{ j *backend.JSON }

// New returns a client for the API at baseURL (e.g. http://127.0.0.1:9000/email).
func New(baseURL string, hc *http.Client) (*Client, error) {
	return backend.NewAPI(baseURL, hc, func(j *backend.JSON) *Client { return &Client{j: j} })
}

// SearchQuery selects messages; zero fields do not filter.
type SearchQuery struct {
	Q          string
	From       string
	Folder     string
	After      time.Time
	Before     time.Time
	CustomerID string
	ThreadID   string
	Limit      int
	Offset     int
}

// Search runs GET /messages/search.
func (c *Client) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	v := backend.Query{}.Str("q", q.Q).Str("from", q.From).Str("folder", q.Folder).
		Str("customer_id", q.CustomerID).Str("thread_id", q.ThreadID).
		Time("after", q.After).Time("before", q.Before).
		Page(q.Limit, q.Offset).Values()
	return backend.GetJSON[SearchResult](ctx, c.j, "/messages/search", v)
}

// Get runs GET /messages/{id}.
func (c *Client) Get(ctx context.Context, id string) (*Message, error) {
	return backend.GetJSON[Message](ctx, c.j, "/messages/"+url.PathEscape(id), nil)
}

// Thread runs GET /threads/{id}.
func (c *Client) Thread(ctx context.Context, id string) (*Thread, error) {
	return backend.GetJSON[Thread](ctx, c.j, "/threads/"+url.PathEscape(id), nil)
}

// CreateDraft runs POST /drafts with an Idempotency-Key, so a retried call
// creates one draft.
func (c *Client) CreateDraft(ctx context.Context, m Compose, idemKey string) (*Message, backend.Meta, error) {
	return backend.DoJSON[Message](ctx, c.j, http.MethodPost, "/drafts", idemKey, m)
}

// Send runs POST /messages/send with an Idempotency-Key: the backend
// delivers once per key, so a retry after a lost response is a replay.
func (c *Client) Send(ctx context.Context, m Compose, idemKey string) (*Message, backend.Meta, error) {
	return backend.DoJSON[Message](ctx, c.j, http.MethodPost, "/messages/send", idemKey, m)
}

// SendDraft runs POST /drafts/{id}/send with an Idempotency-Key.
func (c *Client) SendDraft(ctx context.Context, id, idemKey string) (*Message, backend.Meta, error) {
	return backend.DoJSON[Message](ctx, c.j, http.MethodPost, "/drafts/"+url.PathEscape(id)+"/send", idemKey, struct{}{})
}

// Ping checks the API's GET /health (readiness).
func (c *Client) Ping(ctx context.Context) error { return c.j.Ping(ctx) }

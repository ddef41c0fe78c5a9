// Package reference is the email port's adapter for the reference email API
// (see mocks/email/API.md). It knows HTTP and JSON, not MCP. Errors are
// *port.Error (the shared HTTP client's backend.Error). A retried write
// lands once because the API deduplicates on the Idempotency-Key header the
// adapter sends with the key the tool derived.
package reference

import (
	"context"
	"net/http"
	"net/url"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Client calls the email API.
type Client struct{ j *backend.JSON }

var _ email.Backend = (*Client)(nil)

// New returns a client for the API at baseURL (e.g. http://127.0.0.1:9000/email).
func New(baseURL string, hc *http.Client) (*Client, error) {
	return backend.NewAPI(baseURL, hc, func(j *backend.JSON) *Client { return &Client{j: j} })
}

// Search runs GET /messages/search.
func (c *Client) Search(ctx context.Context, q email.SearchQuery) (*email.SearchResult, error) {
	v := backend.Query{}.Str("q", q.Q).Str("from", q.From).Str("folder", q.Folder).
		Str("customer_id", q.CustomerID).
		Time("after", q.After).Time("before", q.Before).
		Page(q.Limit, q.Offset).Values()
	return backend.GetJSON[email.SearchResult](ctx, c.j, "/messages/search", v)
}

// Snapshot is "": the API's offsets refer to its current data.
func (c *Client) Snapshot(context.Context, string) (string, error) { return "", nil }

// Get runs GET /messages/{id}.
func (c *Client) Get(ctx context.Context, id string) (*email.Message, error) {
	return backend.GetJSON[email.Message](ctx, c.j, "/messages/"+url.PathEscape(id), nil)
}

// Thread runs GET /threads/{id}.
func (c *Client) Thread(ctx context.Context, id string) (*email.Thread, error) {
	return backend.GetJSON[email.Thread](ctx, c.j, "/threads/"+url.PathEscape(id), nil)
}

// CreateDraft runs POST /drafts with an Idempotency-Key, so a retried call
// creates one draft.
func (c *Client) CreateDraft(ctx context.Context, m email.Compose, key string) (*email.Message, port.Write, error) {
	return write(backend.DoJSON[email.Message](ctx, c.j, http.MethodPost, "/drafts", key, m))
}

// Send runs POST /messages/send with an Idempotency-Key: the backend
// delivers once per key, so a retry after a lost response is a replay.
func (c *Client) Send(ctx context.Context, m email.Compose, key string) (*email.Message, port.Write, error) {
	return write(backend.DoJSON[email.Message](ctx, c.j, http.MethodPost, "/messages/send", key, m))
}

// SendDraft runs POST /drafts/{id}/send with an Idempotency-Key.
func (c *Client) SendDraft(ctx context.Context, id, key string) (*email.Message, port.Write, error) {
	return write(backend.DoJSON[email.Message](ctx, c.j, http.MethodPost, "/drafts/"+url.PathEscape(id)+"/send", key, struct{}{}))
}

// Folders are the API's four folders.
func (c *Client) Folders(context.Context) ([]string, error) { return email.Folders, nil }

// Ping checks the API's GET /health (readiness).
func (c *Client) Ping(ctx context.Context) error { return c.j.Ping(ctx) }

func write(m *email.Message, meta backend.Meta, err error) (*email.Message, port.Write, error) {
	return m, port.Write{Replayed: meta.Replayed, RequestID: meta.RequestID}, err
}

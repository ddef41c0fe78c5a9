// Package reference is the CRM port's adapter for the bizmcp reference CRM
// API (mocks/README.md; served by mock-backends). It knows HTTP and JSON,
// not MCP. Every failure is a *port.Error (the shared HTTP client's).
//
// Exactly once: writes carry the caller's idempotency key as the
// Idempotency-Key header; the API replays the first outcome of a key
// (Idempotent-Replayed: true), so a retried note or update lands once.
package reference

import (
	"context"
	"net/http"
	"net/url"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Client is the CRM port on the reference API.
type Client struct{ j *backend.JSON }

var _ crm.Backend = (*Client)(nil)

// New returns a client for the API at baseURL (e.g. http://127.0.0.1:9000/crm).
func New(baseURL string, hc *http.Client) (*Client, error) {
	return backend.NewAPI(baseURL, hc, func(j *backend.JSON) *Client { return &Client{j: j} })
}

// Open is New as the port, for app.Reference.
func Open(baseURL string, hc *http.Client) (crm.Backend, error) { return New(baseURL, hc) }

// IDFormat: the reference API's ids are C-<digits>.
func (c *Client) IDFormat() crm.IDFormat {
	return crm.IDFormat{Pattern: "^C-[0-9]{1,10}$", Example: "C-1042", Prefix: "C-"}
}

// Search runs GET /customers/search.
func (c *Client) Search(ctx context.Context, q crm.SearchQuery) (*crm.SearchResult, error) {
	v := backend.Query{"q": {q.Text}}.Str("region", q.Region).Page(q.Limit, q.Offset).Values()
	res, err := backend.GetJSON[searchResult](ctx, c.j, "/customers/search", v)
	if err != nil {
		return nil, err
	}
	out := &crm.SearchResult{Total: res.Total, Customers: make([]crm.Customer, len(res.Customers))}
	for i := range res.Customers {
		out.Customers[i] = res.Customers[i].domain()
	}
	return out, nil
}

// Get runs GET /customers/{id}: the API always sends the whole record;
// the lists v does not ask for are counted, not decoded.
func (c *Client) Get(ctx context.Context, id string, v crm.View) (*crm.Customer, error) {
	var r customer
	r.skipUnwanted(v)
	if _, err := c.j.Get(ctx, "/customers/"+url.PathEscape(id), nil, &r); err != nil {
		return nil, err
	}
	d := r.domain()
	return &d, nil
}

// AddNote runs POST /customers/{id}/notes with the key as Idempotency-Key.
func (c *Client) AddNote(ctx context.Context, id string, n crm.NewNote, key string) (*crm.Note, port.Write, error) {
	r, meta, err := backend.DoJSON[note](ctx, c.j, http.MethodPost, "/customers/"+url.PathEscape(id)+"/notes", key, n)
	if err != nil {
		return nil, write(meta), err
	}
	d := crm.Note(*r)
	return &d, write(meta), nil
}

// Update runs PATCH /customers/{id} with the key as Idempotency-Key.
func (c *Client) Update(ctx context.Context, id string, p crm.Patch, key string) (*crm.Customer, port.Write, error) {
	r, meta, err := backend.DoJSON[customer](ctx, c.j, http.MethodPatch, "/customers/"+url.PathEscape(id), key, p)
	if err != nil {
		return nil, write(meta), err
	}
	d := r.domain()
	return &d, write(meta), nil
}

func write(m backend.Meta) port.Write {
	return port.Write{Replayed: m.Replayed, RequestID: m.RequestID}
}

// Ping checks the API's GET /health (readiness).
func (c *Client) Ping(ctx context.Context) error { return c.j.Ping(ctx) }

// Package emailapi is the client of the reference email API (see
// mocks/email/API.md). It knows HTTP and JSON, not MCP. Errors are
// *backend.Error.
package emailapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bizmcp/bizmcp/shared/backend"
)

// Client calls the email API.
type Client struct{ j *backend.JSON }

// New returns a client for the API at baseURL (e.g. http://127.0.0.1:9000/email).
func New(baseURL string, hc *http.Client) (*Client, error) {
	j, err := backend.NewJSON(baseURL, hc)
	if err != nil {
		return nil, err
	}
	return &Client{j: j}, nil
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
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", q.Q)
	set("from", q.From)
	set("folder", q.Folder)
	set("customer_id", q.CustomerID)
	set("thread_id", q.ThreadID)
	if !q.After.IsZero() {
		v.Set("after", q.After.UTC().Format(time.RFC3339))
	}
	if !q.Before.IsZero() {
		v.Set("before", q.Before.UTC().Format(time.RFC3339))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	var out SearchResult
	if _, err := c.j.Get(ctx, "/messages/search", v, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get runs GET /messages/{id}.
func (c *Client) Get(ctx context.Context, id string) (*Message, error) {
	var out Message
	if _, err := c.j.Get(ctx, "/messages/"+url.PathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Thread runs GET /threads/{id}.
func (c *Client) Thread(ctx context.Context, id string) (*Thread, error) {
	var out Thread
	if _, err := c.j.Get(ctx, "/threads/"+url.PathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateDraft runs POST /drafts with an Idempotency-Key, so a retried call
// creates one draft.
func (c *Client) CreateDraft(ctx context.Context, m Compose, idemKey string) (*Message, backend.Meta, error) {
	var out Message
	meta, err := c.j.Do(ctx, http.MethodPost, "/drafts", nil, idemKey, m, &out)
	if err != nil {
		return nil, meta, err
	}
	return &out, meta, nil
}

// Send runs POST /messages/send with an Idempotency-Key: the backend
// delivers once per key, so a retry after a lost response is a replay.
func (c *Client) Send(ctx context.Context, m Compose, idemKey string) (*Message, backend.Meta, error) {
	var out Message
	meta, err := c.j.Do(ctx, http.MethodPost, "/messages/send", nil, idemKey, m, &out)
	if err != nil {
		return nil, meta, err
	}
	return &out, meta, nil
}

// SendDraft runs POST /drafts/{id}/send with an Idempotency-Key.
func (c *Client) SendDraft(ctx context.Context, id, idemKey string) (*Message, backend.Meta, error) {
	var out Message
	meta, err := c.j.Do(ctx, http.MethodPost, "/drafts/"+url.PathEscape(id)+"/send", nil, idemKey, struct{}{}, &out)
	if err != nil {
		return nil, meta, err
	}
	return &out, meta, nil
}

package backend

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Helpers the servers' backend API clients (servers/*/internal/*api) are
// built from: one constructor, typed GET and write calls, and a query
// builder that leaves unset filters out.

// NewAPI returns the API client wrap builds around a JSON client for
// baseURL (see NewJSON), or NewJSON's error.
func NewAPI[C any](baseURL string, hc *http.Client, wrap func(*JSON) *C) (*C, error) {
	j, err := NewJSON(baseURL, hc)
	if err != nil {
		return nil, err
	}
	return wrap(j), nil
}

// GetJSON runs GET path (escaped by the caller) with query q and decodes
// the response into a new T; nil and the *Error on failure.
func GetJSON[T any](ctx context.Context, c *JSON, path string, q url.Values) (*T, error) {
	var out T
	if _, err := c.Get(ctx, path, q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DoJSON runs one call without a query (see JSON.Do: a non-empty idemKey is
// sent as Idempotency-Key) and decodes the response into a new T. On
// failure it returns nil, the exchange's Meta and the *Error.
func DoJSON[T any](ctx context.Context, c *JSON, method, path, idemKey string, in any) (*T, Meta, error) {
	var out T
	meta, err := c.Do(ctx, method, path, nil, idemKey, in, &out)
	if err != nil {
		return nil, meta, err
	}
	return &out, meta, nil
}

// Query builds the query of a list or search call. Its setters leave zero
// values out, so a filter the caller did not set is not sent; they return
// q for chaining. Set a parameter that is always sent with a literal:
// Query{"q": {s}}.
type Query url.Values

// Str sets key to s unless s is empty.
func (q Query) Str(key, s string) Query {
	if s != "" {
		url.Values(q).Set(key, s)
	}
	return q
}

// Int sets key to n unless n <= 0.
func (q Query) Int(key string, n int) Query {
	if n > 0 {
		url.Values(q).Set(key, strconv.Itoa(n))
	}
	return q
}

// Time sets key to t in UTC as RFC 3339 unless t is zero.
func (q Query) Time(key string, t time.Time) Query {
	if !t.IsZero() {
		url.Values(q).Set(key, t.UTC().Format(time.RFC3339))
	}
	return q
}

// Page sets limit and offset, each unless <= 0.
func (q Query) Page(limit, offset int) Query {
	return q.Int("limit", limit).Int("offset", offset)
}

// Values returns q as url.Values, for JSON.Get and GetJSON.
func (q Query) Values() url.Values { return url.Values(q) }

package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/VictoriaMetrics/metrics"
)

var (
	bodyBudgetRefused = metrics.NewCounter(`bizmcp_http_body_budget_refused_total`)
	connRefused       = metrics.NewCounter(`bizmcp_http_connections_refused_total{reason="per_address_limit"}`)
	idleClosed        = metrics.NewCounter(`bizmcp_http_connections_refused_total{reason="idle_per_address_limit"}`)
)

// budget is the server-wide cap on request-body bytes held in memory by
// requests in flight (MCP_MAX_INFLIGHT_BODY_BYTES).
type budget struct {
	max  int64
	used atomic.Int64
}

func (b *budget) take(n int64) bool {
	if b == nil || b.max <= 0 {
		return true
	}
	if b.used.Add(n) > b.max {
		b.used.Add(-n)
		return false
	}
	return true
}

func (b *budget) give(n int64) {
	if b != nil && b.max > 0 && n > 0 {
		b.used.Add(-n)
	}
}

var (
	errTooLarge   = errors.New("body too large")
	errOverBudget = errors.New("server-wide body budget exhausted")
)

// readBody reads r's body, at most max bytes, taking every byte it holds
// from b first. It returns the body and how much it took (to give back
// when the request ends, also on error).
func readBody(r *http.Request, max int64, b *budget) (body []byte, taken int64, err error) {
	if r.ContentLength > max {
		return nil, 0, errTooLarge
	}
	if r.ContentLength >= 0 {
		// Known length: take it all before reading a byte.
		if !b.take(r.ContentLength + 1) {
			return nil, 0, errOverBudget
		}
		taken = r.ContentLength + 1
		buf := make([]byte, 0, r.ContentLength+1)
		buf, err = readAllInto(buf, io.LimitReader(r.Body, max+1))
		if int64(len(buf)) > max {
			return nil, taken, errTooLarge
		}
		return buf, taken, err
	}
	// Unknown length (chunked): take the budget chunk by chunk.
	const chunk = 32 << 10
	var buf []byte
	lr := io.LimitReader(r.Body, max+1)
	for {
		if int64(cap(buf)-len(buf)) < chunk {
			if !b.take(chunk) {
				return nil, taken, errOverBudget
			}
			taken += chunk
			nb := make([]byte, len(buf), cap(buf)+chunk)
			copy(nb, buf)
			buf = nb
		}
		n, rerr := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			return nil, taken, errTooLarge
		}
		if rerr == io.EOF {
			return buf, taken, nil
		}
		if rerr != nil {
			return nil, taken, rerr
		}
	}
}

func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			// A body longer than its Content-Length cannot happen over
			// net/http; grow for other callers.
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

type bodyKey struct{}

// BodyFrom returns the request body the transport read (within the size
// cap and the server-wide budget) for the handlers after it, without a
// second copy; ok is false when the transport did not read it.
func BodyFrom(r *http.Request) (body []byte, ok bool) {
	body, ok = r.Context().Value(bodyKey{}).([]byte)
	return body, ok
}

func withBody(r *http.Request, body []byte) *http.Request {
	r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, body))
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return r
}

// Package ratelimit bounds inbound MCP calls per client with token buckets
// (golang.org/x/time/rate). Over the limit, a tool call gets a tool error
// that says how long to wait; it never queues or blocks.
//
// A client is identified, in order, by the authenticated user (the bearer
// token's subject), by the HTTP client address that the transport records
// in the ClientHeader (overwriting anything the client sent: the peer, or
// the forwarded client when the peer is a trusted proxy), or by the MCP
// session (stdio: one process, one client).
package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/time/rate"
)

// ClientHeader carries the HTTP client address from the transport to the
// middleware. The transport always overwrites it.
const ClientHeader = "X-Bizmcp-Client-Addr"

// Limiter holds one token bucket per client, bounded in number.
type Limiter struct {
	rate    rate.Limit
	burst   int
	maxKeys int
	idle    time.Duration
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a limiter allowing perSecond calls per client with burst.
func New(perSecond float64, burst int) *Limiter {
	return &Limiter{
		rate: rate.Limit(perSecond), burst: burst,
		maxKeys: 10000, idle: 10 * time.Minute, now: time.Now,
		buckets: map[string]*bucket{},
	}
}

// Allow takes one token for key; when none is left it returns how long until
// one is.
func (l *Limiter) Allow(key string) (ok bool, wait time.Duration) {
	now := l.now()
	l.mu.Lock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.maxKeys {
			l.evictLocked(now)
		}
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	l.mu.Unlock()
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// evictLocked drops idle buckets, or all of them if none is idle (a flood of
// distinct clients must not grow memory without bound).
func (l *Limiter) evictLocked(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.seen) > l.idle {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= l.maxKeys {
		clear(l.buckets)
	}
}

// ClientKey identifies the caller of req (see the package comment).
func ClientKey(req mcp.Request) string {
	if ex := req.GetExtra(); ex != nil {
		if ex.TokenInfo != nil && ex.TokenInfo.UserID != "" {
			return "user:" + ex.TokenInfo.UserID
		}
		if a := ex.Header.Get(ClientHeader); a != "" {
			return "addr:" + a
		}
	}
	if s := req.GetSession(); s != nil && s.ID() != "" {
		return "session:" + s.ID()
	}
	return "local"
}

// Middleware limits tools/call, resources/read, prompts/get and
// completion/complete, all from one bucket per client: a completion may
// cost a backend search like a tool call.
func (l *Limiter) Middleware() mcp.Middleware {
	limited := metrics.GetOrCreateCounter(`bizmcp_inbound_rate_limited_total`)
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			switch method {
			case "tools/call", "resources/read", "prompts/get", "completion/complete":
			default:
				return next(ctx, method, req)
			}
			ok, wait := l.Allow(ClientKey(req))
			if ok {
				return next(ctx, method, req)
			}
			limited.Inc()
			ms := wait.Milliseconds()
			if ms < 1 {
				ms = 1
			}
			msg := fmt.Sprintf("rate limit: this client may make %g calls per second (burst %d). Retry after %d ms; do not retry sooner.", float64(l.rate), l.burst, ms)
			if method == "tools/call" {
				r := &mcp.CallToolResult{Meta: mcp.Meta{"retry_after_ms": ms}}
				r.SetError(fmt.Errorf("%s", msg))
				return r, nil
			}
			return nil, fmt.Errorf("%s", msg)
		}
	}
}

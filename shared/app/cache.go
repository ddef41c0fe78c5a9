package app

import (
	"context"
	"reflect"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Cache hints (MCP 2026-07-28: every list and resources/read result carries
// cacheScope and ttlMs).
const (
	// ListTTLMs: lists and fixed reference documents change only with a
	// new deployment.
	ListTTLMs = 5 * 60 * 1000
	// PrivateListTTLMs: a caller's own tool list (scopes) may be reused by
	// that caller's client for a minute.
	PrivateListTTLMs = 60 * 1000
)

// cacheHints decides cacheScope and ttlMs. Under auth every result is
// "private": the tool list depends on the caller's scopes and reads on the
// caller's region, and a shared cache must not hand a result fetched with
// one token to a request with another (or with none). Without auth the
// lists are the same for everyone: "public" for ListTTLMs. A resource read
// is live data (a record, or a policy document that shows how much quota
// is left), so it is "private" with ttl 0 unless its handler decided
// otherwise.
func cacheHints(_ context.Context, req mcp.Request, c *mcp.Cacheable) {
	_, isRead := req.(*mcp.ReadResourceRequest)
	if ex := req.GetExtra(); ex != nil && ex.TokenInfo != nil {
		c.CacheScope, c.TTLMs = "private", PrivateListTTLMs
		if isRead {
			c.TTLMs = 0
		}
		return
	}
	if isRead {
		if c.CacheScope == "" {
			c.CacheScope, c.TTLMs = "private", 0
		}
		return
	}
	c.CacheScope, c.TTLMs = "public", ListTTLMs
}

// capabilities advertises only what a server uses: no logging (the
// servers send no log messages; the feature is deprecated in 2026-07-28),
// and no listChanged (tool, prompt and resource lists are fixed once a
// server starts, so those notifications are never sent).
//
// It also keeps the serverInfo that MCP 2026-07-28 repeats in every
// result's _meta to name, title and version: the icons stay in
// initialize and server/discover, not in every tool result.
func capabilities(impl *mcp.Implementation) mcp.Middleware {
	compact := &mcp.Implementation{Name: impl.Name, Title: impl.Title, Version: impl.Version}
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			var caps *mcp.ServerCapabilities
			switch r := res.(type) {
			case *mcp.InitializeResult:
				caps = r.Capabilities
			case *mcp.DiscoverResult:
				caps = r.Capabilities
			default:
				if err == nil && res != nil && !reflect.ValueOf(res).IsNil() && newProtocol(req) {
					m := res.GetMeta()
					if m == nil {
						m = map[string]any{}
					}
					if _, ok := m[mcp.MetaKeyServerInfo]; !ok {
						m[mcp.MetaKeyServerInfo] = compact
						res.SetMeta(m)
					}
				}
			}
			if caps != nil {
				caps.Logging = nil
				if caps.Tools != nil {
					caps.Tools.ListChanged = false
				}
				if caps.Prompts != nil {
					caps.Prompts.ListChanged = false
				}
				if caps.Resources != nil {
					caps.Resources.ListChanged = false
				}
			}
			return res, err
		}
	}
}

// newProtocol reports whether req follows MCP 2026-07-28 or later (it
// carries its protocol version in _meta).
func newProtocol(req mcp.Request) bool {
	p := req.GetParams()
	if p == nil || reflect.ValueOf(p).IsNil() {
		return false
	}
	_, ok := p.GetMeta()[mcp.MetaKeyProtocolVersion]
	return ok
}

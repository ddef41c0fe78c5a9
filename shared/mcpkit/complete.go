package mcpkit

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/ratelimit"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CompleteFunc returns candidate values for an argument starting with prefix.
type CompleteFunc func(ctx context.Context, req *mcp.CompleteRequest, prefix string) ([]string, error)

// MaxCompletions bounds one completion answer (the spec allows 100).
const MaxCompletions = 20

// CompletionCacheTTL is how long a completion answer is reused for the
// same caller, region, reference, argument and prefix: a client completes
// as the user types, and each answer may cost a backend search.
const CompletionCacheTTL = 10 * time.Second

// maxCachedCompletions bounds the cache's entries.
const maxCachedCompletions = 2048

// Completions routes completion/complete requests to the function
// registered for a prompt argument or a resource-template variable, and
// caches answers briefly per caller (principal and region, or client
// address when unauthenticated). Completions are rate-limited with tool
// calls (see ratelimit.Middleware).
type Completions struct {
	m   map[string]CompleteFunc
	now func() time.Time

	mu    sync.Mutex
	cache map[string]cachedCompletion
}

type cachedCompletion struct {
	vals []string
	at   time.Time
}

// NewCompletions returns an empty registry.
func NewCompletions() *Completions {
	return &Completions{m: map[string]CompleteFunc{}, now: time.Now, cache: map[string]cachedCompletion{}}
}

// cacheKey identifies who asks what: the answer depends on the caller's
// region and may differ per user.
func cacheKey(req *mcp.CompleteRequest, key, prefix string) string {
	p := policy.Of(req)
	who := "user:" + p.Subject
	if !p.Authenticated {
		who = ratelimit.ClientKey(req)
	}
	var ctxArgs []byte
	if req.Params.Context != nil {
		ctxArgs, _ = json.Marshal(req.Params.Context.Arguments)
	}
	return who + "\x00" + p.Region + "\x00" + key + "\x00" + prefix + "\x00" + string(ctxArgs)
}

func (c *Completions) cached(k string) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.cache[k]
	if !ok || c.now().Sub(e.at) >= CompletionCacheTTL {
		return nil, false
	}
	return e.vals, true
}

func (c *Completions) store(k string, vals []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.cache) >= maxCachedCompletions {
		for key, e := range c.cache {
			if now.Sub(e.at) >= CompletionCacheTTL {
				delete(c.cache, key)
			}
		}
		if len(c.cache) >= maxCachedCompletions {
			clear(c.cache)
		}
	}
	c.cache[k] = cachedCompletion{vals: vals, at: now}
}

// Prompt registers completion of prompt's argument arg.
func (c *Completions) Prompt(prompt, arg string, f CompleteFunc) {
	c.m["ref/prompt\x00"+prompt+"\x00"+arg] = f
}

// Resource registers completion of the variable arg of uriTemplate.
func (c *Completions) Resource(uriTemplate, arg string, f CompleteFunc) {
	c.m["ref/resource\x00"+uriTemplate+"\x00"+arg] = f
}

// Handler is the server's CompletionHandler: bounded to MaxCompletions
// values, with total and hasMore; unknown references complete to nothing.
func (c *Completions) Handler() func(context.Context, *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
	return func(ctx context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
		res := &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: []string{}}}
		p := req.Params
		if p == nil || p.Ref == nil {
			return res, nil
		}
		name := p.Ref.Name
		if p.Ref.Type == "ref/resource" {
			name = p.Ref.URI
		}
		key := p.Ref.Type + "\x00" + name + "\x00" + p.Argument.Name
		f := c.m[key]
		if f == nil {
			return res, nil
		}
		prefix := strings.TrimSpace(p.Argument.Value)
		if len(prefix) > 100 {
			return res, nil
		}
		ck := cacheKey(req, key, prefix)
		vals, ok := c.cached(ck)
		if !ok {
			var err error
			if vals, err = f(ctx, req, prefix); err != nil {
				return nil, err
			}
			c.store(ck, vals)
		}
		res.Completion.Total = len(vals)
		if len(vals) > MaxCompletions {
			vals = vals[:MaxCompletions]
			res.Completion.HasMore = true
		}
		res.Completion.Values = append(res.Completion.Values, vals...)
		return res, nil
	}
}

// CompleteFrom completes from a fixed list of lower-case values: those
// starting with the prefix, in lower case.
func CompleteFrom(values []string) CompleteFunc {
	return func(ctx context.Context, req *mcp.CompleteRequest, prefix string) ([]string, error) {
		var out []string
		for _, v := range values {
			if strings.HasPrefix(v, strings.ToLower(prefix)) {
				out = append(out, v)
			}
		}
		return out, nil
	}
}

// IDPrefix normalizes a completion prefix for ids like kind+"-123": upper
// case, and bare digits get the kind ("482" → "ORD-482"). ok is false when
// prefix cannot start such an id.
func IDPrefix(prefix, kind string) (pre string, ok bool) {
	pre = strings.ToUpper(prefix)
	if pre != "" && strings.Trim(pre, "0123456789") == "" {
		pre = kind + "-" + pre
	}
	return pre, strings.HasPrefix(pre, kind+"-") || strings.HasPrefix(kind+"-", pre)
}

// ScanPages pages through a backend listing for a completion: fetch reads
// the page at offset (page items at most) and returns how many items it
// held and the listing's total. It stops after a short page, at the total,
// or once max items were asked for, and returns fetch's first error.
func ScanPages(page, max int, fetch func(offset int) (n, total int, err error)) error {
	for offset := 0; offset < max; offset += page {
		n, total, err := fetch(offset)
		if err != nil {
			return err
		}
		if n < page || offset+n >= total {
			break
		}
	}
	return nil
}

package mcpkit

import (
	"context"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CompleteFunc returns candidate values for an argument starting with prefix.
type CompleteFunc func(ctx context.Context, req *mcp.CompleteRequest, prefix string) ([]string, error)

// MaxCompletions bounds one completion answer (the spec allows 100).
const MaxCompletions = 20

// Completions routes completion/complete requests to the function
// registered for a prompt argument or a resource-template variable.
type Completions struct{ m map[string]CompleteFunc }

// NewCompletions returns an empty registry.
func NewCompletions() *Completions { return &Completions{m: map[string]CompleteFunc{}} }

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
		f := c.m[p.Ref.Type+"\x00"+name+"\x00"+p.Argument.Name]
		if f == nil {
			return res, nil
		}
		prefix := strings.TrimSpace(p.Argument.Value)
		if len(prefix) > 100 {
			return res, nil
		}
		vals, err := f(ctx, req, prefix)
		if err != nil {
			return nil, err
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

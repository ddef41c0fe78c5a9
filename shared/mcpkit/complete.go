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

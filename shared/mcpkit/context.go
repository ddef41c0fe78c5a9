package mcpkit

import (
	"context"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Helpers for the servers' resources and prompts.

// PromptArg returns the prompt argument name, trimmed ("" when absent).
func PromptArg(req *mcp.GetPromptRequest, name string) string {
	if req.Params == nil {
		return ""
	}
	return strings.TrimSpace(req.Params.Arguments[name])
}

// UserMessage is a prompt's single user message holding text.
func UserMessage(text string) []*mcp.PromptMessage {
	return []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: text}}}
}

// AddMarkdown registers a static text/markdown resource whose content is text.
func AddMarkdown(s *mcp.Server, name, title, uri, description, text string) {
	s.AddResource(&mcp.Resource{Name: name, Title: title, URI: uri, Description: description, MIMEType: "text/markdown"},
		func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: "text/markdown", Text: text}}}, nil
		})
}

// TextResource renders text (and out) through sc as the text/plain
// contents of the resource uri, keeping the result's metadata.
func TextResource(uri string, sc *Scrub, text string, out any) *mcp.ReadResourceResult {
	res := sc.Render(text, out, nil)
	return &mcp.ReadResourceResult{Meta: res.Meta, Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: "text/plain", Text: res.Content[0].(*mcp.TextContent).Text}}}
}

// ResourceError is the error of reading the resource uri: a resource-not-found
// error when notFound, else err itself.
func ResourceError(uri string, err error, notFound bool) error {
	if notFound {
		return mcp.ResourceNotFoundError(uri)
	}
	return err
}

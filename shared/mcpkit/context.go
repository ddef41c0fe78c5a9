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

// Doc is one static text/markdown resource: reference material a server
// offers as context.
type Doc struct{ Name, Title, URI, Description, Text string }

// AddDocs registers each doc with AddMarkdown.
func AddDocs(s *mcp.Server, docs ...Doc) {
	for _, d := range docs {
		AddMarkdown(s, d.Name, d.Title, d.URI, d.Description, d.Text)
	}
}

// Clip shortens s to at most n runes, marking a cut with "…", for quoting
// user or backend text in messages.
func Clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
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

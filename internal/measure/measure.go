// Package measure compares what a read tool returns with the raw backend
// response it replaces, and what a server's tool definitions cost, for the
// benchmark report and the compression tests.
package measure

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/bizmcp/bizmcp/internal/workload"
	"github.com/bizmcp/bizmcp/shared/compress"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Result is one read tool call measured.
type Result struct {
	Server, Tool string
	Args         string
	RawBytes     int // the backend's response body
	ResultBytes  int // the whole tools/call result as JSON (text, structured content, _meta)
	TextBytes    int // the text content alone
	Text         string
	IsError      bool
}

// Ratio is how many times smaller the result is than the raw response.
func (r Result) Ratio() float64 { return float64(r.RawBytes) / float64(max(r.ResultBytes, 1)) }

// Read calls r on cs and fetches its raw backend response from backendRoot.
func Read(ctx context.Context, cs *mcp.ClientSession, backendRoot, server string, r workload.Read) (Result, error) {
	args, _ := json.Marshal(r.Args)
	out := Result{Server: server, Tool: r.Tool, Args: string(args)}
	resp, err := http.Get(backendRoot + r.BackendPath)
	if err != nil {
		return out, err
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return out, fmt.Errorf("GET %s: %s", r.BackendPath, resp.Status)
	}
	out.RawBytes = len(raw)
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: r.Tool, Arguments: r.Args})
	if err != nil {
		return out, err
	}
	b, _ := json.Marshal(res)
	out.ResultBytes = len(b)
	var sb strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			sb.WriteString(tc.Text)
		}
	}
	out.Text, out.TextBytes, out.IsError = sb.String(), sb.Len(), res.IsError
	return out, nil
}

// ToolDefinitions returns the bytes and estimated tokens of a server's
// tools/list result: what every conversation pays before its first call.
func ToolDefinitions(ctx context.Context, cs *mcp.ClientSession) (bytes, tokens int, err error) {
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	b, err := json.Marshal(res.Tools)
	if err != nil {
		return 0, 0, err
	}
	return len(b), compress.EstimateTokens(len(b)), nil
}

package mcptest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// recorder is a testing.TB that keeps what Errorf reports.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestOutputCheck: a tool whose output breaks its advertised output schema
// fails the test that calls it; a conforming one and a tool error do not.
func TestOutputCheck(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	out := &jsonschema.Schema{Type: "object", Required: []string{"n"}, Properties: map[string]*jsonschema.Schema{"n": {Type: "integer", Minimum: new(float64)}}}
	add := func(name string, sc string, isErr bool) {
		srv.AddTool(&mcp.Tool{Name: name, InputSchema: &jsonschema.Schema{Type: "object"}, OutputSchema: out},
			func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				r := &mcp.CallToolResult{StructuredContent: json.RawMessage(sc), Content: []mcp.Content{&mcp.TextContent{Text: sc}}}
				r.IsError = isErr
				return r, nil
			})
	}
	add("good", `{"n":3}`, false)
	add("negative", `{"n":-1}`, false)
	add("missing", `{"m":1}`, false)
	add("failed", `{"m":1}`, true)
	rec := &recorder{TB: t}
	cs := Connect(rec, srv)
	for _, name := range []string{"good", "negative", "missing", "failed"} {
		Call(t, cs, name, map[string]any{})
	}
	got := strings.Join(rec.errs, "\n")
	if len(rec.errs) != 2 || !strings.Contains(got, "tool negative") || !strings.Contains(got, "tool missing") {
		t.Fatalf("want errors for negative and missing only, got:\n%s", got)
	}
}

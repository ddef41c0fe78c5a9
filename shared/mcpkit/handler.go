package mcpkit

import (
	"context"
	"fmt"
	"sync"

	"github.com/bizmcp/bizmcp/shared/jsonguard"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/segmentio/encoding/json"
)

// typedHandler is the per-call path of AddTool: the same contract as the
// SDK's typed handler (mcp.AddTool), minus the work that need not be done
// on every call.
//
//   - The arguments are validated against the input schema and its
//     defaults applied, with the SDK's error text ("validating
//     \"arguments\": ..."). They are re-encoded only when a default was
//     filled in, then decoded into In with exact (case-sensitive) field
//     names, as the SDK does.
//   - The output is encoded once. mcp.AddTool encodes it, decodes it into a
//     map, validates that against the output schema and encodes it again,
//     on every call; the schema is still advertised, and the tests check
//     every tool's real outputs against it (mcptest.CheckOutputs).
//     Scrub.Render encodes the output for its token estimate and leaves it
//     in StructuredContent; a result that already carries structured
//     content is sent as it is.
//   - The input schema is resolved on the first call, not at start.
//
// JSON: segmentio/encoding (the decoder the SDK itself uses), measured
// faster than encoding/json here; encoding/json/v2 is still an experiment
// (GOEXPERIMENT=jsonv2) in Go 1.26.
func typedHandler[In, Out any](t *mcp.Tool, schema *jsonschema.Schema, h mcp.ToolHandlerFor[In, Out]) mcp.ToolHandler {
	resolve := sync.OnceValues(func() (*jsonschema.Resolved, error) {
		if schema == nil {
			return nil, nil
		}
		return schema.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	})
	nestedDefaults := sync.OnceValue(func() bool { return schema != nil && hasNestedDefault(schema, 0) })
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		rs, err := resolve()
		if err != nil {
			return nil, fmt.Errorf("tool %s: input schema: %w", t.Name, err)
		}
		input, err := applyInputSchema(req.Params.Arguments, rs, nestedDefaults)
		if err != nil {
			return errorResult(fmt.Errorf("validating \"arguments\": %v", err)), nil
		}
		var in In
		if len(input) > 0 {
			if err := decodeExact(input, &in); err != nil {
				return errorResult(err), nil
			}
		}
		res, out, err := h(ctx, req, in)
		if err != nil {
			if wire, ok := err.(*jsonrpc.Error); ok {
				return nil, wire
			}
			return errorResult(err), nil
		}
		if res == nil {
			res = &mcp.CallToolResult{}
		}
		if res.InputRequests != nil || res.StructuredContent != nil {
			return res, nil
		}
		b, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("marshaling output: %w", err)
		}
		res.StructuredContent = json.RawMessage(b)
		if res.Content == nil {
			res.Content = []mcp.Content{&mcp.TextContent{Text: string(b)}}
		}
		return res, nil
	}
}

func errorResult(err error) *mcp.CallToolResult {
	var r mcp.CallToolResult
	r.SetError(err)
	return &r
}

// maxDepth is the SDK's nesting limit for decoded JSON.
const maxDepth = 1000

// applyInputSchema decodes the arguments into a map, applies the schema's
// defaults, validates, and returns the arguments to decode into the input
// type: data itself unless a default was filled in.
func applyInputSchema(data json.RawMessage, rs *jsonschema.Resolved, nestedDefaults func() bool) (json.RawMessage, error) {
	if rs == nil {
		return data, nil
	}
	v := map[string]any{}
	if len(data) > 0 {
		if err := decodeExact(data, &v); err != nil {
			return nil, fmt.Errorf("unmarshaling arguments: %w", err)
		}
	}
	n := len(v)
	var inst any = v
	if err := rs.ApplyDefaults(&inst); err != nil {
		return nil, fmt.Errorf("applying schema defaults:\n%w", err)
	}
	if err := rs.Validate(&inst); err != nil {
		return nil, err
	}
	if len(v) == n && len(data) > 0 && !nestedDefaults() {
		return data, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshalling with defaults: %v", err)
	}
	return b, nil
}

// decodeExact decodes data into v with exact field names and the SDK's
// nesting limit.
func decodeExact(data []byte, v any) error {
	if err := jsonguard.CheckDepth(data, maxDepth); err != nil {
		return err
	}
	rest, err := json.Parse(data, v, json.DontMatchCaseInsensitiveStructFields)
	if err != nil {
		return err
	}
	for _, c := range rest {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return fmt.Errorf("invalid character %q after top-level value", c)
		}
	}
	return nil
}

// hasNestedDefault reports whether a default sits below the top level of
// s, where counting the top-level keys does not show that it was applied.
func hasNestedDefault(s *jsonschema.Schema, level int) bool {
	if s == nil {
		return false
	}
	if level > 0 && s.Default != nil {
		return true
	}
	for _, p := range s.Properties {
		if hasNestedDefault(p, level+1) {
			return true
		}
	}
	return hasNestedDefault(s.Items, level+1) || hasNestedDefault(s.AdditionalProperties, level+1)
}

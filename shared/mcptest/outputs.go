package mcptest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// outputCheck validates the structured content of every successful tool
// result a test session receives against the tool's output schema, as
// advertised in tools/list.
type outputCheck struct {
	t  testing.TB
	cs *mcp.ClientSession

	mu      sync.Mutex
	schemas map[string]*jsonschema.Resolved // tool name -> output schema (nil: none)
}

func (o *outputCheck) middleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		res, err := next(ctx, method, req)
		if err != nil || method != "tools/call" {
			return res, err
		}
		r, ok := res.(*mcp.CallToolResult)
		p, ok2 := req.GetParams().(*mcp.CallToolParams)
		if !ok || !ok2 || r.IsError || r.StructuredContent == nil {
			return res, err
		}
		if msg := o.check(ctx, p.Name, r.StructuredContent); msg != "" {
			o.t.Errorf("tool %s: output does not match its output schema: %s", p.Name, msg)
		}
		return res, err
	}
}

// check returns why out does not match tool's output schema ("" = it does).
func (o *outputCheck) check(ctx context.Context, tool string, out any) string {
	rs, msg := o.schema(ctx, tool)
	if rs == nil {
		return msg
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err.Error()
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err.Error()
	}
	if err := rs.Validate(v); err != nil {
		return err.Error() + "\n" + string(b)
	}
	return ""
}

func (o *outputCheck) schema(ctx context.Context, tool string) (*jsonschema.Resolved, string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.schemas == nil {
		if o.cs == nil {
			return nil, ""
		}
		o.schemas = map[string]*jsonschema.Resolved{}
		for t, err := range o.cs.Tools(ctx, nil) {
			if err != nil {
				return nil, "tools/list: " + err.Error()
			}
			if t.OutputSchema == nil {
				o.schemas[t.Name] = nil
				continue
			}
			b, err := json.Marshal(t.OutputSchema)
			if err != nil {
				return nil, err.Error()
			}
			var s jsonschema.Schema
			if err := json.Unmarshal(b, &s); err != nil {
				return nil, "output schema of " + t.Name + ": " + err.Error()
			}
			rs, err := s.Resolve(nil)
			if err != nil {
				return nil, "output schema of " + t.Name + ": " + err.Error()
			}
			o.schemas[t.Name] = rs
		}
	}
	rs, ok := o.schemas[tool]
	if !ok {
		return nil, "tool not in tools/list"
	}
	return rs, ""
}

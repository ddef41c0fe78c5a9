package mcpkit

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Arguments that break a tool's input schema are refused by the SDK before
// the handler runs, with the validator's message ("validating root:
// validating /properties/id: pattern: ..."). AddTool installs, once per
// server, a receiving middleware that rewrites such a result into the same
// kind of tool error as every other mistake: what is wrong with which
// argument, in the schema's own terms ("id must look like C-1042").

var argSchemas sync.Map // *mcp.Server -> *toolSchemas

type toolSchemas struct {
	mu    sync.RWMutex
	tools map[string]*jsonschema.Schema
}

func registerArgSchema(s *mcp.Server, tool string, in *jsonschema.Schema) {
	v, loaded := argSchemas.LoadOrStore(s, &toolSchemas{tools: map[string]*jsonschema.Schema{}})
	ts := v.(*toolSchemas)
	ts.mu.Lock()
	ts.tools[tool] = in
	ts.mu.Unlock()
	if !loaded {
		s.AddReceivingMiddleware(ts.middleware)
	}
}

func (ts *toolSchemas) middleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		res, err := next(ctx, method, req)
		if method != "tools/call" || err != nil {
			return res, err
		}
		r, ok := res.(*mcp.CallToolResult)
		if !ok || !r.IsError || len(r.Content) != 1 {
			return res, err
		}
		tc, ok := r.Content[0].(*mcp.TextContent)
		if !ok || !(strings.HasPrefix(tc.Text, `validating "arguments"`) || strings.Contains(tc.Text, "unmarshaling arguments")) {
			return res, err
		}
		params, ok := req.GetParams().(*mcp.CallToolParamsRaw)
		if !ok {
			return res, err
		}
		ts.mu.RLock()
		schema := ts.tools[params.Name]
		ts.mu.RUnlock()
		if schema == nil {
			return res, err
		}
		r.Content = []mcp.Content{&mcp.TextContent{Text: ArgumentsError(params.Name, schema, params.Arguments)}}
		return r, nil
	}
}

// ArgumentsError explains why args do not fit the tool's input schema, as
// a tool error text the model can act on.
func ArgumentsError(tool string, schema *jsonschema.Schema, args json.RawMessage) string {
	var v any
	problems := []string{}
	if len(args) == 0 || string(args) == "null" {
		v = map[string]any{}
	} else if err := json.Unmarshal(args, &v); err != nil {
		problems = append(problems, "the arguments are not valid JSON")
	}
	if len(problems) == 0 {
		problems = explain("", schema, v, problems)
	}
	if len(problems) == 0 {
		problems = append(problems, "they do not match the tool's input schema")
	}
	if len(problems) > 5 {
		problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
	}
	return fmt.Sprintf("Invalid arguments for %s: %s. Nothing was done; fix the arguments and call again.", tool, strings.Join(problems, "; "))
}

var exampleRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\be\.g\.,? ([^\s,;)]+)`) })

// explain appends what is wrong with v under schema s; path names the
// argument ("id", "to.postal_code", "fields[2]").
func explain(path string, s *jsonschema.Schema, v any, out []string) []string {
	if s == nil {
		return out
	}
	name := path
	if name == "" {
		name = "the arguments"
	}
	if t := jsonType(v); !typeFits(s, t, v) {
		want := s.Type
		if want == "" && len(s.Types) > 0 {
			want = strings.Join(s.Types, " or ")
		}
		return append(out, fmt.Sprintf("%s must be %s %s, not %s", name, article(want), want, describe(v)))
	}
	if len(s.Enum) > 0 {
		ok := false
		for _, e := range s.Enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				ok = true
			}
		}
		if !ok {
			vals := make([]string, len(s.Enum))
			for i, e := range s.Enum {
				vals[i] = fmt.Sprint(e)
			}
			return append(out, fmt.Sprintf("%s must be one of %s, not %s", name, strings.Join(vals, ", "), describe(v)))
		}
	}
	switch x := v.(type) {
	case string:
		n := len([]rune(x))
		if s.MinLength != nil && n < *s.MinLength {
			if *s.MinLength == 1 {
				out = append(out, fmt.Sprintf("%s must not be empty", name))
			} else {
				out = append(out, fmt.Sprintf("%s must be at least %d characters, not %d", name, *s.MinLength, n))
			}
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			out = append(out, fmt.Sprintf("%s must be at most %d characters, not %d", name, *s.MaxLength, n))
		}
		if s.Pattern != "" {
			if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(x) {
				if m := exampleRE().FindStringSubmatch(s.Description); m != nil {
					out = append(out, fmt.Sprintf("%s must look like %s, not %s", name, strings.TrimRight(m[1], "."), describe(v)))
				} else {
					out = append(out, fmt.Sprintf("%s must match %s, not %s", name, s.Pattern, describe(v)))
				}
			}
		}
	case float64:
		lo, hi := s.Minimum, s.Maximum
		if (lo != nil && x < *lo) || (hi != nil && x > *hi) {
			switch {
			case lo != nil && hi != nil:
				out = append(out, fmt.Sprintf("%s must be between %s and %s, not %s", name, num(*lo), num(*hi), num(x)))
			case lo != nil:
				out = append(out, fmt.Sprintf("%s must be at least %s, not %s", name, num(*lo), num(x)))
			default:
				out = append(out, fmt.Sprintf("%s must be at most %s, not %s", name, num(*hi), num(x)))
			}
		}
	case []any:
		if s.MinItems != nil && len(x) < *s.MinItems {
			out = append(out, fmt.Sprintf("%s needs at least %d item(s), not %d", name, *s.MinItems, len(x)))
		}
		if s.MaxItems != nil && len(x) > *s.MaxItems {
			out = append(out, fmt.Sprintf("%s takes at most %d items, not %d", name, *s.MaxItems, len(x)))
		}
		for i, e := range x {
			out = explain(fmt.Sprintf("%s[%d]", path, i), s.Items, e, out)
		}
	case map[string]any:
		prefix := ""
		if path != "" {
			prefix = path + "."
		}
		for _, r := range s.Required {
			if _, ok := x[r]; !ok {
				msg := prefix + r + " is required"
				if p := s.Properties[r]; p != nil && p.Description != "" {
					msg += " (" + p.Description + ")"
				}
				out = append(out, msg)
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p, known := s.Properties[k]
			if !known {
				if s.AdditionalProperties != nil && s.AdditionalProperties.Not != nil {
					names := make([]string, 0, len(s.Properties))
					for n := range s.Properties {
						names = append(names, n)
					}
					sort.Strings(names)
					out = append(out, fmt.Sprintf("%s%s is not an argument of this tool (it takes %s)", prefix, k, strings.Join(names, ", ")))
				}
				continue
			}
			out = explain(prefix+k, p, x[k], out)
		}
	}
	return out
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func typeFits(s *jsonschema.Schema, t string, v any) bool {
	types := s.Types
	if s.Type != "" {
		types = []string{s.Type}
	}
	if len(types) == 0 {
		return true
	}
	for _, want := range types {
		if want == t || (want == "number" && t == "integer") {
			return true
		}
	}
	return false
}

func article(t string) string {
	if strings.HasPrefix(t, "a") || strings.HasPrefix(t, "i") || strings.HasPrefix(t, "o") {
		return "an"
	}
	return "a"
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 60 {
			x = x[:60] + "…"
		}
		return fmt.Sprintf("%q", x)
	case float64:
		return num(x)
	case bool:
		return fmt.Sprint(x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprint(v)
}

func num(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprint(f)
}

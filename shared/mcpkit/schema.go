// Package mcpkit is the small layer every bizmcp tool is built with:
// schema inference with declared constraints, explicit annotations, result
// rendering with sanitization bookkeeping, and backend errors turned into
// tool errors that tell the model what to do next.
package mcpkit

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// AddTool registers a typed tool. Its input and output schemas are inferred
// from In and Out (never hand-written), then refined from struct tags:
//
//	enum:"a,b,c"   minimum:"1"  maximum:"100"  minLength:"1"  maxLength:"64"
//	maxItems:"20"  pattern:"^C-[0-9]+$"  default:"20"
//
// and list fields are typed as plain arrays (not ["null","array"]), which
// strict hosts require. Out must be a struct: non-object output schemas
// break TypeScript clients. Schemas already set on t (a server that adjusts
// an inferred schema) are used as they are.
//
// Each call's arguments are validated against the input schema, with its
// defaults applied, as mcp.AddTool does; the output is not re-encoded and
// validated against the output schema on every call (mcptest.CheckOutputs
// checks every tool's real outputs against it in tests). See handler.go.
func AddTool[In, Out any](s *mcp.Server, t *mcp.Tool, h mcp.ToolHandlerFor[In, Out]) {
	if reflect.TypeFor[Out]().Kind() != reflect.Struct {
		panic(fmt.Sprintf("tool %s: output type must be a struct", t.Name))
	}
	tt := *t
	if len(tt.Icons) == 0 {
		tt.Icons = defaultIcons(s)
	}
	var inJSON json.RawMessage
	if tt.InputSchema == nil {
		in, err := SchemaFor[In]()
		if err != nil {
			panic(fmt.Sprintf("tool %s: input schema: %v", t.Name, err))
		}
		tt.InputSchema = in
		if p, ok := precomputedFor(SchemaKey(reflect.TypeFor[In]())); ok {
			inJSON = json.RawMessage(p.JSON)
		}
	} else if s, ok := tt.InputSchema.(*jsonschema.Schema); ok {
		inJSON, _ = inputJSON(SchemaKey(reflect.TypeFor[In]()), s)
	}
	if tt.OutputSchema == nil {
		out, err := SchemaFor[Out]()
		if err != nil {
			panic(fmt.Sprintf("tool %s: output schema: %v", t.Name, err))
		}
		tt.OutputSchema = out
	}
	in, _ := tt.InputSchema.(*jsonschema.Schema)
	h2 := typedHandler(&tt, in, h)
	if inJSON != nil {
		tt.InputSchema = inJSON
	} else {
		tt.InputSchema = encoded(tt.Name, tt.InputSchema)
	}
	s.AddTool(&tt, h2)
	record(s, &tt)
	if in != nil {
		registerArgSchema(s, tt.Name, in)
	}
}

// encoded returns an input schema as the JSON the SDK would send for it,
// encoded once here. The SDK re-encodes a tool's input schema on every
// tools/call over HTTP (looking for x-mcp-header annotations); handed a
// json.RawMessage it copies bytes instead (the *jsonschema.Schema's own
// encoder was 6-7% of the server's CPU per call over HTTP in a profile of
// crm_get_customer). At start the SDK encodes the input schema once either
// way. The output schema stays parsed: the SDK encodes it only for
// tools/list, and would decode it at start if it were bytes. The bytes are
// what encoding/json makes of the schema, so the tool list is unchanged
// (the golden snapshots check it); validation keeps the parsed schema.
func encoded(tool string, schema any) any {
	if schema == nil {
		return nil
	}
	if raw, ok := schema.(json.RawMessage); ok {
		return raw
	}
	b, err := json.Marshal(schema)
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", tool, err))
	}
	return json.RawMessage(b)
}

// SchemaFor infers T's JSON schema and applies the constraint tags. A
// type with a precomputed schema (schemas_gen.go) gets a fresh copy of it
// instead: the same schema, without the work.
func SchemaFor[T any]() (*jsonschema.Schema, error) {
	key := SchemaKey(reflect.TypeFor[T]())
	if p, ok := precomputedFor(key); ok {
		return p.Schema(), nil
	}
	recordInferred(key, inferSchema[T]) // a copy: callers may change theirs
	return inferSchema[T]()
}

func inferSchema[T any]() (*jsonschema.Schema, error) {
	s, err := jsonschema.For[T](nil)
	if err != nil {
		return nil, err
	}
	if err := refine(s, reflect.TypeFor[T]()); err != nil {
		return nil, err
	}
	return s, nil
}

func refine(s *jsonschema.Schema, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s == nil {
		return nil
	}
	plainArray(s)
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return refine(s.Items, t.Elem())
	case reflect.Map:
		if s.AdditionalProperties != nil {
			return refine(s.AdditionalProperties, t.Elem())
		}
		return nil
	case reflect.Struct:
	default:
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Tag.Get("json") == "" {
			if err := refine(s, f.Type); err != nil {
				return err
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		ps := s.Properties[name]
		if ps == nil {
			continue
		}
		plainArray(ps)
		if err := applyTags(ps, f); err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
		if err := refine(ps, f.Type); err != nil {
			return err
		}
	}
	return nil
}

// plainArray turns ["null","array"] into "array".
func plainArray(s *jsonschema.Schema) {
	if len(s.Types) == 2 && s.Types[0] == "null" {
		s.Type, s.Types = s.Types[1], nil
	}
}

func applyTags(s *jsonschema.Schema, f reflect.StructField) error {
	target := s
	if (s.Type == "array") && s.Items != nil {
		if v := f.Tag.Get("maxItems"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return err
			}
			s.MaxItems = &n
		}
		target = s.Items // enum, lengths and patterns apply to the elements
	}
	if v := f.Tag.Get("enum"); v != "" {
		for _, e := range strings.Split(v, ",") {
			target.Enum = append(target.Enum, e)
		}
	}
	for tag, dst := range map[string]**float64{"minimum": &target.Minimum, "maximum": &target.Maximum} {
		if v := f.Tag.Get(tag); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("%s: %w", tag, err)
			}
			*dst = &x
		}
	}
	for tag, dst := range map[string]**int{"minLength": &target.MinLength, "maxLength": &target.MaxLength} {
		if v := f.Tag.Get(tag); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%s: %w", tag, err)
			}
			*dst = &n
		}
	}
	if v := f.Tag.Get("pattern"); v != "" {
		target.Pattern = v
	}
	if v := f.Tag.Get("default"); v != "" {
		raw := json.RawMessage(v)
		if !json.Valid(raw) {
			raw, _ = json.Marshal(v)
		}
		s.Default = raw
	}
	return nil
}

// Hints are the four tool annotations; every tool states all of them.
type Hints struct {
	ReadOnly    bool
	Destructive bool
	Idempotent  bool
	OpenWorld   bool
}

// Annotations builds explicit tool annotations (no field left to a default).
func Annotations(title string, h Hints) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{
		Title:           title,
		ReadOnlyHint:    h.ReadOnly,
		DestructiveHint: &h.Destructive,
		IdempotentHint:  h.Idempotent,
		OpenWorldHint:   &h.OpenWorld,
	}
}

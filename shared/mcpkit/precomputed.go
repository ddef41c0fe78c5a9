package mcpkit

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/jsonschema-go/jsonschema"
)

// Precomputed is a type's schema worked out when the code was written
// rather than at every start: Schema builds a fresh copy of what SchemaFor
// infers for the type (callers may change it), and JSON is its encoding.
//
// Inferring a tool's schemas (reflection over its types, the constraint
// tags) and encoding its input schema were 14% of a server's CPU from exec
// to the answer to initialize (perf over 200 starts of crm-mcp --demo).
// Each server's tools package holds a generated schemas_gen.go that
// registers its types' schemas; apptest.PrecomputedSchemas checks in every
// server's tests that the file says exactly what inference says, and
// rewrites it with UPDATE_TOOLSNAPS=true (make snapshots). A type without
// an entry is inferred at start, as before.
type Precomputed struct {
	Schema func() *jsonschema.Schema
	JSON   string
}

var precomputed = struct {
	sync.RWMutex
	m map[string]Precomputed
	// recording: SchemaFor infers (ignoring the entries) and keeps what
	// it inferred, for the check.
	recording map[string]*jsonschema.Schema
}{m: map[string]Precomputed{}}

// RegisterPrecomputed adds schemas_gen.go's entries, keyed by SchemaKey.
func RegisterPrecomputed(m map[string]Precomputed) {
	precomputed.Lock()
	defer precomputed.Unlock()
	maps.Copy(precomputed.m, m)
}

// SchemaKey names a type for the precomputed schemas: its package path and
// name (type arguments included); "" for a type without a name.
func SchemaKey(t reflect.Type) string {
	if t.Name() == "" || t.PkgPath() == "" {
		return ""
	}
	return t.PkgPath() + "." + t.Name()
}

func precomputedFor(key string) (Precomputed, bool) {
	if key == "" {
		return Precomputed{}, false
	}
	precomputed.RLock()
	defer precomputed.RUnlock()
	if precomputed.recording != nil {
		return Precomputed{}, false
	}
	p, ok := precomputed.m[key]
	return p, ok
}

func recordInferred(key string, infer func() (*jsonschema.Schema, error)) {
	if key == "" {
		return
	}
	precomputed.Lock()
	defer precomputed.Unlock()
	if precomputed.recording == nil {
		return
	}
	if s, err := infer(); err == nil {
		precomputed.recording[key] = s
	}
}

// RecordSchemas runs build with the precomputed schemas set aside and
// returns, by SchemaKey, a copy of every schema SchemaFor inferred in it;
// the second result is the entries registered before. For the check in
// apptest: run it while no other test builds servers.
func RecordSchemas(build func()) (inferred map[string]*jsonschema.Schema, registered map[string]Precomputed) {
	precomputed.Lock()
	precomputed.recording = map[string]*jsonschema.Schema{}
	registered = maps.Clone(precomputed.m)
	precomputed.Unlock()
	stop := func() map[string]*jsonschema.Schema {
		precomputed.Lock()
		defer precomputed.Unlock()
		r := precomputed.recording
		precomputed.recording = nil
		return r
	}
	defer stop() // a panicking build
	build()
	return stop(), registered
}

// inputJSON returns the encoding of a tool's input schema: the
// precomputed JSON when the schema is the precomputed one for In (a server
// that adjusted it, say for a backend's id format, gets its own encoding).
func inputJSON(key string, s *jsonschema.Schema) (json.RawMessage, bool) {
	p, ok := precomputedFor(key)
	if !ok || s == nil || !reflect.DeepEqual(s, p.Schema()) {
		return nil, false
	}
	return json.RawMessage(p.JSON), true
}

// GoLiteral renders s as a Go expression that builds an equal schema (the
// package is referred to as jsonschema). It fails on a value it cannot
// write, such as an enum member that is neither a string, a number, a
// boolean nor null.
func GoLiteral(s *jsonschema.Schema) (string, error) {
	var b strings.Builder
	err := goLit(&b, reflect.ValueOf(s), 1, false)
	return b.String(), err
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// goLit writes v; elide leaves out the type of a pointer to a struct
// (an element of a composite literal, as gofmt -s writes it).
func goLit(b *strings.Builder, v reflect.Value, depth int, elide bool) error {
	indent := strings.Repeat("\t", depth)
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return nil
		}
		if v.Elem().Kind() == reflect.Struct {
			if !elide {
				b.WriteString("&")
			}
			return goLit(b, v.Elem(), depth, elide)
		}
		// new(T(x)) (Go 1.26) for pointers to scalars and to any.
		fmt.Fprintf(b, "new(%s(", typeName(v.Elem().Type()))
		if err := goLit(b, v.Elem(), depth, false); err != nil {
			return err
		}
		b.WriteString("))")
		return nil
	case reflect.Struct:
		if v.Type() != reflect.TypeFor[jsonschema.Schema]() {
			return fmt.Errorf("unexpected struct %s", v.Type())
		}
		if !elide {
			b.WriteString("jsonschema.Schema")
		}
		b.WriteString("{\n")
		for i := range v.NumField() {
			f := v.Field(i)
			if f.IsZero() {
				continue
			}
			if !v.Type().Field(i).IsExported() {
				return fmt.Errorf("schema field %s is unexported", v.Type().Field(i).Name)
			}
			fmt.Fprintf(b, "%s\t%s: ", indent, v.Type().Field(i).Name)
			if err := goLit(b, f, depth+1, false); err != nil {
				return err
			}
			b.WriteString(",\n")
		}
		b.WriteString(indent + "}")
		return nil
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("nil")
			return nil
		}
		if v.Type() == rawMessageType || v.Type().Elem().Kind() == reflect.Uint8 {
			fmt.Fprintf(b, "[]byte(%s)", strconv.Quote(string(v.Bytes())))
			return nil
		}
		b.WriteString(typeName(v.Type()) + "{")
		for i := range v.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := goLit(b, v.Index(i), depth, true); err != nil {
				return err
			}
		}
		b.WriteString("}")
		return nil
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("nil")
			return nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("unexpected map %s", v.Type())
		}
		b.WriteString(typeName(v.Type()) + "{\n")
		keys := slices.Sorted(func(yield func(string) bool) {
			for _, k := range v.MapKeys() {
				if !yield(k.String()) {
					return
				}
			}
		})
		for _, k := range keys {
			fmt.Fprintf(b, "%s\t%s: ", indent, strconv.Quote(k))
			if err := goLit(b, v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key())), depth+1, true); err != nil {
				return err
			}
			b.WriteString(",\n")
		}
		b.WriteString(indent + "}")
		return nil
	case reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return nil
		}
		e := v.Elem()
		switch e.Kind() {
		case reflect.String, reflect.Bool:
			return goLit(b, e, depth, false)
		case reflect.Float64, reflect.Int, reflect.Int64:
			fmt.Fprintf(b, "%s(", e.Type())
			if err := goLit(b, e, depth, false); err != nil {
				return err
			}
			b.WriteString(")")
			return nil
		}
		return fmt.Errorf("unexpected value %#v", e.Interface())
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
		return nil
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
		return nil
	case reflect.Int, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
		return nil
	case reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
		return nil
	}
	return fmt.Errorf("unexpected %s", v.Type())
}

// typeName is t in Go syntax, with the schema type as jsonschema.Schema.
func typeName(t reflect.Type) string {
	return strings.ReplaceAll(t.String(), "interface {}", "any")
}

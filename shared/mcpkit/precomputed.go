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
// boolean nor null. A node whose literal is short stands on one line.
func GoLiteral(s *jsonschema.Schema) (string, error) {
	var r renderer
	return r.goLit(reflect.ValueOf(s), 1, false)
}

// GoLiterals renders several schemas as GoLiteral does, sharing what they
// repeat: a multi-line subschema that stands more than once among them is
// written once, as a function named prefix+N returning a fresh copy, and
// called where it stood. funcs holds those functions' declarations.
func GoLiterals(schemas []*jsonschema.Schema, prefix string) (lits []string, funcs string, err error) {
	count := renderer{counts: map[string]int{}}
	for _, s := range schemas {
		if _, err := count.goLit(reflect.ValueOf(s), 1, false); err != nil {
			return nil, "", err
		}
	}
	r := renderer{counts: count.counts, names: map[string]string{}, prefix: prefix}
	for _, s := range schemas {
		lit, err := r.goLit(reflect.ValueOf(s), 1, false)
		if err != nil {
			return nil, "", err
		}
		lits = append(lits, lit)
	}
	return lits, r.funcs.String(), nil
}

// renderer writes literals. Counting (names nil), it counts the
// multi-line subschemas by their text without indentation; hoisting, it
// writes those counted more than once as functions.
type renderer struct {
	counts map[string]int
	names  map[string]string
	prefix string
	funcs  strings.Builder
	plain  bool // hoisting turned off (to get a subschema's key)
}

func literalKey(lit string) string {
	lines := strings.Split(lit, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, "\t")
	}
	return strings.Join(lines, "\n")
}

// hoisted returns the call that stands for v (a schema struct or a map
// of them), or "" when it is written in place.
func (r *renderer) hoisted(v reflect.Value) (string, error) {
	if r.names == nil || r.plain {
		return "", nil
	}
	plain := renderer{plain: true}
	lit, err := plain.goLit(v, 0, true)
	if err != nil || !strings.Contains(lit, "\n") || r.counts[literalKey(lit)] < 2 {
		return "", err
	}
	key := literalKey(lit)
	if name, ok := r.names[key]; ok {
		return name + "()", nil
	}
	name := fmt.Sprintf("%s%d", r.prefix, len(r.names)+1)
	r.names[key] = name
	if v.Kind() == reflect.Map {
		body, err := r.mapLit(v, 1)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&r.funcs, "\nfunc %s() %s {\n\treturn %s\n}\n", name, typeName(v.Type()), body)
		return name + "()", nil
	}
	body, err := r.structLit(v, 1, false)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&r.funcs, "\nfunc %s() *jsonschema.Schema {\n\treturn &%s\n}\n", name, body)
	return name + "()", nil
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// inlineWidth is the longest literal written on one line.
const inlineWidth = 100

// goLit renders v at depth (tabs of indentation for a multi-line
// literal); elide leaves out the type of a pointer to a struct (an element
// of a composite literal, as gofmt -s writes it).
func (r *renderer) goLit(v reflect.Value, depth int, elide bool) (string, error) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "nil", nil
		}
		if v.Elem().Kind() == reflect.Struct {
			if call, err := r.hoisted(v.Elem()); call != "" || err != nil {
				return call, err
			}
			lit, err := r.goLit(v.Elem(), depth, elide)
			if elide || err != nil {
				return lit, err
			}
			return "&" + lit, nil
		}
		// new(T(x)) (Go 1.26) for pointers to scalars and to any.
		lit, err := r.goLit(v.Elem(), depth, false)
		return "new(" + typeName(v.Elem().Type()) + "(" + lit + "))", err
	case reflect.Struct:
		return r.counted(r.structLit(v, depth, elide))
	case reflect.Slice:
		if v.IsNil() {
			return "nil", nil
		}
		if v.Type() == rawMessageType || v.Type().Elem().Kind() == reflect.Uint8 {
			return "[]byte(" + strconv.Quote(string(v.Bytes())) + ")", nil
		}
		var vals []string
		for i := range v.Len() {
			lit, err := r.goLit(v.Index(i), depth+1, true)
			if err != nil {
				return "", err
			}
			vals = append(vals, lit)
		}
		return composite(typeName(v.Type()), nil, vals, depth), nil
	case reflect.Map:
		if v.IsNil() {
			return "nil", nil
		}
		if call, err := r.hoisted(v); call != "" || err != nil {
			return call, err
		}
		return r.counted(r.mapLit(v, depth))
	case reflect.Interface:
		if v.IsNil() {
			return "nil", nil
		}
		e := v.Elem()
		switch e.Kind() {
		case reflect.String, reflect.Bool:
			return r.goLit(e, depth, false)
		case reflect.Float64, reflect.Int, reflect.Int64:
			lit, err := r.goLit(e, depth, false)
			return e.Type().String() + "(" + lit + ")", err
		}
		return "", fmt.Errorf("unexpected value %#v", e.Interface())
	case reflect.String:
		return strconv.Quote(v.String()), nil
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64), nil
	}
	return "", fmt.Errorf("unexpected %s", v.Type())
}

// mapLit writes a map in place.
// counted counts a multi-line literal on the counting pass (the candidates
// for hoisting into a function) and passes it on.
func (r *renderer) counted(lit string, err error) (string, error) {
	if err == nil && r.counts != nil && r.names == nil && strings.Contains(lit, "\n") {
		r.counts[literalKey(lit)]++
	}
	return lit, err
}

func (r *renderer) mapLit(v reflect.Value, depth int) (string, error) {
	if v.Type().Key().Kind() != reflect.String {
		return "", fmt.Errorf("unexpected map %s", v.Type())
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for _, k := range v.MapKeys() {
			if !yield(k.String()) {
				return
			}
		}
	})
	var quoted, vals []string
	for _, k := range keys {
		lit, err := r.goLit(v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key())), depth+1, true)
		if err != nil {
			return "", err
		}
		quoted, vals = append(quoted, strconv.Quote(k)), append(vals, lit)
	}
	return composite(typeName(v.Type()), quoted, vals, depth), nil
}

// structLit writes a schema struct in place.
func (r *renderer) structLit(v reflect.Value, depth int, elide bool) (string, error) {
	if v.Type() != reflect.TypeFor[jsonschema.Schema]() {
		return "", fmt.Errorf("unexpected struct %s", v.Type())
	}
	var keys, vals []string
	for i := range v.NumField() {
		f := v.Field(i)
		if f.IsZero() {
			continue
		}
		if !v.Type().Field(i).IsExported() {
			return "", fmt.Errorf("schema field %s is unexported", v.Type().Field(i).Name)
		}
		lit, err := r.goLit(f, depth+1, false)
		if err != nil {
			return "", err
		}
		keys, vals = append(keys, v.Type().Field(i).Name), append(vals, lit)
	}
	prefix := "jsonschema.Schema"
	if elide {
		prefix = ""
	}
	return composite(prefix, keys, vals, depth), nil
}

// composite writes a composite literal of type typ (keys nil: a list), on
// one line when it is short and its elements are, else one element a line.
func composite(typ string, keys, vals []string, depth int) string {
	elems := make([]string, len(vals))
	for i, v := range vals {
		if keys != nil {
			elems[i] = keys[i] + ": " + v
		} else {
			elems[i] = v
		}
	}
	line := typ + "{" + strings.Join(elems, ", ") + "}"
	if len(line) <= inlineWidth && !strings.Contains(line, "\n") {
		return line
	}
	indent := strings.Repeat("\t", depth)
	var b strings.Builder
	b.WriteString(typ + "{\n")
	for _, e := range elems {
		b.WriteString(indent + "\t" + e + ",\n")
	}
	b.WriteString(indent + "}")
	return b.String()
}

// typeName is t in Go syntax, with the schema type as jsonschema.Schema.
func typeName(t reflect.Type) string {
	return strings.ReplaceAll(t.String(), "interface {}", "any")
}

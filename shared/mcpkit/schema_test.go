package mcpkit

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
)

type sample struct {
	ID     string   `json:"id" pattern:"^C-[0-9]+$" jsonschema:"customer id"`
	Tier   string   `json:"tier,omitempty" enum:"gold,silver"`
	Limit  int      `json:"limit,omitempty" minimum:"1" maximum:"50" default:"10"`
	Fields []string `json:"fields,omitempty" maxItems:"3" enum:"a,b"`
	Body   string   `json:"body" minLength:"1" maxLength:"10"`
	Nested struct {
		List []int `json:"list"`
	} `json:"nested"`
}

func TestSchemaForAppliesTags(t *testing.T) {
	s, err := SchemaFor[sample]()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	got := string(b)
	for _, want := range []string{
		`"pattern":"^C-[0-9]+$"`, `"enum":["gold","silver"]`, `"minimum":1`, `"maximum":50`, `"default":10`,
		`"maxItems":3`, `"items":{"type":"string","enum":["a","b"]}`, `"minLength":1`, `"maxLength":10`,
		`"list":{"type":"array"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("schema lacks %s\n%s", want, got)
		}
	}
	if strings.Contains(got, `"null"`) {
		t.Errorf("nullable array left in schema: %s", got)
	}
	if !strings.Contains(got, `"required":["id","body","nested"]`) {
		t.Errorf("required: %s", got)
	}
}

func TestIdempotencyKeyStable(t *testing.T) {
	type a struct{ X, Y string }
	k1 := IdempotencyKey("t", a{"1", "2"})
	if k1 != IdempotencyKey("t", a{"1", "2"}) || k1 == IdempotencyKey("t", a{"1", "3"}) || k1 == IdempotencyKey("u", a{"1", "2"}) {
		t.Error("key not a function of tool and arguments")
	}
}

func TestGoLiteral(t *testing.T) {
	one := 1.5
	n := 3
	s := &jsonschema.Schema{
		Type:       "object",
		Properties: map[string]*jsonschema.Schema{"b": {Type: "string", Enum: []any{"x", 2.0, true, nil}}, "a": {Type: "number", Minimum: &one}},
		Items:      &jsonschema.Schema{MaxLength: &n},
		Default:    []byte(`{"a":1}`),
	}
	got, err := GoLiteral(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`&jsonschema.Schema{`, `Type: "object"`, `"a": {`, `Minimum: new(float64(1.5))`,
		`Enum: []any{"x", float64(2), true, nil}`, `MaxLength: new(int(3))`, "Default: []byte(\"{\\\"a\\\":1}\")",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("literal lacks %s:\n%s", want, got)
		}
	}
	if strings.Index(got, `"a": {`) > strings.Index(got, `"b": {`) {
		t.Errorf("map keys not sorted:\n%s", got)
	}
	if _, err := GoLiteral(&jsonschema.Schema{Enum: []any{map[string]any{"k": 1}}}); err == nil {
		t.Error("an enum member that is an object: no error")
	}
}

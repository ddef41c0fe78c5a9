package mcpkit

import (
	"encoding/json"
	"strings"
	"testing"
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

// Package servers_test checks what the four servers publish for catalogs.
package servers_test

import (
	"encoding/json"
	"encoding/xml"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
)

// registrySchema is the MCP registry's published server.json schema
// (testdata/server.schema.json; its source is in testdata/README.md).
func registrySchema(t *testing.T) *jsonschema.Resolved {
	t.Helper()
	b, err := os.ReadFile("testdata/server.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	rs, err := s.Resolve(nil)
	if err != nil {
		t.Fatalf("registry schema does not resolve: %v", err)
	}
	return rs
}

func load(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

func TestServerJSONMatchesRegistrySchema(t *testing.T) {
	rs := registrySchema(t)
	for _, name := range serverNames(t) {
		path := filepath.Join(name, "server.json")
		doc := load(t, path)
		if err := rs.Validate(doc); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		// What the schema cannot say: the name the image label and the
		// runtime use, https icon URLs (the schema's format is not
		// checked by validators) pointing at the committed icon, and a
		// well-formed SVG.
		if doc["name"] != "io.github.bizmcp/"+name {
			t.Errorf("%s: name %v, want io.github.bizmcp/%s (Dockerfile label io.modelcontextprotocol.server.name)", path, doc["name"], name)
		}
		if doc["$schema"] != "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json" {
			t.Errorf("%s: $schema %v is not the schema this test validates against", path, doc["$schema"])
		}
		icons, _ := doc["icons"].([]any)
		if len(icons) == 0 {
			t.Errorf("%s: no icons", path)
		}
		for _, ic := range icons {
			src, _ := ic.(map[string]any)["src"].(string)
			u, err := url.Parse(src)
			if err != nil || u.Scheme != "https" || !strings.HasSuffix(u.Path, "/servers/"+name+"/icon.svg") {
				t.Errorf("%s: icon %q is not the https URL of servers/%s/icon.svg", path, src, name)
			}
		}
		svg, err := os.ReadFile(filepath.Join(name, "icon.svg"))
		if err != nil {
			t.Fatal(err)
		}
		var root struct{ XMLName xml.Name }
		if err := xml.Unmarshal(svg, &root); err != nil || root.XMLName.Local != "svg" || strings.Contains(string(svg), "<script") {
			t.Errorf("%s/icon.svg: not a plain SVG (%v, root %q)", name, err, root.XMLName.Local)
		}
	}
}

// The validator is not a no-op: documents the registry would refuse fail.
func TestRegistrySchemaRejectsBadEntries(t *testing.T) {
	rs := registrySchema(t)
	for what, mutate := range map[string]func(map[string]any){
		"no description":       func(d map[string]any) { delete(d, "description") },
		"name without slash":   func(d map[string]any) { d["name"] = "bizmcp-crm" },
		"description too long": func(d map[string]any) { d["description"] = strings.Repeat("x", 101) },
		"package without transport": func(d map[string]any) {
			delete(d["packages"].([]any)[0].(map[string]any), "transport")
		},
	} {
		doc := load(t, "crm/server.json")
		mutate(doc)
		if err := rs.Validate(doc); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
}

// Package mcptest holds test helpers: an in-memory client session against a
// server, golden tool-schema snapshots, and the static checks every tool
// must pass (unique prefixed names, descriptions, all four annotations).
package mcptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Connect connects an in-memory client to srv; both ends close at cleanup.
// Every successful tools/call result on the session is checked against the
// tool's advertised output schema (the servers do not validate their
// output on every call; see mcpkit.AddTool): a mismatch fails the test.
func Connect(t testing.TB, srv *mcp.Server) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatalf("server connect: %v", err)
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "mcptest", Version: "test"}, nil)
	oc := &outputCheck{t: t}
	c.AddSendingMiddleware(oc.middleware)
	cs, err := c.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatalf("client connect: %v", err)
	}
	oc.cs = cs
	t.Cleanup(func() {
		cs.Close()
		ss.Wait()
	})
	return cs
}

// Call calls a tool and fails the test on a protocol error (tool errors are
// returned in the result).
func Call(t testing.TB, cs *mcp.ClientSession, name string, args any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}

// Text joins the text content of a result.
func Text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// Structured decodes a result's structured content into v.
func Structured(t testing.TB, res *mcp.CallToolResult, v any) {
	t.Helper()
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("structured content: %v\n%s", err, b)
	}
}

// CheckTools enforces the rules every tool follows: a name with the domain
// prefix, unique; a description; all four annotations stated; object input
// and output schemas.
func CheckTools(t *testing.T, cs *mcp.ClientSession, prefix string) []*mcp.Tool {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tool := range res.Tools {
		if !strings.HasPrefix(tool.Name, prefix) {
			t.Errorf("tool %s: name lacks prefix %q", tool.Name, prefix)
		}
		if seen[tool.Name] {
			t.Errorf("tool %s: duplicate name", tool.Name)
		}
		seen[tool.Name] = true
		if len(tool.Description) < 40 {
			t.Errorf("tool %s: description too short to say when to use it", tool.Name)
		}
		a := tool.Annotations
		if a == nil || a.DestructiveHint == nil || a.OpenWorldHint == nil || a.Title == "" {
			t.Errorf("tool %s: annotations must set title, destructiveHint and openWorldHint explicitly", tool.Name)
		} else if a.ReadOnlyHint && *a.DestructiveHint {
			t.Errorf("tool %s: read-only and destructive", tool.Name)
		}
		for kind, s := range map[string]any{"input": tool.InputSchema, "output": tool.OutputSchema} {
			m, _ := s.(map[string]any)
			if m["type"] != "object" {
				t.Errorf("tool %s: %s schema type is %v, want object", tool.Name, kind, m["type"])
			}
		}
	}
	return res.Tools
}

// Snapshots compares each tool's tools/list entry with
// dir/<tool>.json. UPDATE_TOOLSNAPS=true rewrites them; a missing file is
// written locally but fails when CI=true.
func Snapshots(t *testing.T, tools []*mcp.Tool, dir string) {
	t.Helper()
	for _, tool := range tools {
		Golden(t, filepath.Join(dir, tool.Name+".json"), tool)
	}
}

// ContextSnapshots does the same for resource templates, resources and
// prompts: dir/resource-template.<name>.json, dir/resource.<name>.json,
// dir/prompt.<name>.json.
func ContextSnapshots(t *testing.T, cs *mcp.ClientSession, dir string) {
	t.Helper()
	ctx := context.Background()
	for rt, err := range cs.ResourceTemplates(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		Golden(t, filepath.Join(dir, "resource-template."+rt.Name+".json"), rt)
	}
	for r, err := range cs.Resources(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		Golden(t, filepath.Join(dir, "resource."+r.Name+".json"), r)
	}
	for p, err := range cs.Prompts(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		Golden(t, filepath.Join(dir, "prompt."+p.Name+".json"), p)
	}
}

// Golden compares v, as canonical JSON, with the file at path.
// UPDATE_TOOLSNAPS=true rewrites it; a missing file is written locally but
// fails when CI=true.
func Golden(t *testing.T, path string, v any) {
	t.Helper()
	update := os.Getenv("UPDATE_TOOLSNAPS") == "true"
	ci := os.Getenv("CI") == "true"
	got, err := canonical(v)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(path)
	switch {
	case update || (os.IsNotExist(err) && !ci):
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		if !update {
			t.Logf("wrote missing snapshot %s", path)
		}
	case err != nil:
		t.Errorf("snapshot %s: %v (run `make snapshots` and commit the file)", path, err)
	case !bytes.Equal(got, want):
		t.Errorf("%s changed from its snapshot; if intended, run `make snapshots` and commit.\n got: %s", path, got)
	}
}

// canonical renders v as indented JSON with sorted keys.
func canonical(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(generic, "", "  ")
	return append(out, '\n'), err
}

// FuzzTools fuzzes the argument decoding of every tool of the session: each
// input picks a tool and is sent as its arguments (when it is valid JSON).
// A call may fail as a tool error or an invalid-params error; it must never
// break the session, and a follow-up call of the first tool with its first
// seed must still answer.
func FuzzTools(f *testing.F, connect func(testing.TB) *mcp.ClientSession, seeds map[string][]string) {
	var names []string
	for name := range seeds {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		for _, s := range seeds[name] {
			f.Add(uint8(i), []byte(s))
		}
	}
	cs := connect(f) // one session for the whole run, closed at its end
	f.Fuzz(func(t *testing.T, which uint8, args []byte) {
		if !json.Valid(args) {
			return
		}
		name := names[int(which)%len(names)]
		ctx := context.Background()
		_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: json.RawMessage(args)})
		if err != nil && !strings.Contains(err.Error(), "invalid") && !strings.Contains(err.Error(), "unmarshal") {
			t.Fatalf("%s %s: %v", name, args, err)
		}
		if _, err := cs.ListTools(ctx, nil); err != nil {
			t.Fatalf("session broken after %s %s: %v", name, args, err)
		}
	})
}

// Context is what a session lists besides its tools.
type Context struct {
	Prompts   []*mcp.Prompt
	Resources []*mcp.Resource
	Templates []*mcp.ResourceTemplate
}

// CheckContext compares the session's resource templates, resources and
// prompts with their snapshots in dir (see ContextSnapshots), requires a
// description on each of them and on every prompt argument, and requires
// each of want among the prompt names, resource URIs and template URIs.
// It returns what was listed; a resource or template that failed to list
// or lacks a description is reported and left out.
func CheckContext(t *testing.T, cs *mcp.ClientSession, dir string, want ...string) Context {
	t.Helper()
	ContextSnapshots(t, cs, dir)
	ctx := context.Background()
	var c Context
	names := map[string]bool{}
	for p, err := range cs.Prompts(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		c.Prompts = append(c.Prompts, p)
		names[p.Name] = true
		if p.Description == "" {
			t.Errorf("prompt %s has no description", p.Name)
		}
		for _, a := range p.Arguments {
			if a.Description == "" {
				t.Errorf("prompt %s argument %s has no description", p.Name, a.Name)
			}
		}
	}
	for r, err := range cs.Resources(ctx, nil) {
		if err != nil || r.Description == "" {
			t.Errorf("resource %v: %v", r, err)
			continue
		}
		c.Resources = append(c.Resources, r)
		names[r.URI] = true
	}
	for r, err := range cs.ResourceTemplates(ctx, nil) {
		if err != nil || r.Description == "" {
			t.Errorf("template %v: %v", r, err)
			continue
		}
		c.Templates = append(c.Templates, r)
		names[r.URITemplate] = true
	}
	for _, w := range want {
		if !names[w] {
			t.Errorf("context lacks %s: %v", w, slices.Sorted(maps.Keys(names)))
		}
	}
	return c
}

// Invisible reports whether r is a character a reader cannot see but a
// model reads: Unicode tags, zero-width and bidi controls, word joiner,
// BOM, soft hyphen, ESC.
func Invisible(r rune) bool {
	return (r >= 0xE0000 && r <= 0xE007F) || (r >= 0x200B && r <= 0x200F) || r == 0x2060 || r == 0xFEFF ||
		(r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x00AD || r == 0x1B
}

// WalkStrings calls f on every string (keys included) in a decoded JSON
// value.
func WalkStrings(v any, f func(string)) { walk(v, true, f) }

// WalkValues calls f on every string value (not the keys) in a decoded
// JSON value.
func WalkValues(v any, f func(string)) { walk(v, false, f) }

func walk(v any, keys bool, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, e := range v {
			walk(e, keys, f)
		}
	case map[string]any:
		for k, e := range v {
			if keys {
				f(k)
			}
			walk(e, keys, f)
		}
	}
}

// CheckVisible reports every string of res, as JSON (keys included), that
// holds an Invisible character; what names the result in the message.
func CheckVisible(t testing.TB, what string, res *mcp.CallToolResult) {
	t.Helper()
	b, _ := json.Marshal(res)
	var whole any
	json.Unmarshal(b, &whole)
	WalkStrings(whole, func(s string) {
		if strings.ContainsFunc(s, Invisible) {
			t.Errorf("%s: invisible character in output: %q", what, s)
		}
	})
}

// Complete asks the session to complete argument arg of ref from value,
// failing the test on an error.
func Complete(t testing.TB, cs *mcp.ClientSession, ref *mcp.CompleteReference, arg, value string) mcp.CompletionResultDetails {
	t.Helper()
	res, err := cs.Complete(context.Background(), &mcp.CompleteParams{Ref: ref, Argument: mcp.CompleteParamsArgument{Name: arg, Value: value}})
	if err != nil {
		t.Fatalf("complete %s=%q: %v", arg, value, err)
	}
	return res.Completion
}

// IsResourceNotFound reports whether err is the JSON-RPC error a server
// answers for an unknown resource URI.
func IsResourceNotFound(err error) bool {
	var we *jsonrpc.Error
	return errors.As(err, &we) && we.Code == mcp.CodeResourceNotFound
}

// Command mcpdemo is the scripted MCP session behind `make demo`: it starts
// mock-backends, then runs each server binary over stdio and over streamable
// HTTP and drives it with the official go-sdk client, printing a transcript
// a newcomer can read. It exits non-zero if any step does not behave as the
// transcript says it should.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// scenario is one server's part of the demo.
type scenario struct {
	server string // "crm"
	binary string // "crm-mcp"
	prefix string // "CRM_"
	run    func(d *demo) error
}

var scenarios []scenario // filled by each scenario file's init

type demo struct {
	ctx       context.Context
	out       io.Writer
	cs        *mcp.ClientSession
	backend   string // mock-backends base URL, e.g. http://127.0.0.1:40123
	transport string
	failures  int
	width     int
}

func main() {
	bin := flag.String("bin", "bin", "directory holding the built binaries")
	only := flag.String("server", "", "run only this server's scenario (crm, orders, email, shipping)")
	transports := flag.String("transports", "stdio,http", "transports to demo")
	width := flag.Int("width", 600, "truncate each printed result to this many characters (0 = no limit)")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := os.Stdout

	mock, err := proc.Start(ctx, filepath.Join(*bin, "mock-backends"), []string{"--addr", "127.0.0.1:0"}, nil, true, 20*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mcpdemo:", err)
		os.Exit(1)
	}
	defer mock.Stop()
	base := "http://" + mock.Addr
	fmt.Fprintf(out, "mock-backends listening on %s (reference APIs under /crm, /orders, /email, /shipping)\n", base)

	failures := 0
	for _, sc := range scenarios {
		if *only != "" && sc.server != *only {
			continue
		}
		for _, tr := range strings.Split(*transports, ",") {
			d := &demo{ctx: ctx, out: out, backend: base, transport: tr, width: *width}
			if err := d.session(sc, filepath.Join(*bin, sc.binary)); err != nil {
				fmt.Fprintf(out, "!! %s over %s: %v\n", sc.binary, tr, err)
				failures++
				continue
			}
			failures += d.failures
		}
	}
	if failures > 0 {
		fmt.Fprintf(out, "\ndemo finished with %d unexpected result(s)\n", failures)
		os.Exit(1)
	}
	fmt.Fprintln(out, "\ndemo finished: every step behaved as described")
}

func (d *demo) session(sc scenario, bin string) error {
	// The audit trail goes to a file, so it does not mix with the transcript.
	auditFile := filepath.Join(os.TempDir(), "bizmcp-demo-"+sc.server+"-"+d.transport+"-audit.jsonl")
	os.Remove(auditFile)
	defer d.auditSummary(auditFile)
	env := []string{sc.prefix + "API_URL=" + d.backend + "/" + sc.server, "MCP_AUDIT_LOG=" + auditFile}
	client := mcp.NewClient(&mcp.Implementation{Name: "bizmcp-demo", Version: "1"}, nil)
	var t mcp.Transport
	switch d.transport {
	case "stdio":
		// The server's stderr is shared with ours: keep it to warnings.
		cmd := proc.Command(d.ctx, bin, nil, append(env, "MCP_LOG_LEVEL=warn"))
		t = &mcp.CommandTransport{Command: cmd}
		d.banner("%s over stdio (%s)", sc.binary, bin)
	case "http":
		p, err := proc.Start(d.ctx, bin, []string{"--transport", "http", "--addr", "127.0.0.1:0"}, env, true, 20*time.Second)
		if err != nil {
			return err
		}
		defer p.Stop()
		t = &mcp.StreamableClientTransport{Endpoint: "http://" + p.Addr + "/mcp"}
		d.banner("%s over streamable HTTP at http://%s/mcp", sc.binary, p.Addr)
		d.healthz("http://" + p.Addr)
	default:
		return fmt.Errorf("unknown transport %q", d.transport)
	}
	cs, err := client.Connect(d.ctx, t, nil)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer cs.Close()
	d.cs = cs
	init := cs.InitializeResult()
	fmt.Fprintf(d.out, "→ initialize\n← server %s %s, protocol %s\n", init.ServerInfo.Name, init.ServerInfo.Version, init.ProtocolVersion)
	if err := d.listTools(); err != nil {
		return err
	}
	return sc.run(d)
}

// auditSummary says how many audit records the session wrote, and shows one.
func (d *demo) auditSummary(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	fmt.Fprintf(d.out, "\n# The audit trail: %d records in %s, one per tool call, bodies redacted. The last:\n  %s\n", len(lines), path, lines[len(lines)-1])
}

func (d *demo) banner(format string, a ...any) {
	line := fmt.Sprintf(format, a...)
	fmt.Fprintf(d.out, "\n=== %s %s\n", line, strings.Repeat("=", max(0, 70-len(line))))
}

func (d *demo) say(format string, a ...any) { fmt.Fprintf(d.out, "\n# "+format+"\n", a...) }

func (d *demo) healthz(base string) {
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		d.fail("GET /healthz: %v", err)
		return
	}
	resp.Body.Close()
	fmt.Fprintf(d.out, "→ GET /healthz\n← %s\n", resp.Status)
	if resp.StatusCode != 200 {
		d.fail("healthz: %s", resp.Status)
	}
}

func (d *demo) listTools() error {
	res, err := d.cs.ListTools(d.ctx, nil)
	if err != nil {
		return fmt.Errorf("tools/list: %w", err)
	}
	fmt.Fprintf(d.out, "→ tools/list\n")
	for _, t := range res.Tools {
		a := t.Annotations
		fmt.Fprintf(d.out, "← %-28s readOnly=%v destructive=%v idempotent=%v openWorld=%v\n", t.Name, a.ReadOnlyHint, *a.DestructiveHint, a.IdempotentHint, *a.OpenWorldHint)
	}
	return nil
}

// call runs one tool call, prints it, and checks the expectation: wantErr,
// and every substring in want present in the text.
func (d *demo) call(name string, args map[string]any, wantErr bool, want ...string) *mcp.CallToolResult {
	b, _ := json.Marshal(args)
	fmt.Fprintf(d.out, "→ %s %s\n", name, b)
	res, err := d.cs.CallTool(d.ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		d.fail("%s: protocol error: %v", name, err)
		return nil
	}
	text := ""
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			text += tc.Text
		}
	}
	shown := text
	if d.width > 0 && len([]rune(shown)) > d.width {
		shown = string([]rune(shown)[:d.width]) + " …"
	}
	label := "←"
	if res.IsError {
		label = "← tool error:"
	}
	fmt.Fprintf(d.out, "%s %s\n", label, strings.ReplaceAll(shown, "\n", "\n  "))
	if res.IsError != wantErr {
		d.fail("%s: isError=%v, expected %v", name, res.IsError, wantErr)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			d.fail("%s: result lacks %q", name, w)
		}
	}
	return res
}

func (d *demo) fail(format string, a ...any) {
	d.failures++
	fmt.Fprintf(d.out, "!! UNEXPECTED: "+format+"\n", a...)
}

// rawSize fetches a backend path directly, to compare sizes.
func (d *demo) rawSize(path string) int {
	resp, err := http.Get(d.backend + path)
	if err != nil {
		d.fail("GET %s: %v", path, err)
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return len(b)
}

func resultSize(res *mcp.CallToolResult) int {
	if res == nil {
		return 0
	}
	b, _ := json.Marshal(res)
	return len(b)
}

// context lists resource templates, resources and prompts.
func (d *demo) listContext() {
	fmt.Fprintf(d.out, "→ resources/templates/list, resources/list, prompts/list\n")
	for rt, err := range d.cs.ResourceTemplates(d.ctx, nil) {
		if err != nil {
			d.fail("resources/templates/list: %v", err)
			return
		}
		fmt.Fprintf(d.out, "← template %-32s %s\n", rt.URITemplate, rt.Title)
	}
	for r, err := range d.cs.Resources(d.ctx, nil) {
		if err != nil {
			d.fail("resources/list: %v", err)
			return
		}
		fmt.Fprintf(d.out, "← resource %-32s %s\n", r.URI, r.Title)
	}
	for p, err := range d.cs.Prompts(d.ctx, nil) {
		if err != nil {
			d.fail("prompts/list: %v", err)
			return
		}
		fmt.Fprintf(d.out, "← prompt   %-32s %s\n", p.Name, p.Title)
	}
}

// readResource reads uri and checks the text holds every want.
func (d *demo) readResource(uri string, want ...string) {
	fmt.Fprintf(d.out, "→ resources/read %s\n", uri)
	res, err := d.cs.ReadResource(d.ctx, &mcp.ReadResourceParams{URI: uri})
	if err != nil {
		d.fail("resources/read %s: %v", uri, err)
		return
	}
	text := res.Contents[0].Text
	fmt.Fprintf(d.out, "← %s\n", strings.ReplaceAll(d.clip(text), "\n", "\n  "))
	for _, w := range want {
		if !strings.Contains(text, w) {
			d.fail("resource %s lacks %q", uri, w)
		}
	}
}

// getPrompt renders a prompt and checks its text holds every want.
func (d *demo) getPrompt(name string, args map[string]string, want ...string) {
	b, _ := json.Marshal(args)
	fmt.Fprintf(d.out, "→ prompts/get %s %s\n", name, b)
	res, err := d.cs.GetPrompt(d.ctx, &mcp.GetPromptParams{Name: name, Arguments: args})
	if err != nil {
		d.fail("prompts/get %s: %v", name, err)
		return
	}
	text := ""
	for _, m := range res.Messages {
		if tc, ok := m.Content.(*mcp.TextContent); ok {
			text += tc.Text
		}
	}
	fmt.Fprintf(d.out, "← %s\n", strings.ReplaceAll(d.clip(text), "\n", "\n  "))
	for _, w := range want {
		if !strings.Contains(text, w) {
			d.fail("prompt %s lacks %q", name, w)
		}
	}
}

// complete asks for completions of a prompt argument (ref "prompt:NAME") or
// a resource-template variable (ref "resource:URITEMPLATE").
func (d *demo) complete(ref, arg, value string) {
	r := &mcp.CompleteReference{Type: "ref/prompt", Name: strings.TrimPrefix(ref, "prompt:")}
	if u, ok := strings.CutPrefix(ref, "resource:"); ok {
		r = &mcp.CompleteReference{Type: "ref/resource", URI: u}
	}
	fmt.Fprintf(d.out, "→ completion/complete %s %s=%q\n", ref, arg, value)
	res, err := d.cs.Complete(d.ctx, &mcp.CompleteParams{Ref: r, Argument: mcp.CompleteParamsArgument{Name: arg, Value: value}})
	if err != nil {
		d.fail("completion: %v", err)
		return
	}
	fmt.Fprintf(d.out, "← %v (total %d, more: %v)\n", res.Completion.Values, res.Completion.Total, res.Completion.HasMore)
	if len(res.Completion.Values) == 0 {
		d.fail("completion of %s %s=%q offered nothing", ref, arg, value)
	}
}

func (d *demo) clip(s string) string {
	if d.width > 0 && len([]rune(s)) > d.width {
		return string([]rune(s)[:d.width]) + " …"
	}
	return s
}

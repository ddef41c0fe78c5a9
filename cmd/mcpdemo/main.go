// Command mcpdemo is the scripted MCP session behind `make demo`: it starts
// mock-backends, then drives each server binary with the official go-sdk
// client and prints a transcript a newcomer can read to the end. Each
// server's script runs in full over the first transport (stdio by default);
// the others (HTTP) are shown briefly: health, readiness, one call. Results
// are printed whole. It exits non-zero if any step does not behave as the
// transcript says it should.
//
//	mcpdemo [--bin DIR] [--server NAME] [--transports stdio,http] [--full] [--context] [--width N]
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
	"github.com/bizmcp/bizmcp/internal/serverlist"
	"github.com/bizmcp/bizmcp/internal/workload"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// scripts are the servers' scripted scenarios, by server name (filled by
// each scenario file's init). A server without one gets the generic
// scenario: its workload's smoke calls.
var scripts = map[string]func(d *demo) error{}

type demo struct {
	ctx         context.Context
	out         io.Writer
	cs          *mcp.ClientSession
	backend     string // mock-backends base URL, e.g. http://127.0.0.1:40123
	transport   string
	failures    int
	width       int
	showContext bool
	auditDir    string
}

const usageText = `mcpdemo: the scripted MCP session behind "make demo".

Starts mock-backends, then drives every server (the folders under servers/)
with the official go-sdk client: the whole script over the first transport,
a brief check over the others. Pass flags through make with
DEMO_FLAGS, e.g. make demo DEMO_FLAGS="--server orders --context".

Flags:
`

func main() {
	fs := flag.NewFlagSet("mcpdemo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	bin := fs.String("bin", "bin", "directory holding the built binaries")
	only := fs.String("server", "", "run only this server (a folder under servers/: crm, email, orders, shipping, ...)")
	transports := fs.String("transports", "stdio,http", "transports, comma-separated: the first runs the whole script, the others a brief check")
	full := fs.Bool("full", false, "run the whole script over every transport")
	showContext := fs.Bool("context", false, "also show resources, prompts and completions (about 250 more lines)")
	width := fs.Int("width", 0, "cut each printed result to this many characters (0 = print results whole)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			fmt.Print(usageText)
			fs.SetOutput(os.Stdout)
			fs.PrintDefaults()
			return
		}
		fmt.Fprintf(os.Stderr, "mcpdemo: %v (see --help)\n", err)
		os.Exit(2)
	}
	servers, err := serverlist.All()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mcpdemo:", err)
		os.Exit(2)
	}
	if *only != "" {
		var kept []serverlist.Server
		for _, s := range servers {
			if s.Name == *only {
				kept = append(kept, s)
			}
		}
		if kept == nil {
			fmt.Fprintf(os.Stderr, "mcpdemo: no server %q under servers/ (see --help)\n", *only)
			os.Exit(2)
		}
		servers = kept
	}
	trs := strings.Split(*transports, ",")
	for _, tr := range trs {
		if tr != "stdio" && tr != "http" {
			fmt.Fprintf(os.Stderr, "mcpdemo: unknown transport %q: stdio or http (see --help)\n", tr)
			os.Exit(2)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := os.Stdout
	auditDir, err := os.MkdirTemp("", "bizmcp-demo-audit-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mcpdemo:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(auditDir)

	mock, err := proc.Start(ctx, filepath.Join(*bin, "mock-backends"), []string{"--addr", "127.0.0.1:0"}, nil, true, 20*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mcpdemo:", err)
		os.Exit(1)
	}
	defer mock.Stop()
	base := "http://" + mock.Addr
	names := make([]string, len(servers))
	for i, s := range servers {
		names[i] = s.Name
	}
	fmt.Fprintf(out, "bizmcp demo: %s; the whole script over %s, then %s briefly.\n", strings.Join(names, ", "), trs[0], strings.Join(trs[1:], ", "))
	fmt.Fprintf(out, "Lines starting with → are what the client sends, ← what the server answers, # what to look for.\n")
	fmt.Fprintf(out, "mock-backends (the reference APIs with sample data) listens on %s.\n", base)

	failures := 0
	for i, tr := range trs {
		if i > 0 && !*full {
			fmt.Fprintf(out, "\n=== The same servers over streamable HTTP, briefly %s\n", strings.Repeat("=", 30))
			fmt.Fprintf(out, "# Each serves MCP at /mcp and answers /healthz (process up) and /readyz (backend reachable).\n")
		}
		for _, sc := range servers {
			d := &demo{ctx: ctx, out: out, backend: base, transport: tr, width: *width, showContext: *showContext, auditDir: auditDir}
			var err error
			if i == 0 || *full {
				err = d.session(sc, filepath.Join(*bin, sc.Binary))
			} else {
				err = d.brief(sc, filepath.Join(*bin, sc.Binary))
			}
			if err != nil {
				fmt.Fprintf(out, "!! %s over %s: %v\n", sc.Binary, tr, err)
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
	if !*showContext {
		fmt.Fprintln(out, "\nmake demo DEMO_FLAGS=--context also shows resources, prompts and completions; --help lists the options.")
	}
	fmt.Fprintln(out, "demo finished: every step behaved as described")
}

// connect starts the server over d.transport and returns a client session.
// With full, the session ends with a summary of its audit trail.
func (d *demo) connect(sc serverlist.Server, bin string, full bool) (*mcp.ClientSession, func(), error) {
	auditFile := filepath.Join(d.auditDir, sc.Name+"-"+d.transport+".jsonl")
	env := []string{sc.Prefix + "API_URL=" + d.backend + "/" + sc.Name, "MCP_AUDIT_LOG=" + auditFile}
	client := mcp.NewClient(&mcp.Implementation{Name: "bizmcp-demo", Version: "1"}, nil)
	var t mcp.Transport
	stop := func() {}
	where := ""
	switch d.transport {
	case "stdio":
		// The server's stderr is shared with ours: keep it to warnings.
		cmd := proc.Command(d.ctx, bin, nil, append(env, "MCP_LOG_LEVEL=warn"))
		t = &mcp.CommandTransport{Command: cmd}
	case "http":
		p, err := proc.Start(d.ctx, bin, []string{"--transport", "http", "--addr", "127.0.0.1:0"}, env, true, 20*time.Second)
		if err != nil {
			return nil, nil, err
		}
		stop = func() { p.Stop() }
		t = &mcp.StreamableClientTransport{Endpoint: "http://" + p.Addr + "/mcp"}
		where = " at http://" + p.Addr + "/mcp"
	}
	cs, err := client.Connect(d.ctx, t, nil)
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("connect: %w", err)
	}
	d.cs = cs
	init := cs.InitializeResult()
	d.banner("%s %s over %s%s (initialized, protocol %s)", init.ServerInfo.Name, init.ServerInfo.Version, d.transport, where, init.ProtocolVersion)
	if where != "" {
		d.probe(strings.TrimSuffix(strings.TrimPrefix(where, " at "), "/mcp"), "/healthz", "/readyz")
	}
	return cs, func() {
		cs.Close()
		stop()
		if full {
			d.auditSummary(auditFile)
		}
	}, nil
}

func (d *demo) session(sc serverlist.Server, bin string) error {
	_, done, err := d.connect(sc, bin, true)
	if err != nil {
		return err
	}
	defer done()
	if err := d.listTools(); err != nil {
		return err
	}
	if run := scripts[sc.Name]; run != nil {
		return run(d)
	}
	return d.generic(sc)
}

// brief shows a server over a second transport: probes, initialize, the
// number of tools, and its workload's smoke read.
func (d *demo) brief(sc serverlist.Server, bin string) error {
	_, done, err := d.connect(sc, bin, false)
	if err != nil {
		return err
	}
	defer done()
	if w, ok := workload.Find(sc.Name); ok {
		d.call(w.Smoke.Missing.Tool, w.Smoke.Missing.Args, true)
	}
	return nil
}

// generic is the scenario of a server without a script: its workload's
// smoke calls (servers/<name>/workload.json).
func (d *demo) generic(sc serverlist.Server) error {
	w, ok := workload.Find(sc.Name)
	if !ok {
		return fmt.Errorf("no workload for %s", sc.Name)
	}
	d.say("A read from the sample data.")
	d.call(w.Smoke.Read.Tool, w.Smoke.Read.Args, false, w.Smoke.Read.Expect)
	d.say("An unknown id: a tool error that says what to do next.")
	d.call(w.Smoke.Missing.Tool, w.Smoke.Missing.Args, true)
	return nil
}

// context runs show (resources, prompts, completions) with --context.
func (d *demo) context(show func()) {
	if !d.showContext {
		return
	}
	d.say("Context without a tool call: resources, prompts and completions.")
	show()
}

// auditSummary says how many audit records the session wrote, and shows one.
func (d *demo) auditSummary(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	fmt.Fprintf(d.out, "# The audit trail (MCP_AUDIT_LOG): %d records, one per tool call, bodies redacted. The last:\n  %s\n", len(lines), lines[len(lines)-1])
}

func (d *demo) banner(format string, a ...any) {
	line := fmt.Sprintf(format, a...)
	fmt.Fprintf(d.out, "\n=== %s %s\n", line, strings.Repeat("=", max(3, 100-len(line))))
}

func (d *demo) say(format string, a ...any) { fmt.Fprintf(d.out, "\n# "+format+"\n", a...) }

// probe GETs each path and prints the statuses on one line.
func (d *demo) probe(base string, paths ...string) {
	var got []string
	for _, path := range paths {
		resp, err := http.Get(base + path)
		if err != nil {
			d.fail("GET %s: %v", path, err)
			return
		}
		resp.Body.Close()
		got = append(got, path+" "+resp.Status)
		if resp.StatusCode != 200 {
			d.fail("%s: %s", path, resp.Status)
		}
	}
	fmt.Fprintf(d.out, "→ GET %s\n← %s\n", strings.Join(paths, ", "), strings.Join(got, ", "))
}

func (d *demo) listTools() error {
	res, err := d.cs.ListTools(d.ctx, nil)
	if err != nil {
		return fmt.Errorf("tools/list: %w", err)
	}
	fmt.Fprintf(d.out, "→ tools/list\n← %d tools, with their annotations:\n", len(res.Tools))
	line := " "
	for _, t := range res.Tools {
		a := t.Annotations
		var hints []string
		if a.ReadOnlyHint {
			hints = append(hints, "read-only")
		}
		if a.DestructiveHint != nil && *a.DestructiveHint {
			hints = append(hints, "destructive")
		}
		if a.IdempotentHint {
			hints = append(hints, "idempotent")
		}
		if a.OpenWorldHint != nil && *a.OpenWorldHint {
			hints = append(hints, "open-world")
		}
		item := fmt.Sprintf(" %s (%s)", t.Name, strings.Join(hints, ", "))
		if len(line)+len(item) > 110 {
			fmt.Fprintln(d.out, line)
			line = " "
		}
		line += item
	}
	fmt.Fprintln(d.out, line)
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

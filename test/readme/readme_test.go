// Package readme runs the commands of README.md and docs/*.md as written,
// on this machine, from the repository root: every fenced sh block's
// commands (those that need what CI cannot have here are skipped, each with
// its reason, printed), every JSON block parsed, and every host
// configuration of docs/hosts.md started: stdio entries spawned and
// initialized with the official go-sdk client, HTTP entries reached after
// `make up`.
//
// It runs with BIZMCP_README=1 (test/readme/run.sh, a CI stage): it builds,
// runs `make demo` and binds the fixed ports of docs/hosts.md, so it is not
// part of `make test`.
package readme

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/serverlist"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// block is one fenced code block of a markdown file.
type block struct {
	file string
	line int
	lang string
	text string
}

var fenceRE = regexp.MustCompile("(?ms)^[ \t]*```([a-z]*)\n(.*?)^[ \t]*```")

func blocks(t *testing.T, root string) []block {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append([]string{filepath.Join(root, "README.md")}, files...)
	var out []block
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		rel, _ := filepath.Rel(root, f)
		for _, m := range fenceRE.FindAllStringSubmatchIndex(s, -1) {
			out = append(out, block{file: rel, line: strings.Count(s[:m[0]], "\n") + 1, lang: s[m[2]:m[3]], text: s[m[4]:m[5]]})
		}
	}
	return out
}

// commands splits an sh block into commands: backslash continuations
// joined, comments and indentation dropped; a command ending in "&" is
// kept together with the next one (it runs in the background for it).
func commands(text string) []string {
	var out []string
	var cur string
	pendingBG := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasSuffix(line, "\\") {
			cur += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		cur += line
		cmd := strings.TrimSpace(stripComment(cur))
		cur = ""
		if cmd == "" {
			continue
		}
		if strings.HasSuffix(cmd, "&") {
			pendingBG += cmd + "\n"
			continue
		}
		out = append(out, pendingBG+cmd)
		pendingBG = ""
	}
	return out
}

// stripComment drops a trailing "# ..." outside quotes.
func stripComment(s string) string {
	inS, inD := false, false
	for i, r := range s {
		switch {
		case r == '\'' && !inD:
			inS = !inS
		case r == '"' && !inS:
			inD = !inD
		case r == '#' && !inS && !inD && (i == 0 || s[i-1] == ' '):
			return s[:i]
		}
	}
	return s
}

// rule says what to do with a command matching re.
type rule struct {
	re     *regexp.Regexp
	action string // run: must exit 0; serve: must still run after a few seconds; skip
	reason string
}

var rules = []rule{
	{regexp.MustCompile(`^make test\b`), "skip", "CI runs it as its own stage before this one"},
	{regexp.MustCompile(`^make (images|mock-image)\b`), "skip", "needs podman or docker; CI's containers stage (test/containers/run.sh) runs it as written"},
	{regexp.MustCompile(`^(podman|docker) `), "skip", "needs the images and a container engine; CI's containers stage runs the images"},
	{regexp.MustCompile(`^test/containers/`), "skip", "needs podman; part of CI's containers stage"},
	{regexp.MustCompile(`^(helm|kubectl) `), "skip", "needs a Kubernetes cluster (make helm-lint checks the chart)"},
	{regexp.MustCompile(`^claude `), "skip", "needs Claude Code; the servers these commands add are started below from the same paths and URLs"},
	{regexp.MustCompile(`apr_…`), "skip", "needs the id of a pending approval; cmd/bizmcp-approve's tests run the command a server's text gives"},
	{regexp.MustCompile(`bin/bizmcp-approvals\b`), "skip", "needs the company's OpenID provider and secrets; test/approvals/run.sh runs the console against a local provider in Chromium"},
	{regexp.MustCompile(`…`), "skip", "a placeholder (…) stands for a value of the reader's own deployment (here: rotated audit file names; cmd/bizmcp-audit's tests verify rotated logs)"},
	{regexp.MustCompile(`--transport http|&\n`), "serve", ""},
	{regexp.MustCompile(`.`), "run", ""},
}

func classify(cmd string) rule {
	for _, r := range rules {
		if r.re.MatchString(cmd) {
			return r
		}
	}
	return rule{action: "run"}
}

// shell runs cmd with bash in root, in its own process group; serve means
// it must still be running after d, then it is stopped with its children.
func shell(t *testing.T, root, cmd string, serve bool, d time.Duration) (string, error) {
	t.Helper()
	c := exec.Command("bash", "-e", "-c", cmd)
	c.Dir = root
	c.Env = append(os.Environ(), "PATH="+filepath.Join(root, "bin")+":"+os.Getenv("PATH"))
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		if serve {
			return out.String(), fmt.Errorf("exited (%v) while it should keep serving", err)
		}
		return out.String(), err
	case <-time.After(d):
		syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if serve {
			return out.String(), nil
		}
		return out.String(), fmt.Errorf("still running after %s", d)
	}
}

func root(t *testing.T) string {
	t.Helper()
	if os.Getenv("BIZMCP_README") == "" {
		t.Skip("set BIZMCP_README=1 (test/readme/run.sh) to run the README's commands")
	}
	r, err := serverlist.Root()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestShellCommands(t *testing.T) {
	r := root(t)
	var skipped []string
	ran := 0
	for _, b := range blocks(t, r) {
		if b.lang != "sh" && b.lang != "bash" {
			continue
		}
		up := false // make up ran in this block: make down at its end
		for _, cmd := range commands(b.text) {
			at := fmt.Sprintf("%s:%d", b.file, b.line)
			switch {
			case strings.HasPrefix(cmd, "make up"):
				up = true
			case strings.HasPrefix(cmd, "make down"):
				up = false
			}
			rl := classify(cmd)
			if rl.action == "skip" {
				skipped = append(skipped, fmt.Sprintf("%s  %s\n      skipped: %s", at, firstLine(cmd), rl.reason))
				continue
			}
			ran++
			out, err := shell(t, r, cmd, rl.action == "serve", map[bool]time.Duration{true: 3 * time.Second, false: 10 * time.Minute}[rl.action == "serve"])
			if err != nil {
				t.Errorf("%s: %s\n  %v\n%s", at, cmd, err, tail(out, 20))
				continue
			}
			t.Logf("ok   %s  %s (%s)", at, firstLine(cmd), rl.action)
		}
		if up {
			if out, err := shell(t, r, "make down", false, time.Minute); err != nil {
				t.Errorf("make down after %s:%d: %v\n%s", b.file, b.line, err, tail(out, 10))
			}
		}
	}
	t.Logf("%d commands ran as written; %d skipped:\n    %s", ran, len(skipped), strings.Join(skipped, "\n    "))
	if ran == 0 {
		t.Fatal("no command ran")
	}
}

func firstLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ; ")
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return s
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ")
}

// TestJSONBlocks: every JSON block of the docs parses.
func TestJSONBlocks(t *testing.T) {
	r := root(t)
	n := 0
	for _, b := range blocks(t, r) {
		if b.lang != "json" {
			continue
		}
		n++
		var v any
		if err := json.Unmarshal([]byte(b.text), &v); err != nil {
			t.Errorf("%s:%d: JSON block does not parse: %v", b.file, b.line, err)
		}
	}
	if n == 0 {
		t.Fatal("no JSON block found")
	}
}

// hostEntry is one server entry of a host configuration.
type hostEntry struct {
	Type    string   `json:"type"`
	Command string   `json:"command"`
	Args    []string `json:"args"`
	URL     string   `json:"url"`
}

// TestHostConfigs starts every stdio entry of docs/hosts.md (paths
// replaced by this checkout) and reaches every HTTP URL under `make up`:
// initialize and tools/list with the official SDK client.
func TestHostConfigs(t *testing.T) {
	r := root(t)
	var stdio, urls []hostEntry
	for _, b := range blocks(t, r) {
		if b.file != filepath.Join("docs", "hosts.md") || b.lang != "json" {
			continue
		}
		var cfg map[string]map[string]hostEntry
		if err := json.Unmarshal([]byte(b.text), &cfg); err != nil {
			t.Fatalf("%s:%d: %v", b.file, b.line, err)
		}
		for _, servers := range cfg {
			for _, e := range servers {
				switch {
				case e.URL != "":
					urls = append(urls, e)
				case strings.HasPrefix(e.Command, "/path/to/bizmcp/"):
					e.Command = strings.Replace(e.Command, "/path/to/bizmcp", r, 1)
					stdio = append(stdio, e)
				}
			}
		}
	}
	names, _ := serverlist.Names()
	if len(stdio) < 4*len(names) || len(urls) < 3*len(names) {
		t.Fatalf("docs/hosts.md: %d stdio entries and %d URLs for %d servers", len(stdio), len(urls), len(names))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, e := range stdio {
		cmd := exec.CommandContext(ctx, e.Command, e.Args...)
		cmd.Env = append(os.Environ(), "MCP_AUDIT_LOG="+filepath.Join(t.TempDir(), "audit.jsonl"), "MCP_LOG_LEVEL=warn")
		checkSession(ctx, t, e.Command+" "+strings.Join(e.Args, " "), &mcp.CommandTransport{Command: cmd})
	}
	if out, err := shell(t, r, "make up", false, 5*time.Minute); err != nil {
		t.Fatalf("make up: %v\n%s", err, tail(out, 20))
	}
	defer shell(t, r, "make down", false, time.Minute)
	for _, e := range urls {
		checkSession(ctx, t, e.URL, &mcp.StreamableClientTransport{Endpoint: e.URL})
	}
}

func checkSession(ctx context.Context, t *testing.T, what string, tr mcp.Transport) {
	t.Helper()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "readme-check", Version: "1"}, nil).Connect(ctx, tr, nil)
	if err != nil {
		t.Errorf("%s: connect: %v", what, err)
		return
	}
	defer cs.Close()
	res, err := cs.ListTools(ctx, nil)
	if err != nil || len(res.Tools) == 0 {
		t.Errorf("%s: tools/list: %v", what, err)
		return
	}
	t.Logf("ok   %s: %s, %d tools", what, cs.InitializeResult().ServerInfo.Name, len(res.Tools))
}

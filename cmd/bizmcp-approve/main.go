// Command bizmcp-approve lets a person list, show, approve and deny the
// writes a bizmcp server holds for approval (MCP_APPROVAL_POLICY).
//
//	bizmcp-approve [--url URL] [--token TOKEN] [--json] list
//	bizmcp-approve [--url URL] [--token TOKEN] [--json] show ID
//	bizmcp-approve [--url URL] [--token TOKEN] [--json] approve ID [--by NAME] [--reason TEXT]
//	bizmcp-approve [--url URL] [--token TOKEN] [--json] deny ID [--by NAME] [--reason TEXT]
//
// URL is the server's base URL (default $BIZMCP_APPROVAL_URL or
// http://127.0.0.1:8080); TOKEN its MCP_APPROVAL_TOKEN (default
// $BIZMCP_APPROVAL_TOKEN, then $MCP_APPROVAL_TOKEN). NAME defaults to the
// local user. Output is for people; --json prints the server's JSON for
// scripts. Exit status: 0 done, 1 refused or unreachable, 2 bad usage.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/user"
	"strings"
	"time"

	buildversion "github.com/bizmcp/bizmcp/internal/version"
	"github.com/bizmcp/bizmcp/shared/approval"
)

// version is set with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() { os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }

const usage = `bizmcp-approve: approve or deny the writes a bizmcp server holds for a person.

Usage: bizmcp-approve [flags] COMMAND [ARGS]

Commands:
  list                     pending approvals
  show ID                  one approval, whatever its state
  approve ID [--by NAME] [--reason TEXT]
                           let the held call run when the model calls again
  deny ID [--by NAME] [--reason TEXT]
                           refuse it; the model is told it was denied

Flags (before the command):
  --url URL        the server's base URL (env BIZMCP_APPROVAL_URL, default http://127.0.0.1:8080)
  --token TOKEN    the server's MCP_APPROVAL_TOKEN (env BIZMCP_APPROVAL_TOKEN or MCP_APPROVAL_TOKEN)
  --json           print the server's JSON instead of text (for scripts)
  --version        print the version and exit
  --help           print this help and exit

--by defaults to the local user name ($USER); it is recorded in the audit trail.
Over stdio the server serves the approvals endpoint on MCP_APPROVAL_ADDR.
`

type record = approval.Record

// defaultApprover is the local user's name, for --by.
func defaultApprover(getenv func(string) string) string {
	for _, k := range []string{"USER", "LOGNAME"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return ""
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "bizmcp-approve: "+format+" (see --help)\n", a...)
		return 2
	}
	fs := flag.NewFlagSet("bizmcp-approve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("url", firstOf(getenv("BIZMCP_APPROVAL_URL"), "http://127.0.0.1:8080"), "")
	token := fs.String("token", firstOf(getenv("BIZMCP_APPROVAL_TOKEN"), getenv("MCP_APPROVAL_TOKEN")), "")
	asJSON := fs.Bool("json", false, "")
	showVersion := fs.Bool("version", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		return bad("%v", err)
	}
	if *showVersion {
		fmt.Fprintf(stdout, "bizmcp-approve %s\n", buildversion.Of(version))
		return 0
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return bad("no command: list, show, approve or deny")
	}
	if rest[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	c := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path string, body any) ([]byte, int) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequest(method, strings.TrimRight(*url, "/")+path, rd)
		if err != nil {
			return nil, bad("--url %q: %v", *url, err)
		}
		req.Header.Set("Authorization", "Bearer "+*token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			fmt.Fprintf(stderr, "bizmcp-approve: cannot reach the server at %s: %v (is it running over HTTP, or with MCP_APPROVAL_ADDR over stdio? --url sets the address)\n", *url, err)
			return nil, 1
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		msg := strings.TrimSpace(string(b))
		switch {
		case resp.StatusCode == http.StatusUnauthorized:
			fmt.Fprintf(stderr, "bizmcp-approve: the server refused the token: pass the server's MCP_APPROVAL_TOKEN with --token or BIZMCP_APPROVAL_TOKEN\n")
			return nil, 1
		case resp.StatusCode == http.StatusNotFound && path == "/approvals":
			fmt.Fprintf(stderr, "bizmcp-approve: %s has no approvals endpoint: set MCP_APPROVAL_TOKEN on the server\n", *url)
			return nil, 1
		case resp.StatusCode != http.StatusOK:
			fmt.Fprintf(stderr, "bizmcp-approve: %s\n", msg)
			return nil, 1
		}
		return b, 0
	}
	emit := func(b []byte, text func()) int {
		if *asJSON {
			stdout.Write(b)
			return 0
		}
		text()
		return 0
	}
	switch cmd := rest[0]; cmd {
	case "list":
		if len(rest) != 1 {
			return bad("list takes no arguments")
		}
		b, code := do(http.MethodGet, "/approvals", nil)
		if b == nil {
			return code
		}
		var l struct {
			Approvals []record `json:"approvals"`
		}
		if err := json.Unmarshal(b, &l); err != nil {
			fmt.Fprintf(stderr, "bizmcp-approve: unexpected answer from %s: %v\n", *url, err)
			return 1
		}
		return emit(b, func() {
			if len(l.Approvals) == 0 {
				fmt.Fprintln(stdout, "no pending approvals")
			}
			for _, a := range l.Approvals {
				fmt.Fprintf(stdout, "%s  %s  asked by %s  (rule %s, expires %s)\n    %s\n", a.ID, a.Tool, a.Principal, a.Rule, a.ExpiresAt.Local().Format("15:04:05"), a.Summary)
			}
		})
	case "show":
		if len(rest) != 2 {
			return bad("usage: show ID")
		}
		b, code := do(http.MethodGet, "/approvals/"+rest[1], nil)
		if b == nil {
			return code
		}
		var r record
		json.Unmarshal(b, &r)
		return emit(b, func() { describe(stdout, r) })
	case "approve", "deny":
		// The ID may come before or after the flags.
		dfs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		dfs.SetOutput(io.Discard)
		by := dfs.String("by", defaultApprover(getenv), "")
		reason := dfs.String("reason", "", "")
		var id string
		sub := rest[1:]
		for {
			if err := dfs.Parse(sub); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					fmt.Fprint(stdout, usage)
					return 0
				}
				return bad("%s: %v", cmd, err)
			}
			if dfs.NArg() == 0 {
				break
			}
			if id != "" {
				return bad("%s takes one ID, got %q and %q", cmd, id, dfs.Arg(0))
			}
			id, sub = dfs.Arg(0), dfs.Args()[1:]
		}
		if id == "" {
			return bad("usage: %s ID [--by NAME] [--reason TEXT]", cmd)
		}
		if strings.TrimSpace(*by) == "" {
			return bad("%s: --by NAME is needed: no local user name to default to", cmd)
		}
		b, code := do(http.MethodPost, "/approvals/"+id+"/"+cmd, map[string]string{"by": *by, "reason": *reason})
		if b == nil {
			return code
		}
		var r record
		json.Unmarshal(b, &r)
		return emit(b, func() {
			verb := "approved"
			next := "the model can now call " + r.Tool + " again with approval_id " + r.ID
			if cmd == "deny" {
				verb, next = "denied", "the model is told it was denied"
			}
			fmt.Fprintf(stdout, "%s %s by %s: %s\n  %s\n", r.ID, verb, r.DecidedBy, r.Summary, next)
		})
	default:
		return bad("unknown command %q: list, show, approve or deny", cmd)
	}
}

func describe(w io.Writer, r record) {
	fmt.Fprintf(w, "%s  %s  %s\n", r.ID, r.Tool, r.State)
	fmt.Fprintf(w, "  %s\n", r.Summary)
	fmt.Fprintf(w, "  asked by %s at %s under rule %s; expires %s\n", r.Principal, r.CreatedAt.Local().Format(time.RFC3339), r.Rule, r.ExpiresAt.Local().Format(time.RFC3339))
	if r.DecidedBy != "" {
		fmt.Fprintf(w, "  decided by %s", r.DecidedBy)
		if r.Reason != "" {
			fmt.Fprintf(w, ": %s", r.Reason)
		}
		fmt.Fprintln(w)
	}
}

// Command bizmcp-approve lets a person list, approve and deny the writes
// that a bizmcp server holds for approval.
//
//	bizmcp-approve [--url URL] [--token TOKEN] list
//	bizmcp-approve [--url URL] [--token TOKEN] show ID
//	bizmcp-approve [--url URL] [--token TOKEN] approve ID --by NAME [--reason TEXT]
//	bizmcp-approve [--url URL] [--token TOKEN] deny ID --by NAME [--reason TEXT]
//
// URL is the server's base URL (default $BIZMCP_APPROVAL_URL or
// http://127.0.0.1:8080); TOKEN its MCP_APPROVAL_TOKEN (default
// $BIZMCP_APPROVAL_TOKEN).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bizmcp-approve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", envOr("BIZMCP_APPROVAL_URL", "http://127.0.0.1:8080"), "server base URL")
	token := fs.String("token", os.Getenv("BIZMCP_APPROVAL_TOKEN"), "approver token (the server's MCP_APPROVAL_TOKEN)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "usage: bizmcp-approve [--url URL] [--token TOKEN] list | show ID | approve ID --by NAME [--reason TEXT] | deny ID --by NAME [--reason TEXT]")
		return 2
	}
	c := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path string, body any) (int, []byte, error) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequest(method, strings.TrimRight(*url, "/")+path, rd)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+*token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, b, nil
	}
	var status int
	var out []byte
	var err error
	switch cmd := rest[0]; cmd {
	case "list":
		status, out, err = do(http.MethodGet, "/approvals", nil)
		if err == nil && status == 200 {
			var l struct {
				Approvals []struct {
					ID, Tool, Principal, Summary, Rule string
					ExpiresAt                          time.Time `json:"expires_at"`
				} `json:"approvals"`
			}
			json.Unmarshal(out, &l)
			if len(l.Approvals) == 0 {
				fmt.Fprintln(stdout, "no pending approvals")
			}
			for _, a := range l.Approvals {
				fmt.Fprintf(stdout, "%s  %s  by %s  (%s, expires %s)\n    %s\n", a.ID, a.Tool, a.Principal, a.Rule, a.ExpiresAt.Format(time.RFC3339), a.Summary)
			}
			return 0
		}
	case "show":
		if len(rest) != 2 {
			fmt.Fprintln(stderr, "usage: bizmcp-approve show ID")
			return 2
		}
		status, out, err = do(http.MethodGet, "/approvals/"+rest[1], nil)
	case "approve", "deny":
		dfs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		dfs.SetOutput(stderr)
		by := dfs.String("by", os.Getenv("USER"), "who decides (recorded in the audit trail)")
		reason := dfs.String("reason", "", "why")
		if len(rest) < 2 {
			fmt.Fprintf(stderr, "usage: bizmcp-approve %s ID --by NAME [--reason TEXT]\n", cmd)
			return 2
		}
		if err := dfs.Parse(rest[2:]); err != nil {
			return 2
		}
		if *by == "" {
			fmt.Fprintln(stderr, "--by is required: the approver's name goes into the audit trail")
			return 2
		}
		status, out, err = do(http.MethodPost, "/approvals/"+rest[1]+"/"+cmd, map[string]string{"by": *by, "reason": *reason})
	default:
		fmt.Fprintf(stderr, "unknown command %q\n", cmd)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "bizmcp-approve:", err)
		return 1
	}
	if status != 200 {
		fmt.Fprintf(stderr, "bizmcp-approve: %d %s\n", status, strings.TrimSpace(string(out)))
		return 1
	}
	stdout.Write(out)
	return 0
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

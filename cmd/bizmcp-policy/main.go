// Command bizmcp-policy checks a Cedar policy file against sample calls
// before it is deployed (MCP_POLICY_FILE; docs/policy.md).
//
//	bizmcp-policy check [flags] FILE CALLS.jsonl
//
// Each line of CALLS.jsonl is one planned write:
//
//	{"principal": {"id": "ana", "region": "emea", "groups": ["finance"], "scopes": ["orders:write"]},
//	 "tool": "orders_create_refund", "target": {"kind": "Order", "id": "ORD-49002", "region": "emea"},
//	 "amount": 1200, "currency": "USD", "recipients": [], "fields": [],
//	 "expect": "approval"}
//
// The policies are validated against the write tools of the bizmcp servers
// (--tools, TOOL=Kind,...) plus those the calls name (with the target kind
// each gives); a policy naming another tool, or an attribute that does not
// exist, is an error. Calls are
// decided in file order as a server would, with cumulative totals kept in
// memory (writes permitted or approved count toward later ones), unless a
// call gives its own "totals". Each call's decision and the rules behind it
// are printed; "expect" (permit, forbid or approval) is optional, and a
// call whose decision differs from it is a mismatch.
//
// Exit status: 0 all calls as expected, 1 a mismatch, 2 a usage error or a
// policy that does not compile.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/policy"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: bizmcp-policy check [flags] FILE CALLS.jsonl

Checks the Cedar policies in FILE against the sample calls in CALLS.jsonl
(one JSON object a line) and prints each call's decision and the rule.
Exit 1 when a call's decision differs from its "expect" field.

flags:
`

// call is one line of CALLS.jsonl: a principal and the plan of a write.
type call struct {
	Principal principal `json:"principal"`
	execctl.Plan
	Mode   string          `json:"mode"`
	Totals *execctl.Totals `json:"totals"` // given totals; nil: accumulated
	Expect execctl.Outcome `json:"expect"`
}

type principal struct {
	ID            string   `json:"id"`
	Scopes        []string `json:"scopes"`
	Region        string   `json:"region"`
	Groups        []string `json:"groups"`
	Authenticated *bool    `json:"authenticated"`
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("bizmcp-policy check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	tools := fs.String("tools", bizmcpTools, "the write tools the policy may name, as TOOL=Kind,... (besides those the calls name)")
	approvals := fs.String("approval-policy", "", "also compile an MCP_APPROVAL_POLICY value")
	limits := fs.String("limits", "", "also compile an MCP_WRITE_LIMITS value")
	at := fs.String("now", "", "the clock for daily and hourly totals (RFC 3339; default now)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 2
	}
	now := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "bizmcp-policy: --now: %v\n", err)
			return 2
		}
		now = t
	}
	file, callsFile := fs.Arg(0), fs.Arg(1)
	text, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "bizmcp-policy: %v\n", err)
		return 2
	}
	calls, err := readCalls(callsFile)
	if err != nil {
		fmt.Fprintf(stderr, "bizmcp-policy: %v\n", err)
		return 2
	}
	sch := execctl.Schema{Tools: map[string]string{}}
	for _, kv := range strings.Split(*tools, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		t, k, ok := strings.Cut(kv, "=")
		if !ok || t == "" || k == "" {
			fmt.Fprintf(stderr, "bizmcp-policy: --tools: %q is not TOOL=Kind\n", kv)
			return 2
		}
		sch.Tools[t] = k
	}
	for i, c := range calls {
		if prev, ok := sch.Tools[c.Tool]; ok && prev != c.Target.Kind {
			fmt.Fprintf(stderr, "bizmcp-policy: %s:%d: %s acts on %s elsewhere, not %s\n", callsFile, i+1, c.Tool, prev, c.Target.Kind)
			return 2
		}
		sch.Tools[c.Tool] = c.Target.Kind
	}
	sources := []execctl.Source{{Name: file, Text: string(text)}}
	if *approvals != "" {
		ap, err := approval.ParsePolicy(*approvals)
		if err != nil {
			fmt.Fprintf(stderr, "bizmcp-policy: %v\n", err)
			return 2
		}
		sources = append(sources, execctl.ApprovalPolicy(ap, sch))
	}
	if *limits != "" {
		lim, err := execctl.Limits(*limits, sch)
		if err != nil {
			fmt.Fprintf(stderr, "bizmcp-policy: %v\n", err)
			return 2
		}
		sources = append(sources, lim)
	}
	e, err := execctl.Compile(sch, sources...)
	if err != nil {
		fmt.Fprintf(stderr, "bizmcp-policy: %v\n", err)
		return 2
	}
	sim := execctl.NewSimulator(e, "check", func() time.Time { return now })
	mismatches := 0
	for i, c := range calls {
		auth := true
		if c.Principal.Authenticated != nil {
			auth = *c.Principal.Authenticated
		}
		p := &c.Plan
		in := execctl.Input{
			Principal: policy.Principal{Subject: c.Principal.ID, Scopes: c.Principal.Scopes, Region: c.Principal.Region, Groups: c.Principal.Groups, Authenticated: auth},
			Tool:      c.Tool, Plan: p, Mode: cmpOr(c.Mode, execctl.ModeOn),
		}
		var d execctl.Decision
		if c.Totals != nil {
			in.Totals = *c.Totals
			d = e.Decide(in)
		} else if d, _, err = sim.Decide(context.Background(), in); err != nil {
			fmt.Fprintf(stderr, "bizmcp-policy: %v\n", err)
			return 2
		}
		line := fmt.Sprintf("%s:%d %s %s %s by %s: %s", callsFile, i+1, c.Tool, c.Target.Kind, c.Target.ID, c.Principal.ID, d.Outcome)
		if len(d.Rules) > 0 {
			line += " (rule " + d.Rule() + ")"
		}
		if d.Approver != "" {
			line += ", approver " + d.Approver
		}
		if c.Expect != "" {
			if c.Expect == d.Outcome {
				line += "  ok"
			} else {
				line += fmt.Sprintf("  MISMATCH: expected %s", c.Expect)
				mismatches++
			}
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "%d calls, %d mismatches\n", len(calls), mismatches)
	if mismatches > 0 {
		return 1
	}
	return 0
}

// bizmcpTools are the write tools of the four bizmcp servers and the
// kinds of their targets (docs/execution-control.md).
const bizmcpTools = "crm_add_note=Customer,crm_update_customer=Customer," +
	"orders_cancel_order=Order,orders_create_refund=Order," +
	"email_create_draft=Thread,email_send=Thread," +
	"shipping_create_label=Shipment,shipping_void_label=Shipment"

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func readCalls(path string) ([]call, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []call
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var c call
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		if c.Tool == "" || c.Target.Kind == "" || c.Target.ID == "" {
			return nil, fmt.Errorf("%s:%d: a call needs tool, target.kind and target.id", path, n)
		}
		switch c.Expect {
		case "", execctl.Permit, execctl.Forbid, execctl.Approval:
		default:
			return nil, fmt.Errorf("%s:%d: expect must be permit, forbid or approval, not %q", path, n, c.Expect)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

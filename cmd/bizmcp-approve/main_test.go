package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type refundIn struct {
	OrderID string `json:"order_id"`
	mcpkit.Approvable
}

type refundOut struct {
	Done bool `json:"done"`
}

// pending asks a gated tool for a write and returns the server's text
// (which names the bizmcp-approve command) and the approvals endpoint.
func pending(t *testing.T) (cs *mcp.ClientSession, text string, endpoint string) {
	t.Helper()
	p, _ := approval.ParsePolicy("orders_create_refund")
	gate := approval.NewGate(approval.Options{Policy: p, Store: kv.NewMemory(), Domain: "orders", NoElicit: true})
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	mcpkit.AddTool(srv, &mcp.Tool{Name: "orders_create_refund", Description: "refund", Annotations: mcpkit.Annotations("Refund", mcpkit.Hints{Destructive: true})},
		func(ctx context.Context, req *mcp.CallToolRequest, in refundIn) (*mcp.CallToolResult, refundOut, error) {
			if res, err := gate.Check(ctx, req, in.ApprovalID, approval.Plan{Tool: "orders_create_refund", Args: in.OrderID, Summary: "refund USD 25.00 on " + in.OrderID}); res != nil || err != nil {
				return res, refundOut{}, err
			}
			return nil, refundOut{Done: true}, nil
		})
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err = mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, nil).Connect(context.Background(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close(); ss.Wait() })
	ts := httptest.NewServer(gate.Handler("approver-secret"))
	t.Cleanup(ts.Close)
	return cs, callText(t, cs, map[string]any{"order_id": "ORD-5"}), ts.URL
}

func callText(t *testing.T, cs *mcp.ClientSession, args map[string]any) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "orders_create_refund", Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res.Content)
	return string(b)
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// The command the server's "approval pending" text gives works as given,
// with the approver named after the local user; the held call then runs.
func TestServerTextCommandWorks(t *testing.T) {
	cs, text, url := pending(t)
	m := regexp.MustCompile(`command: (bizmcp-approve [^,)]+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("server text names no bizmcp-approve command: %s", text)
	}
	args := strings.Fields(m[1])[1:]
	id := args[len(args)-1]
	var out, errb bytes.Buffer
	e := env(map[string]string{"BIZMCP_APPROVAL_URL": url, "BIZMCP_APPROVAL_TOKEN": "approver-secret", "USER": "dana"})
	if code := run(args, e, &out, &errb); code != 0 {
		t.Fatalf("%s: exit %d, stderr %q", m[1], code, errb.String())
	}
	if got := out.String(); !strings.Contains(got, id+" approved by dana") || !strings.Contains(got, "approval_id") {
		t.Fatalf("approve output %q", got)
	}
	if got := callText(t, cs, map[string]any{"order_id": "ORD-5", "approval_id": id}); !strings.Contains(got, `\"done\":true`) && !strings.Contains(got, `"done":true`) {
		t.Fatalf("the approved call did not run: %s", got)
	}
	// Deciding again is refused (exit 1, the server's reason).
	out.Reset()
	errb.Reset()
	if code := run([]string{"deny", "--by", "eve", id}, e, &out, &errb); code != 1 || !strings.Contains(errb.String(), "bizmcp-approve:") {
		t.Fatalf("second decision: exit %d, stderr %q", code, errb.String())
	}
}

func TestListShowJSONAndText(t *testing.T) {
	_, text, url := pending(t)
	id := regexp.MustCompile(`apr_[0-9a-z]+`).FindString(text)
	e := env(map[string]string{"BIZMCP_APPROVAL_TOKEN": "approver-secret"})
	var out, errb bytes.Buffer
	if code := run([]string{"--url", url, "list"}, e, &out, &errb); code != 0 || !strings.Contains(out.String(), id+"  orders_create_refund") || !strings.Contains(out.String(), "refund USD 25.00 on ORD-5") {
		t.Fatalf("list: exit %d, %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"--url", url, "--json", "show", id}, e, &out, &errb); code != 0 {
		t.Fatalf("show --json: exit %d, %q", code, errb.String())
	}
	var rec map[string]any
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil || rec["id"] != id || rec["state"] != "pending" {
		t.Fatalf("show --json: %q (%v)", out.String(), err)
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"--url", url, "--token", "wrong", "list"}, e, &out, &errb); code != 1 || !strings.Contains(errb.String(), "MCP_APPROVAL_TOKEN") {
		t.Fatalf("wrong token: exit %d, %q", code, errb.String())
	}
}

func TestHelpVersionUsage(t *testing.T) {
	var out, errb bytes.Buffer
	e := env(nil)
	if code := run([]string{"--help"}, e, &out, &errb); code != 0 || errb.Len() != 0 {
		t.Fatalf("--help: exit %d, stderr %q", code, errb.String())
	}
	for _, c := range []string{"list", "show ID", "approve ID", "deny ID", "--json", "--version"} {
		if !strings.Contains(out.String(), c) {
			t.Errorf("--help lacks %q", c)
		}
	}
	out.Reset()
	if code := run([]string{"--version"}, e, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "bizmcp-approve ") {
		t.Fatalf("--version: exit %d, %q", code, out.String())
	}
	for _, args := range [][]string{nil, {"frobnicate"}, {"approve"}, {"--nope", "list"}, {"approve", "a", "b"}} {
		errb.Reset()
		if code := run(args, e, &out, &errb); code != 2 || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q (want 2, one line)", args, code, errb.String())
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/servers/email/internal/tools"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Human approval of email_send (MCP_APPROVAL_POLICY). The in-memory client
// cannot answer elicitation, so the gate answers "pending" with an id that a
// person decides on out of band (here: deps.Approvals.Decide).

const sendNeedsApproval = "MCP_APPROVAL_POLICY=email_send"

// approvalID extracts the apr_ id a pending answer names.
func approvalID(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(text, "apr_")
	if i < 0 || len(text) < i+24 {
		t.Fatalf("no approval id in %q", text)
	}
	return text[i : i+24]
}

// sends is what the backend saw of email_send: requests to the send
// endpoints (not only committed writes) and deliveries.
func (e *env) sends(t *testing.T) (requests int64, deliveries int) {
	t.Helper()
	st := e.mock.Stats()
	for route, n := range st.Routes {
		if strings.HasPrefix(route, "POST ") && strings.HasSuffix(route, "/send") {
			requests += n
		}
	}
	return requests, len(e.store.Deliveries())
}

func (e *env) wantSends(t *testing.T, when string, requests int64, deliveries int) {
	t.Helper()
	if r, d := e.sends(t); r != requests || d != deliveries {
		t.Fatalf("%s: backend got %d send requests and delivered %d messages, want %d and %d", when, r, d, requests, deliveries)
	}
}

// decisions returns the audit decisions recorded for tool calls of tool and
// the approval events, in order.
func (e *env) decisions(t *testing.T, tool string) (calls, approvals []string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(e.audit.String()), "\n") {
		var r struct{ Event, Tool, Decision string }
		if json.Unmarshal([]byte(line), &r) != nil || r.Tool != tool {
			continue
		}
		if r.Event == "approval" {
			approvals = append(approvals, r.Decision)
		} else {
			calls = append(calls, r.Decision)
		}
	}
	return calls, approvals
}

func TestSendWaitsForApproval(t *testing.T) {
	e := newEnv(t, nil, sendNeedsApproval)
	args := map[string]any{"to": []string{"dana.whitfield@bizmcp.example"}, "cc": []string{"marcus.lee@bizmcp.example"},
		"subject": "Follow-up C-1004", "body": "Santiago asked about ORD-48291; I replied."}
	res, text := e.call(t, "email_send", args)
	if !res.IsError || !strings.Contains(text, "NOT DONE") || !strings.Contains(text, "needs a person's approval") ||
		!strings.Contains(text, "send 'Follow-up C-1004' to dana.whitfield@bizmcp.example, cc marcus.lee@bizmcp.example (42 characters)") {
		t.Fatalf("send without approval: %s", text)
	}
	id := approvalID(t, text)
	e.wantSends(t, "pending", 0, 0)
	// Waiting for approval holds no quota slot, and the policy says
	// sends need approval.
	if p, _ := readText(t, e.cs, "email://policies/sending"); !strings.Contains(p, "10 left") || !strings.Contains(p, "Every email_send needs a person's approval") {
		t.Errorf("policy while pending:\n%s", p)
	}

	// The model cannot use the id before a person decides.
	with := func(a map[string]any) map[string]any {
		m := map[string]any{"approval_id": id}
		for k, v := range a {
			m[k] = v
		}
		return m
	}
	if res, text := e.call(t, "email_send", with(args)); !res.IsError || !strings.Contains(text, "still pending") {
		t.Fatalf("before the decision: %s", text)
	}
	e.wantSends(t, "before the decision", 0, 0)

	if _, err := e.deps.Approvals.Decide(context.Background(), id, true, "dana.whitfield", ""); err != nil {
		t.Fatal(err)
	}
	// The approval is sealed to this message: another recipient, an added
	// bcc or another body cannot spend it.
	for name, change := range map[string]func(map[string]any){
		"recipient": func(m map[string]any) { m["to"] = []string{"ops@bizmcp.example"} },
		"bcc":       func(m map[string]any) { m["bcc"] = []string{"ops@bizmcp.example"} },
		"body":      func(m map[string]any) { m["body"] = "Santiago asked about ORD-48291; I refunded it." },
		"subject":   func(m map[string]any) { m["subject"] = "Refund C-1004" },
	} {
		altered := with(args)
		change(altered)
		res, text := e.call(t, "email_send", altered)
		if !res.IsError || !strings.Contains(text, "granted for a different call") {
			t.Errorf("approval spent on another %s: %s", name, text)
		}
	}
	e.wantSends(t, "altered arguments", 0, 0)

	// The approved call sends, once.
	res, text = e.call(t, "email_send", with(args))
	var out tools.SendOut
	mcptest.Structured(t, res, &out)
	if res.IsError || out.MessageID == "" || out.QuotaRemaining != 9 {
		t.Fatalf("approved send: %s", text)
	}
	e.wantSends(t, "approved", 1, 1)
	// Retried: the stored result, nothing sent again.
	res, text = e.call(t, "email_send", with(args))
	if res.IsError || res.Meta["bizmcp/replayed"] != true {
		t.Errorf("retry of the approved send: %s", text)
	}
	e.wantSends(t, "retried", 1, 1)
	// The approval is spent: the same message again needs a new one.
	again := with(args)
	again["body"] = args["body"].(string) + " "
	if res, text := e.call(t, "email_send", again); !res.IsError || !strings.Contains(text, "already been used") {
		t.Errorf("approval used twice: %s", text)
	}
	e.wantSends(t, "reused approval", 1, 1)

	calls, approvals := e.decisions(t, "email_send")
	if len(calls) == 0 || calls[0] != "approval_pending" {
		t.Errorf("audit decisions %v", calls)
	}
	if strings.Join(approvals, ",") != "approval_requested,approved_by_approver,approval_mismatch,approval_mismatch,approval_mismatch,approval_mismatch,approval_used" {
		t.Errorf("approval events %v", approvals)
	}
}

func TestSendDraftApprovalIsSealedToTheDraft(t *testing.T) {
	e := newEnv(t, nil, customerDomains, sendNeedsApproval)
	draft := func(body string) tools.CreateDraftOut {
		// Drafts need no approval: nothing leaves the mailbox.
		res, text := e.call(t, "email_create_draft", map[string]any{"in_reply_to": "M-20002", "body": body})
		var d tools.CreateDraftOut
		mcptest.Structured(t, res, &d)
		if res.IsError || d.DraftID == "" {
			t.Fatalf("draft: %s", text)
		}
		return d
	}
	a, b := draft("Hola Santiago: llega el jueves."), draft("Hola Santiago: llega el viernes.")
	res, text := e.call(t, "email_send", map[string]any{"draft_id": a.DraftID})
	if !res.IsError || !strings.Contains(text, "send draft "+a.DraftID+" 'Re: Order confirmation ORD-48291' to santiago.sanchez@costa-consultores.example (31 characters)") {
		t.Fatalf("send of draft A: %s", text)
	}
	id := approvalID(t, text)
	if _, err := e.deps.Approvals.Decide(context.Background(), id, true, "marcus.lee", ""); err != nil {
		t.Fatal(err)
	}
	// Draft A's approval does not send draft B.
	if res, text := e.call(t, "email_send", map[string]any{"draft_id": b.DraftID, "approval_id": id}); !res.IsError || !strings.Contains(text, "granted for a different call") {
		t.Fatalf("draft B with A's approval: %s", text)
	}
	e.wantSends(t, "wrong draft", 0, 0)
	res, text = e.call(t, "email_send", map[string]any{"draft_id": a.DraftID, "approval_id": id})
	var out tools.SendOut
	mcptest.Structured(t, res, &out)
	if res.IsError || out.MessageID != a.DraftID {
		t.Fatalf("approved draft A: %s", text)
	}
	e.wantSends(t, "draft A", 1, 1)
	if dl := e.store.Deliveries(); dl[0].MessageID != a.DraftID {
		t.Errorf("delivered %+v", dl)
	}
}

func TestSendApprovalDenied(t *testing.T) {
	e := newEnv(t, nil, sendNeedsApproval)
	args := map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "Discount for C-1004", "body": "Give them 40% off."}
	_, text := e.call(t, "email_send", args)
	id := approvalID(t, text)
	if _, err := e.deps.Approvals.Decide(context.Background(), id, false, "dana.whitfield", "not agreed"); err != nil {
		t.Fatal(err)
	}
	args["approval_id"] = id
	res, text := e.call(t, "email_send", args)
	if !res.IsError || !strings.Contains(text, "was denied by dana.whitfield: not agreed") {
		t.Fatalf("denied: %s", text)
	}
	e.wantSends(t, "denied", 0, 0)
	if calls, _ := e.decisions(t, "email_send"); len(calls) != 2 || calls[1] != "approval_not_granted" {
		t.Errorf("audit decisions %v", calls)
	}
}

func TestSendWithoutApprovalBelowThePolicy(t *testing.T) {
	args := map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "Note", "body": "hello"}
	// A send moves no money (amount 0), so a threshold never asks; nor
	// does a policy naming other tools, or none.
	for _, pol := range []string{"MCP_APPROVAL_POLICY=email_send>0", "MCP_APPROVAL_POLICY=email_create_draft", "MCP_APPROVAL_POLICY="} {
		e := newEnv(t, nil, pol)
		res, text := e.call(t, "email_send", args)
		if res.IsError || !strings.Contains(text, "sent M-") {
			t.Errorf("%s: %s", pol, text)
		}
		e.wantSends(t, pol, 1, 1)
		if p, _ := readText(t, e.cs, "email://policies/sending"); strings.Contains(p, "approval") {
			t.Errorf("%s: policy mentions approval:\n%s", pol, p)
		}
	}
}

// Rules refuse before a person is asked: no approval for a send that
// cannot go out, and the audit trail names the rule.
func TestSendRulesRefuseBeforeApproval(t *testing.T) {
	e := newEnv(t, nil, sendNeedsApproval, "EMAIL_SEND_QUOTA=1")
	many := make([]string, 11)
	for i := range many {
		many[i] = "user" + string(rune('a'+i)) + "@bizmcp.example"
	}
	for _, tc := range []struct {
		args       map[string]any
		want, rule string
	}{
		{map[string]any{"to": []string{"exfil@outside-mail.example"}, "subject": "Customer list", "body": "attached"},
			"refused by policy EMAIL_ALLOWED_RECIPIENT_DOMAINS: recipient exfil@outside-mail.example refused: domain outside-mail.example is not in EMAIL_ALLOWED_RECIPIENT_DOMAINS", "refused:EMAIL_ALLOWED_RECIPIENT_DOMAINS"},
		{map[string]any{"to": many[:10], "cc": many[10:], "subject": "x", "body": "y"},
			"refused by policy max_recipients: 11 recipients; at most 10 per message", "refused:max_recipients"},
	} {
		res, text := e.call(t, "email_send", tc.args)
		if !res.IsError || !strings.Contains(text, tc.want) || strings.Contains(text, "apr_") {
			t.Errorf("%v: %s", tc.args, text)
		}
		if calls, _ := e.decisions(t, "email_send"); calls[len(calls)-1] != tc.rule {
			t.Errorf("audit decisions %v, want the last %s", calls, tc.rule)
		}
	}
	// Use the one slot with an approved send; the next send is refused by
	// the quota without asking anyone.
	args := map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "One", "body": "first"}
	_, text := e.call(t, "email_send", args)
	id := approvalID(t, text)
	if _, err := e.deps.Approvals.Decide(context.Background(), id, true, "marcus.lee", ""); err != nil {
		t.Fatal(err)
	}
	args["approval_id"] = id
	if res, text := e.call(t, "email_send", args); res.IsError {
		t.Fatal(text)
	}
	res, text := e.call(t, "email_send", map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "Two", "body": "second"})
	if !res.IsError || !strings.Contains(text, "refused by policy EMAIL_SEND_QUOTA: send quota reached") || strings.Contains(text, "apr_") {
		t.Errorf("over quota: %s", text)
	}
	if calls, _ := e.decisions(t, "email_send"); calls[len(calls)-1] != "refused:EMAIL_SEND_QUOTA" {
		t.Errorf("audit decisions %v", calls)
	}
	e.wantSends(t, "rules", 1, 1)
}

// A client that can show the question gets it within the call, with
// exactly what will be sent.
func TestSendApprovedThroughElicitation(t *testing.T) {
	for _, accept := range []bool{true, false} {
		e := newEnv(t, nil, sendNeedsApproval)
		var asked string
		st, ct := mcp.NewInMemoryTransports()
		ss, err := e.srv.Connect(context.Background(), st, nil)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "asker", Version: "1"}, &mcp.ClientOptions{
			ElicitationHandler: func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
				asked = req.Params.Message
				return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": accept}}, nil
			},
		}).Connect(context.Background(), ct, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cs.Close(); ss.Wait() })
		res := mcptest.Call(t, cs, "email_send", map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "Asked", "body": "hello"})
		text := mcptest.Text(res)
		if !strings.Contains(asked, "send 'Asked' to marcus.lee@bizmcp.example (5 characters)") {
			t.Errorf("asked %q", asked)
		}
		if accept {
			if res.IsError || !strings.Contains(text, "sent M-") {
				t.Errorf("accepted: %s", text)
			}
			e.wantSends(t, "accepted", 1, 1)
		} else {
			if !res.IsError || !strings.Contains(text, "declined") {
				t.Errorf("declined: %s", text)
			}
			e.wantSends(t, "declined", 0, 0)
			if p, _ := readText(t, e.cs, "email://policies/sending"); !strings.Contains(p, "10 left") {
				t.Errorf("a declined send kept its quota slot:\n%s", p)
			}
		}
	}
}

package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/servers/email/internal/policy"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CreateDraftIn is the input of email_create_draft.
type CreateDraftIn struct {
	To        []string `json:"to,omitempty" maxItems:"10" maxLength:"254" jsonschema:"recipient addresses, e.g. [\"santiago.sanchez@costa-consultores.example\"]; when answering (in_reply_to) and empty: the original sender"`
	Cc        []string `json:"cc,omitempty" maxItems:"10" maxLength:"254" jsonschema:"copy recipients"`
	Bcc       []string `json:"bcc,omitempty" maxItems:"10" maxLength:"254" jsonschema:"blind copy recipients"`
	Subject   string   `json:"subject,omitempty" maxLength:"200" jsonschema:"one-line subject; when answering and empty: Re: plus the original subject"`
	Body      string   `json:"body" minLength:"1" maxLength:"10000" jsonschema:"plain-text body, greeting and sign-off included; do not paste quoted history, the thread keeps it"`
	InReplyTo string   `json:"in_reply_to,omitempty" pattern:"^M-[0-9]{1,10}$" jsonschema:"id of the message this answers (e.g. M-20002); files the draft in that thread"`
	mcpkit.Approvable
}

// CreateDraftOut is the output of email_create_draft.
type CreateDraftOut struct {
	DraftID           string   `json:"draft_id" jsonschema:"pass it to email_send to send this draft"`
	ThreadID          string   `json:"thread_id"`
	To                []string `json:"to,omitempty"`
	Cc                []string `json:"cc,omitempty"`
	Bcc               []string `json:"bcc,omitempty"`
	Subject           string   `json:"subject"`
	Replayed          bool     `json:"replayed" jsonschema:"true when this exact draft already existed (a retry); no second draft was made"`
	SendAllowed       bool     `json:"send_allowed" jsonschema:"whether email_send would accept every recipient of this draft under the recipient allow-list"`
	BlockedRecipients []string `json:"blocked_recipients,omitempty" jsonschema:"recipients email_send would refuse (domain not in EMAIL_ALLOWED_RECIPIENT_DOMAINS)"`
}

var createDraftTool = &mcp.Tool{
	Name: "email_create_draft",
	Description: "Save a message as a draft in the mailbox without sending it: the safe way to prepare a reply or follow-up for a person (or email_send) to send. " +
		"Pass in_reply_to to answer a message (recipient and Re: subject default from it). Nothing leaves the mailbox. " +
		"The result says whether email_send would accept the recipients. Retrying the same draft is safe: it is saved once. " +
		"Next: show the draft to the user; email_send with draft_id sends it once they agree.",
	Annotations: mcpkit.Annotations("Create draft", mcpkit.Hints{Idempotent: true}),
}

func (t *Tools) planDraft(ctx context.Context, _ *mcp.CallToolRequest, in CreateDraftIn) (*execctl.Plan, error) {
	c, err := t.prepare(ctx, composeFields{To: in.To, Cc: in.Cc, Bcc: in.Bcc, Subject: in.Subject, Body: in.Body, InReplyTo: in.InReplyTo})
	if err != nil {
		return nil, err
	}
	return t.mailPlan("save a draft", composePlan(c), "", c), nil
}

func (t *Tools) commitDraft(ctx context.Context, _ *mcp.CallToolRequest, in CreateDraftIn, p *execctl.Plan) (*mcp.CallToolResult, CreateDraftOut, error) {
	var out CreateDraftOut
	m, meta, err := t.api.CreateDraft(ctx, p.Args.(email.Compose), p.Key)
	if err != nil {
		return nil, out, t.fail(err, mcpkit.ErrorHints{NotFound: messageNotFound, Write: true})
	}
	sc := mcpkit.NewScrub(t.san)
	out = CreateDraftOut{
		DraftID:  sc.Text("draft_id", m.ID),
		ThreadID: sc.Text("thread_id", m.ThreadID),
		To:       addrs(sc, "to", m.To),
		Cc:       addrs(sc, "cc", m.Cc),
		Bcc:      addrs(sc, "bcc", m.Bcc),
		Subject:  sc.Text("subject", m.Subject),
		Replayed: meta.Replayed,
	}
	check := t.pol.Allow.Check(messageRecipients(m))
	out.SendAllowed = check == nil
	if r, ok := check.(*policy.Refused); ok {
		for i, rc := range r.Recipients {
			out.BlockedRecipients = append(out.BlockedRecipients, sc.Text(fmt.Sprintf("blocked_recipients[%d]", i), rc))
		}
	}
	var b strings.Builder
	if out.Replayed {
		fmt.Fprintf(&b, "this draft already exists as %s (a retry); no second draft was made\n", out.DraftID)
	} else {
		fmt.Fprintf(&b, "draft %s saved in thread %s (not sent)\n", out.DraftID, out.ThreadID)
	}
	fmt.Fprintf(&b, "To: %s\n", strings.Join(out.To, ", "))
	if len(out.Cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\n", strings.Join(out.Cc, ", "))
	}
	if len(out.Bcc) > 0 {
		fmt.Fprintf(&b, "Bcc: %s\n", strings.Join(out.Bcc, ", "))
	}
	fmt.Fprintf(&b, "Subject: %s\n", out.Subject)
	switch {
	case out.SendAllowed:
		fmt.Fprintf(&b, "email_send with draft_id=%s would send it.", out.DraftID)
	case !t.pol.Allow.Enabled():
		fmt.Fprintf(&b, "sending is disabled on this server (%s=%s): a person must send it from the mailbox.", policy.EnvAllowedDomains, policy.Disabled)
	default:
		fmt.Fprintf(&b, "email_send would refuse %s: not in %s (allowed: %s); a person must send it from the mailbox.",
			strings.Join(out.BlockedRecipients, ", "), policy.EnvAllowedDomains, t.pol.Allow)
	}
	return sc.Render(b.String(), out, nil), out, nil
}

// Package tools holds the email server's MCP tools. Handlers are methods on
// Tools, which is built once with its dependencies and send policy.
package tools

import (
	"log/slog"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/servers/email/internal/policy"
	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Policy is the write policy the tools enforce.
type Policy struct {
	// Allow is the recipient allow-list (EMAIL_ALLOWED_RECIPIENT_DOMAINS).
	Allow *policy.AllowList
	// Quota bounds sends per hour (EMAIL_SEND_QUOTA).
	Quota *policy.Quota
	// From is the address mail is sent as (EMAIL_FROM_ADDRESS); "" lets the
	// backend use the mailbox's own address.
	From string
	// Control is the server's execution control (app.Deps.Control): drafts
	// and sends are planned, decided and approved there. nil: the toolset
	// makes its own (tests).
	Control *execctl.Controller
	// Approvals is the deployment's approval gate, whose policy
	// (MCP_APPROVAL_POLICY) the send policy resource describes; execution
	// control applies it.
	Approvals *approval.Gate
}

// Tools is the email toolset.
type Tools struct {
	// handlers of the write tools, built by execctl from plan + commit
	createDraft mcp.ToolHandlerFor[CreateDraftIn, CreateDraftOut]
	send        mcp.ToolHandlerFor[SendIn, SendOut]

	api email.Backend
	san *sanitize.Sanitizer
	log *slog.Logger
	pol Policy
}

// New builds the toolset.
func New(api email.Backend, san *sanitize.Sanitizer, log *slog.Logger, pol Policy) *Tools {
	t := &Tools{api: api, san: san, log: log, pol: pol}
	execctl.Toolset(pol.Control, "email", log, func(c *execctl.Controller) {
		t.createDraft = execctl.Handler(c, createDraftTool, "Thread", t.planDraft, t.commitDraft)
		t.send = execctl.Handler(c, sendTool, "Thread", t.planSend, t.commitSend)
	})
	return t
}

// Register adds every email tool, resource and prompt to s, and the
// completions of their arguments to comp.
func Register(s *mcp.Server, t *Tools, comp *mcpkit.Completions) {
	registerContext(s, t, comp)
	mcpkit.AddTool(s, searchTool, t.search)
	mcpkit.AddTool(s, getMessageTool, t.getMessage)
	mcpkit.AddTool(s, getThreadTool, t.getThread)
	mcpkit.AddTool(s, createDraftTool, t.createDraft)
	mcpkit.AddTool(s, sendTool, t.send)
}

func (t *Tools) fail(err error, h mcpkit.ErrorHints) error {
	h.Backend = "email backend"
	return mcpkit.ToolError(t.san, err, h)
}

// failLookup is fail for reading one record: a record the backend does not
// have is marked mcpkit.NotFound, which resources answer with
// resource-not-found (the tools show its text).
func (t *Tools) failLookup(err error, hint string) error {
	return mcpkit.LookupError(err, t.fail(err, mcpkit.ErrorHints{NotFound: hint}))
}

const (
	messageNotFound = "Check the id (format M-12345), or call email_search to find the message."
	threadNotFound  = "Check the id (format T-1234), or call email_search and use a hit's thread_id."
)

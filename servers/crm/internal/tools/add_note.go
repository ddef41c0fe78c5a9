package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// AddNoteIn is the input of crm_add_note.
type AddNoteIn struct {
	ID     string `json:"id" pattern:"^C-[0-9]{1,10}$" jsonschema:"customer id, e.g. C-1042"`
	Body   string `json:"body" minLength:"1" maxLength:"5000" jsonschema:"the note text: what happened, what was agreed, next steps"`
	Author string `json:"author,omitempty" maxLength:"100" jsonschema:"who writes the note (default: the assistant)"`
	mcpkit.Approvable
}

// AddNoteOut is the output of crm_add_note.
type AddNoteOut struct {
	CustomerID string `json:"customer_id"`
	NoteID     string `json:"note_id"`
	CreatedAt  string `json:"created_at,omitempty"`
	Replayed   bool   `json:"replayed" jsonschema:"true when this exact note had already been added (a retry); nothing new was written"`
}

var addNoteTool = &mcp.Tool{
	Name: "crm_add_note",
	Description: "Add a note to a customer's CRM record, e.g. a summary of a call or an agreed next step. " +
		"Use it after confirming the customer id with crm_get_customer or crm_search_customers. Notes are append-only. " +
		"Retrying the same note is safe: it is written once.",
	Annotations: mcpkit.Annotations("Add customer note", mcpkit.Hints{Idempotent: true}),
}

// addNoteArgs are the canonical arguments of a note: the approval seal and
// the idempotency key are derived from them.
type addNoteArgs struct {
	ID string
	crm.NewNote
}

func (t *Tools) planAddNote(ctx context.Context, req *mcp.CallToolRequest, in AddNoteIn) (*execctl.Plan, error) {
	body := strings.TrimSpace(in.Body)
	if body == "" {
		return nil, fmt.Errorf("body is empty; write the note text")
	}
	author := strings.TrimSpace(in.Author)
	if author == "" {
		author = "assistant"
	}
	region, err := t.targetRegion(ctx, policy.Of(req), in.ID)
	if err != nil {
		return nil, err
	}
	return &execctl.Plan{
		Target: execctl.Target{ID: in.ID, Region: region},
		// The effect names no note text: it lands in the audit trail,
		// which holds no message bodies.
		Effect: fmt.Sprintf("add a note of %d characters by %s to customer %s", len([]rune(body)), mcpkit.Clip(author, 40), in.ID),
		Args:   addNoteArgs{in.ID, crm.NewNote{Body: body, Author: author}},
	}, nil
}

func (t *Tools) commitAddNote(ctx context.Context, req *mcp.CallToolRequest, in AddNoteIn, plan *execctl.Plan) (*mcp.CallToolResult, AddNoteOut, error) {
	var out AddNoteOut
	args := plan.Args.(addNoteArgs)
	n, w, err := t.crm.AddNote(ctx, args.ID, args.NewNote, plan.Key)
	if err != nil {
		return nil, out, t.failOn(in.ID, err, mcpkit.ErrorHints{Write: true})
	}
	sc := mcpkit.NewScrub(t.san)
	out = AddNoteOut{CustomerID: in.ID, NoteID: sc.Text("note_id", n.ID), CreatedAt: n.CreatedAt, Replayed: w.Replayed}
	text := fmt.Sprintf("note %s added to %s", out.NoteID, out.CustomerID)
	if out.Replayed {
		text = fmt.Sprintf("this note was already added to %s as %s (a retry); nothing new was written", out.CustomerID, out.NoteID)
	}
	return sc.Render(text, out, nil), out, nil
}

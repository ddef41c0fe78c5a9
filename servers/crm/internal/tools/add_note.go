package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// AddNoteIn is the input of crm_add_note.
type AddNoteIn struct {
	ID     string `json:"id" pattern:"^C-[0-9]{1,10}$" jsonschema:"customer id, e.g. C-1042"`
	Body   string `json:"body" minLength:"1" maxLength:"5000" jsonschema:"the note text: what happened, what was agreed, next steps"`
	Author string `json:"author,omitempty" maxLength:"100" jsonschema:"who writes the note (default: the assistant)"`
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

func (t *Tools) addNote(ctx context.Context, req *mcp.CallToolRequest, in AddNoteIn) (*mcp.CallToolResult, AddNoteOut, error) {
	var out AddNoteOut
	body := strings.TrimSpace(in.Body)
	if body == "" {
		return nil, out, fmt.Errorf("body is empty; write the note text")
	}
	author := strings.TrimSpace(in.Author)
	if author == "" {
		author = "assistant"
	}
	note := crm.NewNote{Body: body, Author: author}
	key := mcpkit.WriteKey(ctx, addNoteTool.Name, struct {
		ID string
		crm.NewNote
	}{in.ID, note})
	if err := t.checkRegion(ctx, policy.Of(req), in.ID); err != nil {
		return nil, out, err
	}
	n, w, err := t.crm.AddNote(ctx, in.ID, note, key)
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

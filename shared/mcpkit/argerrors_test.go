package mcpkit

import (
	"context"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type argIn struct {
	ID     string   `json:"id" pattern:"^C-[0-9]{1,10}$" jsonschema:"customer id, e.g. C-1042 (from crm_search_customers)"`
	Limit  int      `json:"limit,omitempty" minimum:"1" maximum:"50" jsonschema:"how many"`
	Tier   string   `json:"tier,omitempty" enum:"gold,silver"`
	Fields []string `json:"fields,omitempty" maxItems:"2" enum:"email,phone"`
	Note   string   `json:"note,omitempty" maxLength:"5"`
}

type argOut struct {
	OK bool `json:"ok"`
}

func TestSchemaViolationsBecomeActionableToolErrors(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	calls := 0
	AddTool(srv, &mcp.Tool{Name: "crm_get_customer", Description: "get", Annotations: Annotations("Get", Hints{ReadOnly: true})},
		func(ctx context.Context, req *mcp.CallToolRequest, in argIn) (*mcp.CallToolResult, argOut, error) {
			calls++
			return nil, argOut{OK: true}, nil
		})
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, nil).Connect(context.Background(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"id": "acme"}, `id must look like C-1042, not "acme"`},
		{map[string]any{}, "id is required (customer id, e.g. C-1042 (from crm_search_customers))"},
		{map[string]any{"id": "C-1", "limit": 500}, "limit must be between 1 and 50, not 500"},
		{map[string]any{"id": "C-1", "limit": "ten"}, `limit must be an integer, not "ten"`},
		{map[string]any{"id": "C-1", "tier": "platinum"}, `tier must be one of gold, silver, not "platinum"`},
		{map[string]any{"id": "C-1", "fields": []string{"email", "fax"}}, `fields[1] must be one of email, phone, not "fax"`},
		{map[string]any{"id": "C-1", "fields": []string{"email", "phone", "email"}}, "fields takes at most 2 items, not 3"},
		{map[string]any{"id": "C-1", "note": "too long"}, "note must be at most 5 characters, not 8"},
		{map[string]any{"id": "C-1", "customer": "C-2"}, "customer is not an argument of this tool (it takes fields, id, limit, note, tier)"},
	} {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "crm_get_customer", Arguments: tc.args})
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		text := res.Content[0].(*mcp.TextContent).Text
		if !res.IsError || !strings.HasPrefix(text, "Invalid arguments for crm_get_customer: ") || !strings.Contains(text, tc.want) ||
			!strings.HasSuffix(text, "Nothing was done; fix the arguments and call again.") || strings.Contains(text, "validating") {
			t.Errorf("%v:\n got %q\nwant it to say %q", tc.args, text, tc.want)
		}
	}
	if calls != 0 {
		t.Fatalf("handler ran %d times on invalid arguments", calls)
	}
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "crm_get_customer", Arguments: map[string]any{"id": "C-1042"}})
	if err != nil || res.IsError || calls != 1 {
		t.Fatalf("valid call: %v %+v", err, res)
	}
}

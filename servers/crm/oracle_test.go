package main

import (
	"context"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/auth/authtest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// An id outside the caller's region answers exactly like an id that does
// not exist (apart from the id itself), for every tool and the resource:
// a regional user cannot learn which ids exist elsewhere.
func TestOutOfRegionAnswersLikeMissing(t *testing.T) {
	is, ts, _ := authServer(t)
	tok := is.Token(t, authtest.Claims{Subject: "eve", Audience: resource, Scope: "crm:write", Region: "emea"})
	cs, err := authtest.Connect(t, ts.URL, tok)
	if err != nil {
		t.Fatal(err)
	}
	const apac, missing = "C-1007", "C-9999" // C-1007 exists, in apac
	for tool, args := range map[string]func(id string) map[string]any{
		"crm_get_customer":    func(id string) map[string]any { return map[string]any{"id": id} },
		"crm_add_note":        func(id string) map[string]any { return map[string]any{"id": id, "body": "x"} },
		"crm_update_customer": func(id string) map[string]any { return map[string]any{"id": id, "tier": "gold"} },
	} {
		a := mcptest.Call(t, cs, tool, args(apac))
		m := mcptest.Call(t, cs, tool, args(missing))
		at := strings.ReplaceAll(mcptest.Text(a), apac, "<id>")
		mt := strings.ReplaceAll(mcptest.Text(m), missing, "<id>")
		if !a.IsError || !m.IsError || at != mt {
			t.Errorf("%s:\n out of region: %s\n missing:       %s", tool, at, mt)
		}
	}
	ctx := context.Background()
	_, errA := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://customers/" + apac})
	_, errM := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "crm://customers/" + missing})
	if errA == nil || errM == nil || strings.ReplaceAll(errA.Error(), apac, "<id>") != strings.ReplaceAll(errM.Error(), missing, "<id>") {
		t.Errorf("resource:\n out of region: %v\n missing:       %v", errA, errM)
	}
}

// Package tools holds the CRM server's MCP tools. Handlers are methods on
// Tools, which is built once with its dependencies.
package tools

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Tools is the CRM toolset, built on the CRM port.
type Tools struct {
	crm   crm.Backend
	ids   crm.IDFormat
	idRe  *regexp.Regexp // ids.Pattern
	uriRe *regexp.Regexp // crm://customers/{id}
	san   *sanitize.Sanitizer
	log   *slog.Logger
	ctl   *execctl.Controller

	// The write tools' handlers, under execution control (plan, policy,
	// write mode, approval, idempotency, commit, audit).
	addNote        mcp.ToolHandlerFor[AddNoteIn, AddNoteOut]
	updateCustomer mcp.ToolHandlerFor[UpdateCustomerIn, UpdateCustomerOut]
}

// Options are the CRM deployment's write policy.
type Options struct {
	// Control is the server's execution control (app.Deps.Control); nil:
	// a controller of the toolset's own with no policy but the shorthands
	// (handler tests).
	Control *execctl.Controller
	// UpdateFields are the fields crm_update_customer may change
	// (CRM_UPDATE_FIELDS), compiled into the policy engine.
	UpdateFields []string
}

// allFields are the fields crm_update_customer can change.
var allFields = []string{"email", "phone", "tier", "status", "owner", "tags"}

// UpdateFieldsPolicy compiles CRM_UPDATE_FIELDS into a Cedar rule.
func UpdateFieldsPolicy(fields []string) execctl.Source {
	return execctl.AllowedValues("CRM_UPDATE_FIELDS", updateCustomerTool.Name, "fields", fields,
		fmt.Sprintf("this deployment lets crm_update_customer change only %s. Tell the user; nothing was changed.", strings.Join(fields, ", ")))
}

// New builds the toolset on b. It fails when b's id pattern does not
// compile.
func New(b crm.Backend, san *sanitize.Sanitizer, log *slog.Logger, o Options) (*Tools, error) {
	ids := b.IDFormat()
	idRe, err := regexp.Compile(ids.Pattern)
	if err != nil {
		return nil, fmt.Errorf("crm backend id pattern %q: %w", ids.Pattern, err)
	}
	uriRe := regexp.MustCompile(`^crm://customers/(` + strings.TrimSuffix(strings.TrimPrefix(ids.Pattern, "^"), "$") + `)$`)
	t := &Tools{crm: b, ids: ids, idRe: idRe, uriRe: uriRe, san: san, log: log, ctl: o.Control}
	own := t.ctl == nil
	if own {
		t.ctl = execctl.New(execctl.Options{Domain: "crm", Logger: log})
	}
	t.addNote = execctl.Handler(t.ctl, addNoteTool, "Customer", t.planAddNote, t.commitAddNote)
	t.updateCustomer = execctl.Handler(t.ctl, updateCustomerTool, "Customer", t.planUpdate, t.commitUpdate)
	if o.UpdateFields == nil {
		o.UpdateFields = allFields
	}
	t.ctl.Shorthand(UpdateFieldsPolicy(o.UpdateFields))
	if own {
		if err := t.ctl.Finish(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Register adds every CRM tool, resource and prompt to s, and the
// completions of their arguments to comp.
func Register(s *mcp.Server, t *Tools, comp *mcpkit.Completions) {
	registerContext(s, t, comp)
	addTool(s, t, searchCustomersTool, t.searchCustomers)
	addTool(s, t, getCustomerTool, t.getCustomer)
	addTool(s, t, addNoteTool, t.addNote)
	addTool(s, t, updateCustomerTool, t.updateCustomer)
}

// refExample is the id the tool texts are written with; ex replaces it
// with the backend's own example.
const refExample = "C-1042"

func (t *Tools) ex(s string) string { return strings.ReplaceAll(s, refExample, t.ids.Example) }

// addTool registers a tool like mcpkit.AddTool, with the "id" argument's
// pattern and example taken from the backend's id format (the struct tags
// hold the reference API's).
func addTool[In, Out any](s *mcp.Server, t *Tools, tool *mcp.Tool, h mcp.ToolHandlerFor[In, Out]) {
	tt := *tool
	in, err := mcpkit.SchemaFor[In]()
	if err == nil {
		tt.OutputSchema, err = mcpkit.SchemaFor[Out]()
	}
	if err != nil {
		panic(fmt.Sprintf("tool %s: schema: %v", tool.Name, err))
	}
	if id := in.Properties["id"]; id != nil {
		id.Pattern = t.ids.Pattern
	}
	t.exampleIDs(in)
	t.exampleIDs(tt.OutputSchema.(*jsonschema.Schema))
	tt.InputSchema = in
	mcpkit.AddTool(s, &tt, h)
}

// exampleIDs puts the backend's example into the descriptions of every
// "id" property in s.
func (t *Tools) exampleIDs(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	for name, p := range s.Properties {
		if name == "id" {
			p.Description = t.ex(p.Description)
		}
		t.exampleIDs(p)
	}
	t.exampleIDs(s.Items)
}

func (t *Tools) fail(err error, h mcpkit.ErrorHints) error {
	h.Backend, h.Log = "CRM", t.log
	return mcpkit.ToolError(t.san, err, h)
}

// failOn is fail for a call about customer id: a missing customer gets
// errNotFound, word for word what a customer outside the caller's region
// gets.
func (t *Tools) failOn(id string, err error, h mcpkit.ErrorHints) error {
	if port.IsKind(err, port.KindNotFound) {
		return t.errNotFound(id)
	}
	return t.fail(err, h)
}

// errNotFound answers a missing customer and one outside the caller's
// region alike, so a regional user learns nothing about the others.
func (t *Tools) errNotFound(id string) error {
	return fmt.Errorf("not found in the CRM: customer %s. %s", id, t.notFoundHint())
}

func (t *Tools) notFoundHint() string {
	return fmt.Sprintf("Check the id (format %s), or call crm_search_customers to find the customer.", t.ids.Example)
}

// inRegion fetches nothing: it checks a record already read.
func inRegion(p policy.Principal, c *crm.Customer) bool {
	return p.Region == "" || c.Region == p.Region
}

// targetRegion reads the region of the customer a write is about to
// change, for the policy engine (resource.region) and the caller's region
// limit: a customer outside the caller's region answers exactly as a
// missing one.
func (t *Tools) targetRegion(ctx context.Context, p policy.Principal, id string) (string, error) {
	c, err := t.crm.Get(ctx, id, crm.View{Fields: []string{crm.FieldRegion}})
	if err != nil {
		return "", t.failOn(id, err, mcpkit.ErrorHints{})
	}
	if !inRegion(p, c) {
		return "", t.errNotFound(id)
	}
	return c.Region, nil
}

// Package tools holds the CRM server's MCP tools. Handlers are methods on
// Tools, which is built once with its dependencies.
package tools

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crmapi"
	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Tools is the CRM toolset.
type Tools struct {
	api          *crmapi.Client
	san          *sanitize.Sanitizer
	log          *slog.Logger
	gate         *approval.Gate
	updateFields []string // CRM_UPDATE_FIELDS: what crm_update_customer may change
}

// Options are the CRM deployment's write policy.
type Options struct {
	Approvals    *approval.Gate
	UpdateFields []string
}

// New builds the toolset.
func New(api *crmapi.Client, san *sanitize.Sanitizer, log *slog.Logger, o Options) *Tools {
	return &Tools{api: api, san: san, log: log, gate: o.Approvals, updateFields: o.UpdateFields}
}

// Register adds every CRM tool, resource and prompt to s, and the
// completions of their arguments to comp.
func Register(s *mcp.Server, t *Tools, comp *mcpkit.Completions) {
	registerContext(s, t, comp)
	mcpkit.AddTool(s, searchCustomersTool, t.searchCustomers)
	mcpkit.AddTool(s, getCustomerTool, t.getCustomer)
	mcpkit.AddTool(s, addNoteTool, t.addNote)
	mcpkit.AddTool(s, updateCustomerTool, t.updateCustomer)
}

func (t *Tools) fail(err error, h mcpkit.ErrorHints) error {
	h.Backend = "CRM"
	return mcpkit.ToolError(t.san, err, h)
}

// errOutsideRegion answers like a missing record, so a regional user learns
// nothing about customers outside their region.
func errOutsideRegion(id string) error {
	return fmt.Errorf("not found in the CRM: customer %s. %s", id, notFoundHint)
}

// lookupFail is the error of a failed read of customer id: a missing
// record answers exactly like one outside the caller's region (the same
// words, no backend message or request id), so the answer is no
// existence oracle.
func (t *Tools) lookupFail(err error, id string) error {
	if be, ok := backend.AsError(err); ok && be.Kind == backend.KindNotFound {
		return errOutsideRegion(id)
	}
	return t.fail(err, mcpkit.ErrorHints{NotFound: notFoundHint})
}

// inRegion fetches nothing: it checks a record already read.
func inRegion(p policy.Principal, c *crmapi.Customer) bool {
	return p.Region == "" || c.Region == p.Region
}

// checkRegion reads the customer when the caller is region-restricted, so
// writes cannot reach records the caller may not see.
func (t *Tools) checkRegion(ctx context.Context, p policy.Principal, id string) error {
	if p.Region == "" {
		return nil
	}
	c, err := t.api.Get(ctx, id)
	if err != nil {
		return t.lookupFail(err, id)
	}
	if !inRegion(p, c) {
		return errOutsideRegion(id)
	}
	return nil
}

const notFoundHint = "Check the id (format C-1234), or call crm_search_customers to find the customer."

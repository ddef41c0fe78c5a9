// Package tools holds the CRM server's MCP tools. Handlers are methods on
// Tools, which is built once with its dependencies.
package tools

import (
	"log/slog"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crmapi"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Tools is the CRM toolset.
type Tools struct {
	api *crmapi.Client
	san *sanitize.Sanitizer
	log *slog.Logger
}

// New builds the toolset.
func New(api *crmapi.Client, san *sanitize.Sanitizer, log *slog.Logger) *Tools {
	return &Tools{api: api, san: san, log: log}
}

// Register adds every CRM tool to s.
func Register(s *mcp.Server, t *Tools) {
	mcpkit.AddTool(s, searchCustomersTool, t.searchCustomers)
	mcpkit.AddTool(s, getCustomerTool, t.getCustomer)
	mcpkit.AddTool(s, addNoteTool, t.addNote)
	mcpkit.AddTool(s, updateCustomerTool, t.updateCustomer)
}

func (t *Tools) fail(err error, h mcpkit.ErrorHints) error {
	h.Backend = "CRM"
	return mcpkit.ToolError(t.san, err, h)
}

const notFoundHint = "Check the id (format C-1234), or call crm_search_customers to find the customer."

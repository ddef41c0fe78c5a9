// Package tools holds the shipping server's MCP tools: address validation,
// rate quotes, label purchase and void, and tracking. Handlers are methods
// on Tools, which is built once with its dependencies.
package tools

import (
	"log/slog"
	"strings"
	"sync"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options are the server settings the tools apply.
type Options struct {
	// Control is the server's execution control (app.Deps.Control): label
	// purchases and voids are planned, decided and approved there before
	// the backend is called. nil: the toolset makes its own (tests).
	Control *execctl.Controller
	// MaxLabelCostMinor is the most one label may cost, in minor units of
	// the rate's currency (SHIPPING_MAX_LABEL_COST_MINOR); 0 = no ceiling.
	MaxLabelCostMinor int64
}

// Tools is the shipping toolset.
type Tools struct {
	api shipping.Backend
	san *sanitize.Sanitizer
	log *slog.Logger
	opt Options
	// The write tools' handlers, under execution control (planLabel and
	// commitLabel, planVoid and commitVoid).
	createLabel mcp.ToolHandlerFor[CreateLabelIn, CreateLabelOut]
	voidLabel   mcp.ToolHandlerFor[VoidLabelIn, VoidLabelOut]
	// routes remembers where recent quotes ship from and to, so that the
	// approval of a label purchase (which only names a rate) can say where
	// the parcel goes.
	routes routeCache
}

// New builds the toolset.
func New(api shipping.Backend, san *sanitize.Sanitizer, log *slog.Logger, opt Options) *Tools {
	t := &Tools{api: api, san: san, log: log, opt: opt, routes: routeCache{max: maxRoutes}}
	execctl.Toolset(opt.Control, "shipping", log, func(c *execctl.Controller) {
		t.createLabel = execctl.Handler(c, createLabelTool, "Shipment", t.planLabel, t.commitLabel)
		t.voidLabel = execctl.Handler(c, voidLabelTool, "Shipment", t.planVoid, t.commitVoid)
		c.Shorthand(LabelCostCeiling(opt.MaxLabelCostMinor))
	})
	return t
}

// LabelCostCeiling compiles SHIPPING_MAX_LABEL_COST_MINOR: a label costing
// more than max (minor units of the rate's currency) is not bought (0 = no
// ceiling).
func LabelCostCeiling(max int64) execctl.Source {
	return execctl.Ceiling("SHIPPING_MAX_LABEL_COST_MINOR", createLabelTool.Name, "amount", max,
		"nothing was bought: this label costs more than this server's label cost ceiling of {ceiling} (SHIPPING_MAX_LABEL_COST_MINOR). "+
			"Choose a cheaper rate from shipping_get_rates, or ask an operator to raise the ceiling; tell the user")
}

// maxRoutes bounds the quotes whose route is remembered (the backend
// expires a rate once 2000 newer ones were issued: ~180 quotes).
const maxRoutes = 1000

// routeCache maps quote ids to "from … to …", oldest evicted first.
type routeCache struct {
	mu    sync.Mutex
	max   int
	m     map[string]string
	order []string
}

func (c *routeCache) put(quoteID, route string) {
	if quoteID == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]string{}
	}
	if _, ok := c.m[quoteID]; !ok {
		c.order = append(c.order, quoteID)
		if len(c.order) > c.max {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.m[quoteID] = route
}

func (c *routeCache) get(quoteID string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[quoteID]
	return r, ok
}

// Register adds every shipping tool, resource and prompt to s, and the
// completions of their arguments to comp.
func Register(s *mcp.Server, t *Tools, comp *mcpkit.Completions) {
	registerContext(s, t, comp)
	mcpkit.AddTool(s, validateAddressTool, t.validateAddress)
	mcpkit.AddTool(s, getRatesTool, t.getRates)
	mcpkit.AddTool(s, createLabelTool, t.createLabel)
	mcpkit.AddTool(s, voidLabelTool, t.voidLabel)
	mcpkit.AddTool(s, trackTool, t.track)
}

func (t *Tools) fail(err error, h mcpkit.ErrorHints) error {
	h.Backend = "Shipping API"
	return mcpkit.ToolError(t.san, err, h)
}

// backendMessage returns the backend's (sanitized) error message of err.
func (t *Tools) backendMessage(err error) string {
	if be, ok := port.AsError(err); ok && be.Message != "" {
		return strings.TrimSpace(t.san.Text(be.Message).Text)
	}
	return err.Error()
}

// backendCode returns the backend's error code ("rate_expired") of err.
func backendCode(err error) string {
	if be, ok := port.AsError(err); ok {
		return be.Code
	}
	return ""
}

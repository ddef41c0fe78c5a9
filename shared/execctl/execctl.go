// Package execctl is execution control: every write tool is a plan and a
// commit, and the framework, not the handler, runs the steps in between in
// one fixed order:
//
//	plan → cumulative totals reserved → policy decision (Cedar) → write mode
//	     → approval (approval.Gate) → idempotency key → commit → audit
//
// A write tool (one whose annotations are not read-only) is registered with
// AddWriteTool (or built with Handler); app.Build refuses to start a server
// with a write tool that was not. docs/execution-control.md tells how to
// convert a tool; docs/policy.md how to write policies.
package execctl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Target is what a write acts on.
type Target struct {
	Kind   string `json:"kind"`   // Cedar entity type, fixed per tool: "Customer", "Order", "Thread", "Shipment"
	ID     string `json:"id"`     // "C-1042", "ORD-49002"
	Region string `json:"region"` // the record's region when the plan read it ("" = unknown)
}

// Plan is what a write is about to do, built before anything changes.
type Plan struct {
	Target Target `json:"target"`
	// Effect says what will happen, in words a person approves:
	// "refund USD 12.00 on ORD-49002". No trailing period.
	Effect string `json:"effect,omitempty"`
	// Facts a rule may need.
	Amount     int64    `json:"amount,omitempty"`     // money moved or spent in minor units: a refund, a label's cost (0 = none)
	Currency   string   `json:"currency,omitempty"`   // ISO 4217 of Amount
	Recipients []string `json:"recipients,omitempty"` // mail recipients (their domains are derived)
	Fields     []string `json:"fields,omitempty"`     // fields a change touches
	// Args are the canonical arguments the commit acts on: the approval is
	// sealed to them and, without KeyArgs, the idempotency key derived from
	// them (when no idempotency middleware set the call's key).
	Args any `json:"-"`
	// KeyArgs, if set, are what the idempotency key derives from instead
	// of Args: a key form kept stable across upgrades, or arguments as the
	// caller gave them where Args resolve them ("everything still
	// refundable" → the amount).
	KeyArgs any `json:"-"`
	// Replay says the backend already made this very write under this
	// call's idempotency key (its response was lost) and will answer the
	// commit with it: nothing changes again, so no totals are counted and
	// neither policy nor approval applies (an approval spent on the write
	// does not block its retry). Only a plan that found the key (KeyOf) on
	// the target sets it; dry run still answers without a commit.
	Replay bool `json:"-"`
	// Undo, if set, gives back what the plan took (a quota slot) when the
	// framework answers without a commit: refused, held for approval, or
	// dry run. A failed commit undoes its own.
	Undo func(context.Context) `json:"-"`

	// Set by the framework before commit:
	Tool     string   `json:"tool"`   // the tool's name
	Key      string   `json:"-"`      // the idempotency key to hand to the port's write method
	Decision Decision `json:"-"`      // what the policy engine decided
	Totals   Totals   `json:"totals"` // cumulative totals including this write

	res *reservation // what the totals reserved, until the commit ends
}

// Write modes (MCP_WRITE_MODE).
const (
	ModeOff     = "off"     // no write tools (MCP_READ_ONLY=true)
	ModeDryRun  = "dry-run" // every write answers with its plan and decision, nothing is done
	ModeApprove = "approve" // every write needs a person's approval
	ModeOn      = "on"      // writes run under the policy
)

// ParseMode checks an MCP_WRITE_MODE value ("" = on).
func ParseMode(s string) (string, error) {
	switch s {
	case "":
		return ModeOn, nil
	case ModeOff, ModeDryRun, ModeApprove, ModeOn:
		return s, nil
	}
	return "", fmt.Errorf("MCP_WRITE_MODE must be off, dry-run, approve or on, not %q", s)
}

// Options configures a Controller.
type Options struct {
	Domain string
	Store  kv.Store       // cumulative totals (nil: in memory)
	Gate   *approval.Gate // the approval gate (nil: writes needing approval are refused)
	Mode   string         // MCP_WRITE_MODE ("" = on)
	Logger *slog.Logger
	Now    func() time.Time // tests
}

// Controller holds the write tools of one server, the policy engine and
// the cumulative totals.
type Controller struct {
	o        Options
	counters counters
	mu       sync.RWMutex
	tools    map[string]string // tool → target kind
	extra    []Source          // server shorthands (CRM_UPDATE_FIELDS...)
	engine   *Engine
}

// New returns a controller; Finish compiles its policies once the tools are
// registered.
func New(o Options) *Controller {
	if o.Store == nil {
		o.Store = kv.NewMemory()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Mode == "" {
		o.Mode = ModeOn
	}
	return &Controller{o: o, counters: counters{store: o.Store, domain: o.Domain, now: o.Now}, tools: map[string]string{}}
}

// Mode returns the write mode.
func (c *Controller) Mode() string { return c.o.Mode }

// Planned reports whether tool was registered with a plan.
func (c *Controller) Planned(tool string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.tools[tool]
	return ok
}

// Schema is the schema of the tools registered so far.
func (c *Controller) Schema() Schema {
	c.mu.RLock()
	defer c.mu.RUnlock()
	m := make(map[string]string, len(c.tools))
	for k, v := range c.tools {
		m[k] = v
	}
	return Schema{Tools: m}
}

// Shorthand adds a server's own setting compiled to Cedar (see Ceiling,
// AllowedValues); Finish validates it with the rest.
func (c *Controller) Shorthand(src Source) {
	c.mu.Lock()
	c.extra = append(c.extra, src)
	c.mu.Unlock()
}

// Finish compiles the generic shorthands, the server's shorthands and the
// policy file into the engine, validated against the registered tools.
// sources come first (the policy file); a nil result means the server may
// start.
func (c *Controller) Finish(sources ...Source) error {
	sch := c.Schema()
	c.mu.RLock()
	all := append(append([]Source{}, sources...), c.extra...)
	c.mu.RUnlock()
	if c.o.Mode == ModeOff {
		all = append(all, ReadOnly())
	}
	e, err := Compile(sch, all...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.engine = e
	c.mu.Unlock()
	return nil
}

// MayAsk reports whether a call of tool may wait for a person (approval
// through elicitation).
func (c *Controller) MayAsk(tool string) bool {
	if c == nil || !c.Planned(tool) {
		return false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.o.Mode == ModeApprove || c.engine.Asks()
}

// Decide evaluates a plan without running it (bizmcp-policy, dry run).
func (c *Controller) Decide(in Input) Decision {
	c.mu.RLock()
	e := c.engine
	c.mu.RUnlock()
	return e.Decide(in)
}

// Approver is the input of a write tool: it carries the approval id a
// person granted (embed mcpkit.Approvable).
type Approver interface{ GetApprovalID() string }

// PlanFunc builds a write's plan: validate the input, read what the rules
// need (the target's region), describe the effect. It must not write.
type PlanFunc[In any] func(ctx context.Context, req *mcp.CallToolRequest, in In) (*Plan, error)

// CommitFunc performs the planned write with plan.Key as its idempotency
// key and renders the result.
type CommitFunc[In, Out any] func(ctx context.Context, req *mcp.CallToolRequest, in In, plan *Plan) (*mcp.CallToolResult, Out, error)

// AddWriteTool registers a write tool under execution control, with
// schemas inferred as mcpkit.AddTool does. kind is the Cedar entity type of
// its target ("Customer").
func AddWriteTool[In Approver, Out any](s *mcp.Server, c *Controller, tool *mcp.Tool, kind string, plan PlanFunc[In], commit CommitFunc[In, Out]) {
	mcpkit.AddTool(s, tool, Handler(c, tool, kind, plan, commit))
}

// Handler returns the handler of a write tool under execution control, for
// servers that register tools with their own helper (adjusted schemas).
// Building it registers the tool with c.
func Handler[In Approver, Out any](c *Controller, tool *mcp.Tool, kind string, plan PlanFunc[In], commit CommitFunc[In, Out]) mcp.ToolHandlerFor[In, Out] {
	if tool.Annotations != nil && tool.Annotations.ReadOnlyHint {
		panic(fmt.Sprintf("execctl: %s is read-only; register it with mcpkit.AddTool", tool.Name))
	}
	if kind == "" || plan == nil || commit == nil {
		panic(fmt.Sprintf("execctl: %s needs a target kind, a plan and a commit", tool.Name))
	}
	c.mu.Lock()
	c.tools[tool.Name] = kind
	c.mu.Unlock()
	name := tool.Name
	return func(ctx context.Context, req *mcp.CallToolRequest, in In) (*mcp.CallToolResult, Out, error) {
		var zero Out
		p, err := plan(ctx, req, in)
		if err != nil {
			return nil, zero, err
		}
		if p == nil {
			return nil, zero, fmt.Errorf("%s: no plan", name)
		}
		p.Tool, p.Target.Kind = name, kind
		res, err := c.run(ctx, req, in.GetApprovalID(), p)
		if res != nil || err != nil {
			if p.Undo != nil {
				p.Undo(context.WithoutCancel(ctx))
			}
			return res, zero, err
		}
		res, out, err := commit(ctx, req, in, p)
		if err != nil || res != nil && res.IsError {
			p.release(ctx)
			audit.Annotate(ctx, "commit", "failed")
		} else {
			audit.Annotate(ctx, "commit", "done")
		}
		return res, out, err
	}
}

// release gives back the plan's reserved totals (its commit failed).
func (p *Plan) release(ctx context.Context) {
	p.res.release(ctx)
	p.res = nil
}

// run takes a plan through totals, policy, write mode and approval. It
// returns a result or error to answer with, or (nil, nil) to commit.
func (c *Controller) run(ctx context.Context, req *mcp.CallToolRequest, approvalID string, p *Plan) (*mcp.CallToolResult, error) {
	c.mu.RLock()
	e := c.engine
	c.mu.RUnlock()
	if e == nil {
		return nil, errors.New("NOT DONE: this server's execution control was not set up (Finish was not called); nothing was changed")
	}
	pr := policy.FromContext(ctx)
	if req != nil && req.Extra != nil && req.Extra.TokenInfo != nil {
		pr = policy.Of(req)
	}
	audit.Annotate(ctx, "effect", approval.SafeText(p.Effect))
	audit.Annotate(ctx, "mode", c.o.Mode)
	if p.Replay && c.o.Mode != ModeDryRun && c.o.Mode != ModeOff {
		// The backend replays a write it already made: nothing moves.
		audit.Annotate(ctx, "policy", "replay")
		p.Key = KeyOf(ctx, p)
		return nil, nil
	}

	totals, res, err := c.counters.reserve(ctx, p.Tool, pr.Subject, p.Target, p.Amount)
	if err != nil {
		c.o.Logger.Warn("execution control: totals unavailable", "tool", p.Tool, "error", err)
		policy.Refused(ctx, "refused:totals_unavailable")
		return nil, fmt.Errorf("NOT DONE: could not check this deployment's cumulative limits (the shared store is unavailable); nothing was changed. Try again shortly")
	}
	p.Totals = totals
	keep := false
	defer func() {
		if keep {
			p.res = res
		} else {
			res.release(ctx)
		}
	}()

	// 1. Policy.
	d := e.Decide(Input{Principal: pr, Tool: p.Tool, Plan: p, Totals: totals, Mode: c.o.Mode})
	// 2. Write mode.
	if c.o.Mode == ModeApprove && d.Outcome == Permit {
		d = Decision{Outcome: Approval, Rules: []string{"MCP_WRITE_MODE=approve"}, Approver: "a person"}
	}
	p.Decision = d
	audit.Annotate(ctx, "policy", string(d.Outcome))
	if len(d.Rules) > 0 {
		audit.Annotate(ctx, "rules", d.Rule())
	}
	if c.o.Mode == ModeDryRun {
		policy.Refused(ctx, "dry_run")
		return nil, errors.New(DryRunText(p))
	}
	switch d.Outcome {
	case Forbid:
		policy.Refused(ctx, "refused:"+d.Rule())
		return nil, errors.New(refusal(p, d))
	case Approval:
		// 3. Approval.
		r, err := c.o.Gate.Require(ctx, req, approvalID, approval.Plan{
			Tool: p.Tool, Args: p.Args, Summary: p.Effect, Amount: p.Amount, Currency: p.Currency,
		}, approvalRule(d))
		if r != nil || err != nil {
			return r, err
		}
	}
	// 4. Idempotency: the middleware's key for this call (principal, tool,
	// canonical arguments, or the caller's own key bound to them); a retry
	// of a done call never reaches this handler.
	p.Key = KeyOf(ctx, p)
	keep = true
	return nil, nil
}

// KeyOf is the idempotency key the commit of p writes under: the
// middleware's key for this call, else one derived from p.KeyArgs (or
// p.Args). A plan calls it to find a write of this call the backend already
// made (Replay); p.Tool must be set.
func KeyOf(ctx context.Context, p *Plan) string {
	args := p.KeyArgs
	if args == nil {
		args = p.Args
	}
	return mcpkit.WriteKey(ctx, p.Tool, args)
}

func approvalRule(d Decision) string {
	if d.Approver != "" && d.Approver != "a person" && !strings.HasPrefix(d.Approver, "MCP_") {
		return d.Rule() + ", approver: " + d.Approver
	}
	return d.Rule()
}

// refusal is what the model is told when a rule forbids the write.
func refusal(p *Plan, d Decision) string {
	reason := d.Reason
	if d.Ceiling > 0 {
		ceiling := fmt.Sprintf("%d (minor units)", d.Ceiling)
		if p.Currency != "" {
			ceiling = money.Format(d.Ceiling, p.Currency)
		}
		reason = strings.ReplaceAll(reason, "{ceiling}", ceiling)
	}
	if reason == "" {
		reason = "this deployment's policy does not allow it. Tell the user; nothing was done."
	}
	if !strings.Contains(reason, "nothing") {
		reason = strings.TrimSuffix(reason, ".") + ". Nothing was done."
	}
	return fmt.Sprintf("refused by policy %s: %s (%s)", d.Rule(), reason, approval.SafeText(p.Effect))
}

// DryRunText is the answer to a write in dry-run mode: the plan and the
// policy decision, and that nothing was done.
func DryRunText(p *Plan) string {
	var what string
	switch d := p.Decision; d.Outcome {
	case Forbid:
		what = fmt.Sprintf("the policy would refuse it (rule %s)", d.Rule())
	case Approval:
		what = fmt.Sprintf("a person would have to approve it (rule %s)", d.Rule())
	default:
		what = "the policy would allow it"
	}
	return fmt.Sprintf("DRY RUN: nothing was done. This deployment runs writes in dry-run mode (MCP_WRITE_MODE=dry-run). %s would %s; %s. Tell the user this was only a preview.",
		p.Tool, approval.SafeText(p.Effect), what)
}

// Toolset runs register (a toolset's Handler calls and Shorthand
// settings) on c, or, when c is nil (a toolset built outside app.Build:
// handler tests), on a controller of its own with no approval gate, which
// it then finishes. A given c is finished by app.Build with the
// deployment's policy file. A shorthand that does not compile is a
// programming error: it panics.
func Toolset(c *Controller, domain string, log *slog.Logger, register func(*Controller)) *Controller {
	own := c == nil
	if own {
		c = New(Options{Domain: domain, Logger: log})
	}
	register(c)
	if own {
		if err := c.Finish(); err != nil {
			panic(fmt.Sprintf("execctl: %s toolset: %v", domain, err))
		}
	}
	return c
}

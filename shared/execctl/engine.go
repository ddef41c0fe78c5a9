package execctl

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/cedar-policy/cedar-go"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
	"github.com/cedar-policy/cedar-go/x/exp/schema"
	"github.com/cedar-policy/cedar-go/x/exp/schema/validate"
)

// Outcome is what the policy engine decides for one planned write.
type Outcome string

// Outcomes.
const (
	Permit   Outcome = "permit"
	Forbid   Outcome = "forbid"
	Approval Outcome = "approval" // permit, once a person approves
)

// Decision is the engine's answer, with the rules that made it.
type Decision struct {
	Outcome Outcome
	// Rules are the ids of the forbid rules (Forbid) or approval rules
	// (Approval) that matched; empty for Permit.
	Rules []string
	// Reason is the first matching forbid rule's @reason, if any.
	Reason string
	// Ceiling is that rule's @ceiling (minor units; 0 = none): the
	// refusal shows it in the plan's currency where the reason says
	// {ceiling}.
	Ceiling int64
	// Approver is the first matching approval rule's @approval value
	// (who should approve: "finance").
	Approver string
}

// Rule is the name a refusal or approval request cites.
func (d Decision) Rule() string { return strings.Join(d.Rules, ", ") }

// Source is one named body of Cedar policies: a file, or a shorthand
// setting compiled to Cedar.
type Source struct {
	Name string // "policies.cedar", "MCP_APPROVAL_POLICY"
	Text string
}

// Schema is what policies are validated against: the write tools a server
// registered and the kind of target each acts on.
type Schema struct {
	Tools map[string]string // tool name → target entity type ("Customer")
}

// Cedar renders the schema in Cedar's schema language. Principal, context
// and totals are the same for every tool.
func (s Schema) Cedar() string {
	var b strings.Builder
	b.WriteString(`entity User {
  id: String,
  scopes: Set<String>,
  region: String,
  groups: Set<String>,
  authenticated: Bool,
};
type Totals = {
  principal_day: Long,
  principal_day_calls: Long,
  principal_hour_calls: Long,
  target: Long,
  tool_day: Long,
};
type Facts = {
  tool: String,
  mode: String,
  effect: String,
  amount: Long,
  currency: String,
  recipients: Set<String>,
  recipient_domains: Set<String>,
  fields: Set<String>,
  totals: Totals,
};
`)
	kinds := map[string]bool{}
	for _, k := range s.Tools {
		kinds[k] = true
	}
	for _, k := range sortedKeys(kinds) {
		fmt.Fprintf(&b, "entity %s {\n  region: String,\n};\n", k)
	}
	for _, t := range sortedKeys(s.Tools) {
		fmt.Fprintf(&b, "action %q appliesTo {\n  principal: [User],\n  resource: [%s],\n  context: Facts,\n};\n", t, s.Tools[t])
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type ruleMeta struct {
	name     string
	reason   string
	approver string
	ceiling  int64
}

// Engine evaluates planned writes against Cedar policies.
//
// Semantics (docs/policy.md): a built-in rule permits every write the
// deployment's other bounds (scopes, MCP_TOOLS, write mode) let through;
// any matching forbid refuses the write, naming the rule; any matching
// permit annotated @approval("who") makes it wait for a person's approval.
type Engine struct {
	all       *cedar.PolicySet
	approvals *cedar.PolicySet
	meta      map[cedar.PolicyID]ruleMeta
	asks      bool
}

const baselineID = "bizmcp-baseline-permit"

// Compile parses, names and validates policies against sch. An error is
// one line naming the source, the rule and the unknown tool or attribute.
func Compile(sch Schema, sources ...Source) (*Engine, error) {
	var sc schema.Schema
	if err := sc.UnmarshalCedar([]byte(sch.Cedar())); err != nil {
		return nil, fmt.Errorf("execution control schema: %v", err)
	}
	resolved, err := sc.Resolve()
	if err != nil {
		return nil, fmt.Errorf("execution control schema: %v", err)
	}
	v := validate.New(resolved)
	e := &Engine{all: cedar.NewPolicySet(), approvals: cedar.NewPolicySet(), meta: map[cedar.PolicyID]ruleMeta{}}
	var base cedar.Policy
	if err := base.UnmarshalCedar([]byte(`permit (principal, action, resource);`)); err != nil {
		return nil, err
	}
	e.all.Add(baselineID, &base)
	for _, src := range sources {
		if strings.TrimSpace(src.Text) == "" {
			continue
		}
		ps, err := cedar.NewPolicySetFromBytes(src.Name, []byte(src.Text))
		if err != nil {
			return nil, fmt.Errorf("%s: %s", src.Name, oneLine(err))
		}
		type item struct {
			id cedar.PolicyID
			p  *cedar.Policy
		}
		var items []item
		for id, p := range ps.All() {
			items = append(items, item{id, p})
		}
		sort.Slice(items, func(i, j int) bool { return items[i].p.Position().Offset < items[j].p.Position().Offset })
		for _, it := range items {
			p := it.p
			ann := p.Annotations()
			name := string(ann["id"])
			if name == "" {
				name = fmt.Sprintf("%s:%d", src.Name, p.Position().Line)
			}
			id := cedar.PolicyID(name)
			if _, dup := e.meta[id]; dup || id == baselineID {
				return nil, fmt.Errorf("%s:%d: two rules are named %q; give each @id a distinct name", src.Name, p.Position().Line, name)
			}
			if err := v.Policy("", (*xast.Policy)(p.AST())); err != nil {
				where := fmt.Sprintf("%s:%d", src.Name, p.Position().Line)
				if name != where {
					where += fmt.Sprintf(" (rule %q)", name)
				}
				return nil, fmt.Errorf("%s: %s", where, oneLine(err))
			}
			m := ruleMeta{name: name, reason: string(ann["reason"])}
			if c, ok := ann["ceiling"]; ok {
				if m.ceiling, err = strconv.ParseInt(string(c), 10, 64); err != nil || m.ceiling < 0 {
					return nil, fmt.Errorf("%s:%d: rule %q: @ceiling must be a whole number of minor units", src.Name, p.Position().Line, name)
				}
			}
			if a, ok := ann["approval"]; ok {
				if p.Effect() != cedar.Permit {
					return nil, fmt.Errorf("%s:%d: rule %q: @approval belongs on a permit rule (it names who approves when the rule matches)", src.Name, p.Position().Line, name)
				}
				m.approver = cmpOr(string(a), "a person")
				e.approvals.Add(id, p)
				e.asks = true
			}
			e.meta[id] = m
			e.all.Add(id, p)
		}
	}
	return e, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func oneLine(err error) string {
	s := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// Asks reports whether any rule can ask for approval.
func (e *Engine) Asks() bool { return e != nil && e.asks }

// Input is one planned write as the engine sees it.
type Input struct {
	Principal policy.Principal
	Tool      string
	Plan      *Plan
	Totals    Totals
	Mode      string
}

// Decide evaluates in. Evaluation errors of a rule (an attribute that is
// missing at run time) count as a match for forbid rules: a broken rule
// fails closed.
func (e *Engine) Decide(in Input) Decision {
	req, entities := e.request(in)
	dec, diag := cedar.Authorize(e.all, entities, req)
	var forbids []string
	reason, ceiling := "", int64(0)
	for _, er := range diag.Errors {
		if p := e.all.Get(er.PolicyID); p != nil && p.Effect() == cedar.Forbid {
			forbids = append(forbids, e.meta[er.PolicyID].name)
		}
	}
	if dec == cedar.Deny {
		for _, r := range diag.Reasons {
			m := e.meta[r.PolicyID]
			forbids = append(forbids, m.name)
			if reason == "" {
				reason, ceiling = m.reason, m.ceiling
			}
		}
	}
	if len(forbids) > 0 {
		slices.Sort(forbids)
		forbids = slices.Compact(forbids)
		return Decision{Outcome: Forbid, Rules: forbids, Reason: reason, Ceiling: ceiling}
	}
	if e.asks {
		_, adiag := cedar.Authorize(e.approvals, entities, req)
		if len(adiag.Reasons) > 0 {
			d := Decision{Outcome: Approval}
			for _, r := range adiag.Reasons {
				m := e.meta[r.PolicyID]
				d.Rules = append(d.Rules, m.name)
				if d.Approver == "" {
					d.Approver = m.approver
				}
			}
			slices.Sort(d.Rules)
			return d
		}
	}
	return Decision{Outcome: Permit}
}

func strSet(ss []string) cedar.Set {
	vals := make([]cedar.Value, 0, len(ss))
	for _, s := range ss {
		vals = append(vals, cedar.String(s))
	}
	return cedar.NewSet(vals...)
}

// Domains returns the lower-case domains of addresses (deduplicated).
func Domains(addrs []string) []string {
	var out []string
	for _, a := range addrs {
		if pa, err := mail.ParseAddress(a); err == nil {
			a = pa.Address
		}
		if i := strings.LastIndexByte(a, '@'); i >= 0 {
			d := strings.ToLower(strings.TrimSpace(a[i+1:]))
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

func (e *Engine) request(in Input) (cedar.Request, cedar.EntityMap) {
	p := in.Plan
	if p == nil {
		p = &Plan{}
	}
	pr := in.Principal
	puid := cedar.NewEntityUID("User", cedar.String(pr.Subject))
	ruid := cedar.NewEntityUID(cedar.EntityType(p.Target.Kind), cedar.String(p.Target.ID))
	entities := cedar.EntityMap{
		puid: cedar.Entity{UID: puid, Attributes: cedar.NewRecord(cedar.RecordMap{
			"id":            cedar.String(pr.Subject),
			"scopes":        strSet(pr.Scopes),
			"region":        cedar.String(pr.Region),
			"groups":        strSet(pr.Groups),
			"authenticated": cedar.Boolean(pr.Authenticated),
		})},
		ruid: cedar.Entity{UID: ruid, Attributes: cedar.NewRecord(cedar.RecordMap{"region": cedar.String(p.Target.Region)})},
	}
	t := in.Totals
	ctx := cedar.NewRecord(cedar.RecordMap{
		"tool":              cedar.String(in.Tool),
		"mode":              cedar.String(in.Mode),
		"effect":            cedar.String(p.Effect),
		"amount":            cedar.Long(p.Amount),
		"currency":          cedar.String(p.Currency),
		"recipients":        strSet(p.Recipients),
		"recipient_domains": strSet(Domains(p.Recipients)),
		"fields":            strSet(p.Fields),
		"totals": cedar.NewRecord(cedar.RecordMap{
			"principal_day":        cedar.Long(t.PrincipalDay),
			"principal_day_calls":  cedar.Long(t.PrincipalDayCalls),
			"principal_hour_calls": cedar.Long(t.PrincipalHourCalls),
			"target":               cedar.Long(t.Target),
			"tool_day":             cedar.Long(t.ToolDay),
		}),
	})
	return cedar.Request{Principal: puid, Action: cedar.NewEntityUID("Action", cedar.String(in.Tool)), Resource: ruid, Context: ctx}, entities
}

// cedarString quotes s as a Cedar string literal.
func cedarString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u{%x}`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func cedarSet(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = cedarString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Simulator decides calls in order as a server would, keeping the totals
// in memory: writes it permits, or that a person would approve, count
// toward the later ones (bizmcp-policy check).
type Simulator struct {
	e *Engine
	c counters
}

// NewSimulator returns a simulator over e whose clock is now.
func NewSimulator(e *Engine, domain string, now func() time.Time) *Simulator {
	return &Simulator{e: e, c: counters{store: kv.NewMemory(), domain: domain, now: now}}
}

// Decide reserves in's totals, decides, and keeps the totals unless the
// write is forbidden. in.Totals is ignored (computed).
func (s *Simulator) Decide(ctx context.Context, in Input) (Decision, Totals, error) {
	p := in.Plan
	t, r, err := s.c.reserve(ctx, in.Tool, in.Principal.Subject, p.Target, p.Amount)
	if err != nil {
		return Decision{}, Totals{}, err
	}
	in.Totals = t
	d := s.e.Decide(in)
	if d.Outcome == Forbid {
		r.release(ctx)
	}
	return d, t, nil
}

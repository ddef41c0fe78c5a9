// Package approval puts a person between the model and risky writes. A
// deployment policy (MCP_APPROVAL_POLICY) names the tools that need
// approval, optionally above an amount in minor units:
//
//	orders_create_refund>10000,email_send,shipping_create_label>20000
//
// A write that needs approval is first put to the user through MCP
// elicitation when the client supports it (stdio, and HTTP sessions that
// can carry server requests), with a preview of exactly what will happen.
// Otherwise the call returns "pending approval" with an id; a person
// approves or denies it out of band — the approvals HTTP endpoint (its own
// bearer token, MCP_APPROVAL_TOKEN) or the bizmcp-approve command — and the
// model calls the tool again with approval_id. Nothing the model can send
// grants approval: the record lives in the server's store (memory, or Redis
// shared by replicas), and it is sealed to the principal, the tool and the
// canonical arguments by an HMAC, so an approval for one refund cannot be
// spent on another. Every request, decision, use and mismatch is audited.
package approval

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Rule is one policy entry.
type Rule struct {
	Tool      string
	Threshold int64 // approval above this amount (minor units); -1 = always
}

// String renders the rule as written in the policy.
func (r Rule) String() string {
	if r.Threshold < 0 {
		return r.Tool
	}
	return fmt.Sprintf("%s>%d", r.Tool, r.Threshold)
}

// Policy maps tools to their rule.
type Policy map[string]Rule

var ruleRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-z][a-z0-9_]*)(?:>([0-9]{1,15}))?$`) })

// ParsePolicy reads "tool[>amount],...".
func ParsePolicy(s string) (Policy, error) {
	p := Policy{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m := ruleRE().FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("MCP_APPROVAL_POLICY: %q is not TOOL or TOOL>AMOUNT (amount in minor units)", part)
		}
		r := Rule{Tool: m[1], Threshold: -1}
		if m[2] != "" {
			r.Threshold, _ = strconv.ParseInt(m[2], 10, 64)
		}
		p[r.Tool] = r
	}
	return p, nil
}

// Needs reports whether a call of tool moving amount needs approval.
func (p Policy) Needs(tool string, amount int64) (Rule, bool) {
	r, ok := p[tool]
	if !ok {
		return Rule{}, false
	}
	return r, r.Threshold < 0 || amount > r.Threshold
}

// Covers reports whether tool has a rule at all.
func (p Policy) Covers(tool string) bool { _, ok := p[tool]; return ok }

// Plan is what a write tool is about to do, computed before any backend
// write: the canonical arguments it will act on and a preview for a person.
type Plan struct {
	Tool     string
	Args     any    // canonical arguments (without approval_id)
	Summary  string // exactly what will happen, in one or two sentences
	Amount   int64  // money moved or spent, minor units (0 when none)
	Currency string
	// Target names what the write acts on ("order ORD-49002"); "" = taken
	// from the arguments' first *_id field.
	Target string
}

// States of a record.
const (
	Pending  = "pending"
	Approved = "approved"
	Denied   = "denied"
	Used     = "used"
)

// Record is a pending or decided approval.
type Record struct {
	ID        string    `json:"id"`
	Tool      string    `json:"tool"`
	Principal string    `json:"principal"`
	Summary   string    `json:"summary"`
	Amount    int64     `json:"amount_minor,omitempty"`
	Currency  string    `json:"currency,omitempty"`
	Rule      string    `json:"rule"`
	Seal      string    `json:"seal"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	DecidedBy string    `json:"decided_by,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	// Channel is how the decision was taken: "out-of-band" (a person with
	// the approvals token) or "elicitation" (the client asked its user).
	Channel string `json:"channel,omitempty"`
	// MAC seals the whole record (state, decision, approver, expiry and the
	// seal of the call) with the deployment's secret: a record changed in
	// the store by anyone without the secret is refused.
	MAC string `json:"mac"`
	// Target is what the write acts on; Client the MCP client (name and
	// version) the request came through. Both are shown to the approver.
	Target string `json:"target,omitempty"`
	Client string `json:"client,omitempty"`
}

// IDIn returns the first approval id ("apr_" and 20 hex digits) that text
// names: a pending answer names its approval this way.
func IDIn(text string) (string, bool) {
	id := idRE().FindString(text)
	return id, id != ""
}

var idRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`apr_[0-9a-f]{20}`) })

// ErrSelfApproval refuses a decision by the principal who asked.
var ErrSelfApproval = errors.New("the person who asked for an approval cannot decide it")

// Gate checks plans against the policy and the store.
type Gate struct {
	Policy  Policy
	store   kv.Store
	secret  []byte
	ttl     time.Duration
	domain  string
	audit   *audit.Logger
	log     *slog.Logger
	now     func() time.Time
	elicits bool
	// elicitHTTP allows form elicitation over HTTP, where the client is the
	// agent's host and its "yes" may be the agent's own.
	elicitHTTP bool
	links      links
}

// Options configures NewGate.
type Options struct {
	Policy Policy
	Store  kv.Store
	Secret string        // HMAC key; "" = random per process (memory store only)
	TTL    time.Duration // how long a pending approval waits (default 15 m)
	Domain string
	Audit  *audit.Logger
	Logger *slog.Logger
	// NoElicit skips elicitation (always use out-of-band approval).
	NoElicit bool
	// ElicitOverHTTP lets HTTP clients answer approvals by form
	// elicitation (MCP_APPROVAL_CHANNEL=elicitation): only for deployments
	// where the HTTP client is a person's own host. By default an HTTP
	// client's answer is not a person's, and approvals go out of band.
	ElicitOverHTTP bool
	// PageURL is the approvals console's base URL (MCP_APPROVALS_URL): a
	// request then carries its page, BASE/approvals/ID.
	PageURL string
	// WebhookURL receives Slack-compatible JSON ({"text": ...}) for each
	// new pending approval (MCP_APPROVALS_WEBHOOK_URL).
	WebhookURL string
}

// Channels of MCP_APPROVAL_CHANNEL.
const (
	ChannelAuto        = "auto"        // elicitation over stdio, out of band over HTTP (default)
	ChannelOutOfBand   = "out-of-band" // always a person with the approvals token, CLI or page
	ChannelElicitation = "elicitation" // the client asks its user, over stdio and HTTP
)

// ParseChannel checks an MCP_APPROVAL_CHANNEL value.
func ParseChannel(s string) (noElicit, overHTTP bool, err error) {
	switch s {
	case "", ChannelAuto:
		return false, false, nil
	case ChannelOutOfBand:
		return true, false, nil
	case ChannelElicitation:
		return false, true, nil
	}
	return false, false, fmt.Errorf("MCP_APPROVAL_CHANNEL must be auto, out-of-band or elicitation, not %q", s)
}

// NewGate returns a gate; with a nil or empty policy it approves nothing
// and asks nothing.
func NewGate(o Options) *Gate {
	secret := []byte(o.Secret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
	}
	if o.TTL <= 0 {
		o.TTL = 15 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Gate{Policy: o.Policy, store: o.Store, secret: secret, ttl: o.TTL, domain: o.Domain, audit: o.Audit, log: o.Logger, now: time.Now, elicits: !o.NoElicit, elicitHTTP: o.ElicitOverHTTP,
		links: newLinks(o.PageURL, o.WebhookURL, o.Logger)}
}

func (g *Gate) seal(p policy.Principal, plan Plan) string {
	args, _ := json.Marshal(plan.Args)
	var v any
	if json.Unmarshal(args, &v) == nil {
		args, _ = json.Marshal(v) // canonical: sorted keys
	}
	m := hmac.New(sha256.New, g.secret)
	fmt.Fprintf(m, "%s\x00%s\x00%s\x00", g.domain, p.Subject, plan.Tool)
	m.Write(args)
	return hex.EncodeToString(m.Sum(nil))
}

func key(id string) string { return "approval:" + id }

// Error is a call stopped by the approval gate: the tool returns it as a
// tool error telling the model what happens next.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Check lets the plan proceed (nil, nil), stops it with an *Error, or —
// when the client can answer an elicitation — returns a result asking the
// user (a multi round-trip input request) that the tool must return as is.
// approvalID is what the model passed back, if anything.
func (g *Gate) Check(ctx context.Context, req *mcp.CallToolRequest, approvalID string, plan Plan) (*mcp.CallToolResult, error) {
	if g == nil {
		return nil, nil
	}
	r, needs := g.Policy.Needs(plan.Tool, plan.Amount)
	if !needs {
		return nil, nil
	}
	return g.Require(ctx, req, approvalID, plan, r.String())
}

// Require is Check for a call the deployment's policy engine (or write
// mode) already decided needs approval under rule: it asks, holds or lets
// the plan proceed exactly as Check does. A nil gate refuses.
func (g *Gate) Require(ctx context.Context, req *mcp.CallToolRequest, approvalID string, plan Plan, rule string) (*mcp.CallToolResult, error) {
	if g == nil {
		policy.Refused(ctx, "approval_unavailable")
		return nil, &Error{Msg: fmt.Sprintf("NOT DONE: %s needs a person's approval (%s), and this server has no approval gate. Tell the user.", plan.Tool, rule)}
	}
	p := policy.FromContext(ctx)
	seal := g.seal(p, plan)
	id := "apr_" + seal[:20]
	if approvalID == "" && g.pageAnswered(req, id, seal) {
		approvalID = id // back from the approvals page: redeem, or say it still waits
	}
	if approvalID != "" {
		err := g.redeem(ctx, p, approvalID, seal, plan)
		if err != nil {
			policy.Refused(ctx, "approval_not_granted")
		}
		return nil, err
	}
	if g.elicits && canElicit(req, g.elicitHTTP) {
		state := "approval:" + id + ":" + seal[20:44]
		if req.Params.RequestState == "" {
			// Ask the user, through the client, with exactly what will happen.
			return &mcp.CallToolResult{
				InputRequests: mcp.InputRequestMap{"approval": g.elicitParams(plan, rule)},
				RequestState:  state,
			}, nil
		}
		// The answer comes back with the state we issued: it must match
		// these arguments, or the call was altered in between.
		if req.Params.RequestState != state {
			g.record(p, plan, id, "approval_mismatch", "elicitation")
			policy.Refused(ctx, "approval_not_granted")
			return nil, &Error{Msg: fmt.Sprintf("NOT DONE: the approval answer belongs to a different %s call (arguments changed); call again to ask the user about these arguments.", plan.Tool)}
		}
		if approved(req.Params.InputResponses["approval"]) {
			g.record(p, plan, id, "approved_by_user", "elicitation")
			audit.NoteApproval(ctx, id, "user (elicitation)")
			return nil, nil
		}
		g.record(p, plan, id, "denied_by_user", "elicitation")
		policy.Refused(ctx, "approval_declined")
		return nil, &Error{Msg: fmt.Sprintf("NOT DONE: the user declined %s (%s). Do not retry unless the user asks again.", plan.Tool, plan.Summary)}
	}
	policy.Refused(ctx, "approval_pending")
	audit.NoteApproval(ctx, id, "")
	now := g.now().UTC()
	rec := Record{ID: id, Tool: plan.Tool, Principal: SafeText(p.Subject), Summary: SafeText(plan.Summary), Amount: plan.Amount, Currency: SafeText(plan.Currency), Target: targetOf(plan), Client: clientOf(req),
		Rule: rule, Seal: seal, State: Pending, CreatedAt: now, ExpiresAt: now.Add(g.ttl)}
	b := g.marshal(&rec)
	created, err := g.store.SetNX(ctx, key(id), b, g.ttl)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("NOT DONE: %s needs a person's approval, and the approval store is unavailable (%v). Try again shortly.", plan.Tool, err)}
	}
	if !created {
		if cur, err := g.load(ctx, id); err == nil {
			rec = *cur
			switch cur.State {
			case Approved:
				return nil, &Error{Msg: fmt.Sprintf("NOT DONE yet: approval %s for this exact call has been granted by %s. Call %s again with the same arguments plus approval_id=%q.", id, cur.DecidedBy, plan.Tool, id)}
			case Denied:
				return nil, &Error{Msg: fmt.Sprintf("NOT DONE: this exact call was denied by %s%s. Do not retry; tell the user.", cur.DecidedBy, reasonSuffix(cur.Reason))}
			case Used:
				return nil, &Error{Msg: fmt.Sprintf("NOT DONE: this exact call was already approved and performed once (approval %s). Doing it again needs new approval: ask the user first; if they want it again, they must approve it again after it expires at %s.", id, cur.ExpiresAt.Format(time.RFC3339))}
			}
		}
	} else {
		g.record(p, plan, id, "approval_requested", "")
		g.links.notify(rec)
	}
	if res := g.pageElicitation(req, rec, seal); res != nil {
		return res, nil
	}
	return nil, &Error{Msg: fmt.Sprintf("NOT DONE: %s needs a person's approval under this deployment's policy (%s). Approval %s is pending: %s. "+
		"Ask the user to approve it (%s); it expires at %s. "+
		"Once approved, call %s again with exactly the same arguments plus approval_id=%q. You cannot approve it yourself.",
		plan.Tool, rule, id, plan.Summary, g.links.where(id), rec.ExpiresAt.Format(time.RFC3339), plan.Tool, id)}
}

func approved(r mcp.InputResponse) bool {
	er, ok := r.(*mcp.ElicitResult)
	if !ok || er.Action != "accept" {
		return false
	}
	v, _ := er.Content["approve"].(bool)
	return v
}

func (g *Gate) redeem(ctx context.Context, p policy.Principal, id, seal string, plan Plan) error {
	rec, raw, err := g.loadRaw(ctx, id)
	if err != nil {
		if errors.Is(err, errTampered) {
			g.record(p, plan, id, "approval_tampered", "")
			return &Error{Msg: fmt.Sprintf("NOT DONE: approval %s failed its integrity check and cannot be used. Call %s again without approval_id to request a new approval, and tell the user.", id, plan.Tool)}
		}
		return &Error{Msg: fmt.Sprintf("NOT DONE: approval %s is unknown or has expired. Call %s again without approval_id to request a new approval.", id, plan.Tool)}
	}
	if !hmac.Equal([]byte(rec.Seal), []byte(seal)) || rec.Tool != plan.Tool {
		g.record(p, plan, id, "approval_mismatch", "")
		return &Error{Msg: fmt.Sprintf("NOT DONE: approval %s was granted for a different call (other arguments, tool or user); it cannot be used for this one. Call %s without approval_id to request approval for these arguments.", id, plan.Tool)}
	}
	if !g.now().Before(rec.ExpiresAt) {
		// Expiry holds whatever the state: an approval granted but not used
		// in time is spent.
		g.record(p, plan, id, "approval_expired", rec.DecidedBy)
		return &Error{Msg: fmt.Sprintf("NOT DONE: approval %s expired at %s before it was used. Call %s again without approval_id to request a new approval.", id, rec.ExpiresAt.Format(time.RFC3339), plan.Tool)}
	}
	switch rec.State {
	case Pending:
		return &Error{Msg: fmt.Sprintf("NOT DONE: approval %s is still pending; a person has to approve it first (%s). Do not retry until the user says it is approved, then call %s again with approval_id=%q.", id, g.links.where(id), plan.Tool, id)}
	case Denied:
		g.record(p, plan, id, "approval_denied_used", rec.DecidedBy)
		return &Error{Msg: fmt.Sprintf("NOT DONE: approval %s was denied by %s%s. Do not retry; tell the user.", id, rec.DecidedBy, reasonSuffix(rec.Reason))}
	case Used:
		return &Error{Msg: fmt.Sprintf("NOT DONE: approval %s has already been used once. Request a new approval by calling %s without approval_id.", id, plan.Tool)}
	}
	rec.State = Used
	// Compare-and-set: of any number of concurrent calls presenting this
	// approval, exactly one turns approved into used and writes.
	swapped, err := g.store.CompareAndSwap(context.WithoutCancel(ctx), key(id), raw, g.marshal(rec), time.Until(rec.ExpiresAt)+time.Hour)
	if err != nil {
		return &Error{Msg: fmt.Sprintf("NOT DONE: could not record the use of approval %s (%v); try again shortly.", id, err)}
	}
	if !swapped {
		return &Error{Msg: fmt.Sprintf("NOT DONE: approval %s has already been used once (by a concurrent call). Request a new approval by calling %s without approval_id.", id, plan.Tool)}
	}
	g.record(p, plan, id, "approval_used", rec.DecidedBy)
	audit.NoteApproval(ctx, id, rec.DecidedBy)
	return nil
}

// marshal seals rec with the gate's secret and encodes it.
func (g *Gate) marshal(rec *Record) []byte {
	rec.MAC = ""
	body, _ := json.Marshal(rec)
	m := hmac.New(sha256.New, g.secret)
	m.Write([]byte("approval-record\x00"))
	m.Write(body)
	rec.MAC = hex.EncodeToString(m.Sum(nil))
	b, _ := json.Marshal(rec)
	return b
}

var errTampered = errors.New("approval record failed its integrity check")

// loadRaw reads a record and its stored bytes, verifying its MAC.
func (g *Gate) loadRaw(ctx context.Context, id string) (*Record, []byte, error) {
	b, ok, err := g.store.Get(ctx, key(id))
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, fmt.Errorf("no approval %s", id)
	}
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, nil, errTampered
	}
	mac := rec.MAC
	check := rec
	g.marshal(&check)
	if !hmac.Equal([]byte(mac), []byte(check.MAC)) {
		return nil, nil, errTampered
	}
	return &rec, b, nil
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return ": " + r
}

func (g *Gate) load(ctx context.Context, id string) (*Record, error) {
	rec, _, err := g.loadRaw(ctx, id)
	if err != nil {
		return nil, err
	}
	if g.now().After(rec.ExpiresAt) && rec.State == Pending {
		return nil, fmt.Errorf("approval %s expired", id)
	}
	return rec, nil
}

func (g *Gate) record(p policy.Principal, plan Plan, id, decision, by string) {
	if g.audit == nil {
		return
	}
	g.audit.Approval(audit.ApprovalRecord{Principal: p.Subject, Tool: plan.Tool, ApprovalID: id, Decision: decision, By: by, Amount: plan.Amount, Currency: plan.Currency})
}

// canElicit reports whether the user can be asked within this call: the
// client supports elicitation, and either speaks MCP 2026-07-28 (multi
// round-trip requests: the client asks and calls again) or holds a session
// the server can send requests on (stdio). Stateless HTTP with an older
// protocol cannot, and gets an out-of-band approval instead.
func canElicit(req *mcp.CallToolRequest, overHTTPAllowed bool) bool {
	if req == nil || req.Session == nil || req.Params == nil {
		return false
	}
	ip := req.Session.InitializeParams()
	if ip == nil || ip.Capabilities == nil || ip.Capabilities.Elicitation == nil {
		return false
	}
	if e := ip.Capabilities.Elicitation; e.Form == nil && e.URL != nil {
		return false // URL mode only: the approvals page (pageElicitation)
	}
	overHTTP := req.Extra != nil && req.Extra.Header != nil
	if !overHTTP {
		return true
	}
	return overHTTPAllowed && ip.ProtocolVersion >= "2026-07-28"
}

func (g *Gate) elicitParams(plan Plan, rule string) *mcp.ElicitParams {
	return &mcp.ElicitParams{
		Mode:    "form",
		Message: fmt.Sprintf("Approve this action? %s (tool %s; required by policy %s)", plan.Summary, plan.Tool, rule),
		RequestedSchema: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"approve": map[string]any{"type": "boolean", "title": "Approve", "description": "Allow exactly this action once"},
			},
			"required": []string{"approve"},
		},
	}
}

// Decide approves or denies a pending approval (the HTTP endpoint and the
// CLI come here).
func (g *Gate) Decide(ctx context.Context, id string, approve bool, by, reason string) (*Record, error) {
	rec, raw, err := g.loadRaw(ctx, id)
	if err != nil {
		return nil, err
	}
	if !g.now().Before(rec.ExpiresAt) {
		return rec, fmt.Errorf("approval %s expired at %s", id, rec.ExpiresAt.Format(time.RFC3339))
	}
	if rec.State != Pending {
		return rec, fmt.Errorf("approval %s is %s, not pending", id, rec.State)
	}
	by, reason = SafeText(strings.TrimSpace(by)), SafeText(reason)
	if by == "" {
		return rec, errors.New("an approver name is required")
	}
	if strings.EqualFold(by, rec.Principal) {
		if g.audit != nil {
			g.audit.Approval(audit.ApprovalRecord{Principal: rec.Principal, Tool: rec.Tool, ApprovalID: id, Decision: "self_approval_refused", By: by, Amount: rec.Amount, Currency: rec.Currency})
		}
		return rec, ErrSelfApproval
	}
	rec.State, rec.DecidedBy, rec.Reason, rec.Channel = Denied, by, reason, ChannelOutOfBand
	decision := "denied_by_approver"
	if approve {
		rec.State, decision = Approved, "approved_by_approver"
	}
	swapped, err := g.store.CompareAndSwap(ctx, key(id), raw, g.marshal(rec), time.Until(rec.ExpiresAt)+time.Hour)
	if err != nil {
		return nil, err
	}
	if !swapped {
		return rec, fmt.Errorf("approval %s was decided concurrently; list it again", id)
	}
	if g.audit != nil {
		g.audit.Approval(audit.ApprovalRecord{Principal: rec.Principal, Tool: rec.Tool, ApprovalID: id, Decision: decision, By: by + " (" + ChannelOutOfBand + ")", Amount: rec.Amount, Currency: rec.Currency})
	}
	return rec, nil
}

// SafeText makes model- or backend-written text safe to show a person in a
// terminal or page: control characters (ESC and the rest of C0/C1, DEL),
// bidi controls and other invisible format characters become visible
// escapes such as \x1b or \u202e, so nothing can repaint a screen, reorder
// text or hide part of it. Markup is left to the page to escape.
func SafeText(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\ufffd") {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, "\\x%02x", r)
		case unicode.Is(unicode.Cf, r) || (r >= 0x2028 && r <= 0x2029):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// List returns the approvals still waiting for a decision.
func (g *Gate) List(ctx context.Context) ([]Record, error) {
	return g.scan(ctx, 500, func(rec *Record) bool { return rec.State == Pending && !g.now().After(rec.ExpiresAt) })
}

// Get returns one approval.
func (g *Gate) Get(ctx context.Context, id string) (*Record, error) { return g.load(ctx, id) }

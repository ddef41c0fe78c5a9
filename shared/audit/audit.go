// Package audit writes one JSON line per tool call — allowed or refused —
// and per approval event, to a sink (stderr, or a file with size/age
// rotation). A record says who acted (principal, region, the OAuth client
// and any delegation chain from the token, the MCP client's name and
// version), what was asked (tool, a digest of the canonical arguments and
// a redacted copy of them), what was decided and by which rule, who
// approved it, what happened (outcome, latency, replay), and where to look
// further (trace id, backend request ids).
//
// Records form a hash chain: each carries its sequence number, the hash of
// the record before it and its own hash, so a removed, reordered or
// altered record is found by `bizmcp-audit verify` (see Verify). The
// schema is documented in docs/audit.md; SchemaVersion changes when a
// field changes meaning.
//
// Secrets and free text (message bodies, notes) never appear: string
// arguments under sensitive names, and long strings, are replaced by their
// length. Calls refused before reaching the server (no valid token, wrong
// scope) get bounded records: argument names (capped) and sizes, never
// values, and they are rate-limited so a flood cannot fill the disk.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/bizmcp/bizmcp/shared/telemetry"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/time/rate"
)

// SchemaVersion is the version of the record format (docs/audit.md).
const SchemaVersion = 2

// Events.
const (
	EventCall     = "call"     // a tools/call that reached the MCP server
	EventDenied   = "denied"   // a tools/call refused by the HTTP layer (auth, scope)
	EventApproval = "approval" // an approval requested, decided, used or mismatched
)

// Decisions and outcomes.
const (
	Allowed     = "allowed"
	DeniedScope = "denied_scope"
	DeniedAuth  = "denied_auth"
	RateLimited = "rate_limited"

	OutcomeOK            = "ok"
	OutcomeToolError     = "tool_error"
	OutcomeProtocolError = "protocol_error"
	OutcomeNotRun        = "not_run"
)

// Bounds on what one record may hold.
const (
	maxNameBytes   = 64 // tool names, client names and versions, ids
	maxArgKeys     = 32 // argument names kept per object
	maxDeniedKeys  = 16 // argument names kept in a denied record
	maxBackendIDs  = 16
	maxActDepth    = 4
	deniedPerSec   = 10 // denied records written per second, burst deniedBurst
	deniedBurst    = 50
	metaReplayed   = "bizmcp/replayed"
	refusedPrefix  = "refused:"
	hashFieldBytes = len(`,"hash":"`) + 64 + len(`"}`)
)

// Client identifies the software and the parties that made a call.
type Client struct {
	// ID is the OAuth client: the token's azp, or client_id.
	ID string `json:"id,omitempty"`
	// Name and Version are what the MCP client says it is (clientInfo in
	// initialize, or in the request's _meta under 2026-07-28).
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	// Actors is the delegation chain of the token's act claim (RFC 8693),
	// outermost (the current actor) first.
	Actors []string `json:"actors,omitempty"`
}

// Header is the part every record shares.
type Header struct {
	Schema int    `json:"schema"`
	Chain  string `json:"chain"` // chain id, fixed for the life of a chain
	Seq    uint64 `json:"seq"`   // 0 starts a chain
	Time   string `json:"time"`
	Event  string `json:"event"`
	Server string `json:"server"`
}

// Link chains a record to the one before it. It is always last.
type Link struct {
	Prev string `json:"prev"`           // hash of the previous record; "" at seq 0
	Hash string `json:"hash,omitempty"` // sha256 of this line up to "prev" (see Verify)
}

// Record is one audit line for a tool call (events "call" and "denied").
type Record struct {
	Header
	Principal  string         `json:"principal"`
	Region     string         `json:"region,omitempty"`
	Session    string         `json:"session,omitempty"`
	Client     *Client        `json:"client,omitempty"`
	TraceID    string         `json:"trace_id,omitempty"`
	SpanID     string         `json:"span_id,omitempty"`
	Tool       string         `json:"tool"`
	ToolBytes  int            `json:"tool_bytes,omitempty"` // set when Tool was cut
	ArgsSHA256 string         `json:"args_sha256"`
	ArgsBytes  int            `json:"args_bytes"`
	Args       map[string]any `json:"args"`
	Decision   string         `json:"decision"`
	PolicyRule string         `json:"policy_rule,omitempty"`
	ApprovalID string         `json:"approval_id,omitempty"`
	Approver   string         `json:"approver,omitempty"`
	Outcome    string         `json:"outcome"`
	Replayed   bool           `json:"replayed,omitempty"`
	LatencyMS  float64        `json:"latency_ms"`
	// BackendRequestIDs are the backend's X-Request-Id of every attempt.
	BackendRequestIDs []string `json:"backend_request_ids,omitempty"`
	// Execution is what execution control decided for a write: its plan
	// ("effect"), the policy outcome and rules, the write mode.
	Execution map[string]string `json:"execution,omitempty"`
	// Suppressed counts denied records not written, since the last one
	// written, because they came faster than the rate limit.
	Suppressed int64 `json:"suppressed,omitempty"`
	Link
}

// Logger writes chained records to its sink, one JSON line each.
type Logger struct {
	server string
	mu     sync.Mutex
	w      io.Writer
	chain  string
	seq    uint64
	prev   string
	now    func() time.Time

	deniedLim  *rate.Limiter
	suppressed atomic.Int64
}

// New returns a logger writing a new chain to w.
func New(server string, w io.Writer) *Logger {
	return &Logger{server: server, w: w, chain: newChainID(), now: time.Now,
		deniedLim: rate.NewLimiter(deniedPerSec, deniedBurst)}
}

// Write emits one call record (event "call" unless set).
func (l *Logger) Write(r Record) {
	if r.Event == "" {
		r.Event = EventCall
	}
	if r.Args == nil {
		r.Args = map[string]any{}
	}
	l.emit(&r.Header, &r.Link, &r)
}

// emit stamps the header and link of v (whose Header and Link are h and
// k) under the lock, marshals it and appends its hash.
func (l *Logger) emit(h *Header, k *Link, v any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h.Schema, h.Chain, h.Seq, h.Server = SchemaVersion, l.chain, l.seq, l.server
	if h.Time == "" {
		h.Time = l.now().UTC().Format(time.RFC3339Nano)
	}
	k.Prev, k.Hash = l.prev, ""
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	line, hash := seal(b)
	if _, err := l.w.Write(line); err != nil {
		return
	}
	l.seq++
	l.prev = hash
}

// seal appends ,"hash":"<sha256 of b>" to the JSON object b, and a newline.
func seal(b []byte) ([]byte, string) {
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	line := make([]byte, 0, len(b)+hashFieldBytes+1)
	line = append(line, b[:len(b)-1]...)
	line = append(line, `,"hash":"`...)
	line = append(line, hash...)
	line = append(line, "\"}\n"...)
	return line, hash
}

// ApprovalRecord is an approval event: requested, decided, used, or a
// mismatch (an approval presented for other arguments).
type ApprovalRecord struct {
	Header
	Principal  string `json:"principal"`
	Tool       string `json:"tool"`
	ApprovalID string `json:"approval_id"`
	Decision   string `json:"decision"`
	By         string `json:"by,omitempty"`
	Amount     int64  `json:"amount_minor,omitempty"`
	Currency   string `json:"currency,omitempty"`
	Link
}

// Approval writes an approval event.
func (l *Logger) Approval(r ApprovalRecord) {
	r.Event, r.Time = EventApproval, ""
	l.emit(&r.Header, &r.Link, &r)
}

// Denied records a call refused before it reached the MCP server (by the
// HTTP layer: no valid token, or insufficient scope). Such a caller may be
// anyone, so the record is bounded: the tool name cut to 64 bytes, the
// argument names (at most 16, each cut) with the size of each value, never
// a value; and at most 10 such records a second (burst 50) are written,
// the next one written saying how many were suppressed.
func (l *Logger) Denied(p policy.Principal, tool string, args json.RawMessage, decision string) {
	if !l.deniedLim.Allow() {
		l.suppressed.Add(1)
		telemetry.Counter(`bizmcp_audit_suppressed_total{server=%q,decision=%q}%s`, l.server, decision, "").Inc()
		return
	}
	r := Record{Header: Header{Event: EventDenied}, Principal: principalName(p), Region: p.Region, Decision: decision, Outcome: OutcomeNotRun,
		ArgsSHA256: Digest(args), ArgsBytes: len(args), Args: Sizes(args, maxDeniedKeys)}
	r.Tool, r.ToolBytes = boundName(tool)
	r.Suppressed = l.suppressed.Swap(0)
	l.Write(r)
}

type callKey struct{}

type call struct {
	mu         sync.Mutex
	ids        []string
	decision   string
	approvalID string
	approver   string
	exec       map[string]string
}

// Annotate records an execution-control fact (effect, policy, rules, mode)
// against the current call.
func Annotate(ctx context.Context, key, value string) {
	if c, ok := ctx.Value(callKey{}).(*call); ok {
		c.mu.Lock()
		if c.exec == nil {
			c.exec = map[string]string{}
		}
		c.exec[key] = value
		c.mu.Unlock()
	}
}

// AddBackendRequestID records a backend request id against the current call
// (the backend client calls it for every response).
func AddBackendRequestID(ctx context.Context, id string) {
	if id == "" {
		return
	}
	if c, ok := ctx.Value(callKey{}).(*call); ok {
		id, _ = boundName(id)
		c.mu.Lock()
		if len(c.ids) < maxBackendIDs {
			c.ids = append(c.ids, id)
		}
		c.mu.Unlock()
	}
}

// NoteApproval records against the current call the approval it used or
// asked for, and who granted it ("" while pending).
func NoteApproval(ctx context.Context, id, approver string) {
	if c, ok := ctx.Value(callKey{}).(*call); ok {
		c.mu.Lock()
		c.approvalID, _ = boundName(id)
		c.approver, _ = boundName(approver)
		c.mu.Unlock()
	}
}

// Middleware audits every tools/call. It must run outside the policy and
// rate-limit middleware so that it sees their refusals, and inside the
// telemetry middleware so that the trace id is known.
func (l *Logger) Middleware() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != "tools/call" {
				return next(ctx, method, req)
			}
			start := time.Now()
			c := &call{decision: Allowed}
			ctx = context.WithValue(ctx, callKey{}, c)
			ctx = policy.WithDenialHook(ctx, func(d string) { c.mu.Lock(); c.decision = d; c.mu.Unlock() })
			res, err := next(ctx, method, req)

			p := policy.Of(req)
			rec := Record{Principal: principalName(p), Region: p.Region, Outcome: OutcomeOK, Client: clientOf(req)}
			rec.TraceID, rec.SpanID = telemetry.IDs(ctx)
			if s := req.GetSession(); s != nil {
				rec.Session = s.ID()
			}
			if params, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && params != nil {
				rec.Tool, rec.ToolBytes = boundName(params.Name)
				rec.ArgsSHA256 = Digest(params.Arguments)
				rec.ArgsBytes = len(params.Arguments)
				rec.Args = Redact(params.Arguments)
			}
			switch r, _ := res.(*mcp.CallToolResult); {
			case err != nil:
				rec.Outcome = OutcomeProtocolError
			case r != nil:
				rec.Replayed = r.Meta[metaReplayed] == true
				if r.IsError {
					rec.Outcome = OutcomeToolError
					if _, limited := r.Meta["retry_after_ms"]; limited {
						c.mu.Lock()
						c.decision = RateLimited
						c.mu.Unlock()
					}
				}
			}
			c.mu.Lock()
			rec.Decision = c.decision
			rec.BackendRequestIDs = c.ids
			rec.ApprovalID, rec.Approver = c.approvalID, c.approver
			rec.Execution = c.exec
			c.mu.Unlock()
			if rule, ok := strings.CutPrefix(rec.Decision, refusedPrefix); ok {
				rec.PolicyRule = rule
			}
			if rec.Decision != Allowed {
				rec.Outcome = OutcomeNotRun
			}
			rec.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
			if span := trace.SpanFromContext(ctx); span.IsRecording() {
				span.SetAttributes(attribute.String("bizmcp.policy.decision", rec.Decision))
				if rec.PolicyRule != "" {
					span.SetAttributes(attribute.String("bizmcp.policy.rule", rec.PolicyRule))
				}
				if rec.ApprovalID != "" {
					span.SetAttributes(attribute.String("bizmcp.approval.id", rec.ApprovalID))
				}
			}
			l.Write(rec)
			return res, err
		}
	}
}

// Token claims the verifier keeps for the audit trail (auth puts them in
// TokenInfo.Extra under these keys).
const (
	ClaimAZP      = "azp"
	ClaimClientID = "client_id"
	ClaimAct      = "act"
)

func clientOf(req mcp.Request) *Client {
	c := &Client{}
	if ex := req.GetExtra(); ex != nil && ex.TokenInfo != nil {
		x := ex.TokenInfo.Extra
		if s, ok := x[ClaimAZP].(string); ok && s != "" {
			c.ID, _ = boundName(s)
		} else if s, ok := x[ClaimClientID].(string); ok {
			c.ID, _ = boundName(s)
		}
		c.Actors = actors(x[ClaimAct])
	}
	if r, ok := req.(*mcp.CallToolRequest); ok {
		name, version := callerInfo(r)
		c.Name, _ = boundName(name)
		c.Version, _ = boundName(version)
	}
	if c.ID == "" && c.Name == "" && c.Version == "" && c.Actors == nil {
		return nil
	}
	return c
}

// callerInfo is the calling client's name and version: from the request's
// _meta (MCP 2026-07-28 sends them with every request; after the wire they
// are a JSON object, read here as it is), else what the SDK knows
// (r.ClientInfo: the session's initialize parameters). r.ClientInfo would
// read the _meta too, by encoding and decoding it again, which costs a
// 32 KB buffer per call (6% of all the bytes a crm_get_customer call
// allocated over HTTP in a profile).
func callerInfo(r *mcp.CallToolRequest) (name, version string) {
	if r.Params != nil {
		if ci, ok := r.Params.GetMeta()[mcp.MetaKeyClientInfo].(map[string]any); ok {
			name, _ = ci["name"].(string)
			version, _ = ci["version"].(string)
			return name, version
		}
	}
	if ci := r.ClientInfo(); ci != nil {
		return ci.Name, ci.Version
	}
	return "", ""
}

// actors flattens an RFC 8693 act claim ({"sub":..., "act":{...}}) into
// the chain of subjects, bounded in depth and length.
func actors(v any) []string {
	var out []string
	for i := 0; i < maxActDepth; i++ {
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		sub, _ := m["sub"].(string)
		if sub == "" {
			sub, _ = m["client_id"].(string)
		}
		s, _ := boundName(sub)
		out = append(out, s)
		v = m["act"]
	}
	return out
}

// boundName cuts s to maxNameBytes, returning the original length when it
// was cut (0 otherwise).
func boundName(s string) (string, int) {
	if len(s) <= maxNameBytes {
		return s, 0
	}
	return telemetry.Truncate(s, maxNameBytes), len(s)
}

func principalName(p policy.Principal) string {
	if p.Subject == "" {
		return "anonymous"
	}
	s, _ := boundName(p.Subject)
	return s
}

// Digest is the SHA-256 of the canonical form of JSON arguments (object
// keys sorted, insignificant space removed), so equal calls digest equally.
func Digest(args json.RawMessage) string {
	var v any
	if len(args) == 0 || json.Unmarshal(args, &v) != nil {
		sum := sha256.Sum256(args)
		return hex.EncodeToString(sum[:])
	}
	b, _ := json.Marshal(v) // encoding/json sorts map keys
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Sizes returns, for an unauthenticated or refused call, the first max
// argument names (sorted, each cut to 64 bytes) with the size of each
// value in bytes, and "_more_keys" when there were more. No value appears.
func Sizes(args json.RawMessage, max int) map[string]any {
	var m map[string]json.RawMessage
	if len(args) == 0 {
		return map[string]any{}
	}
	if json.Unmarshal(args, &m) != nil {
		return map[string]any{"_unparsed_bytes": len(args)}
	}
	return boundedKeys(m, max, func(_ string, v json.RawMessage) any { return fmt.Sprintf("[%d bytes]", len(v)) })
}

// boundedKeys maps the first max keys of m (sorted, each cut to 64 bytes)
// through f, and counts the rest under "_more_keys".
func boundedKeys[V any](m map[string]V, max int, f func(k string, v V) any) map[string]any {
	keys := slices.Sorted(maps.Keys(m))
	out := make(map[string]any, min(len(keys), max)+1)
	for i, k := range keys {
		if i == max {
			out["_more_keys"] = len(keys) - max
			break
		}
		name, _ := boundName(k)
		out[name] = f(k, m[k])
	}
	return out
}

// sensitive names: values under them are never logged.
var sensitive = []string{"body", "text", "content", "message", "html", "note", "subject", "password", "secret", "token", "key", "authorization", "credential", "card", "iban", "ssn", "comment", "description", "reason_text"}

func isSensitive(name string) bool {
	n := strings.ToLower(name)
	for _, s := range sensitive {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// Redact returns a loggable copy of tool arguments: scalars and short
// strings kept, sensitive or long strings replaced by their length, nesting
// and the number of keys bounded.
func Redact(args json.RawMessage) map[string]any {
	var m map[string]any
	if len(args) == 0 || json.Unmarshal(args, &m) != nil {
		return map[string]any{"_unparsed_bytes": len(args)}
	}
	return redactMap(m, 0)
}

func redactMap(m map[string]any, depth int) map[string]any {
	return boundedKeys(m, maxArgKeys, func(k string, v any) any {
		if isSensitive(k) {
			return redactedSize(v)
		}
		return redactValue(v, depth)
	})
}

func redactValue(v any, depth int) any {
	switch v := v.(type) {
	case string:
		if len(v) > 64 {
			return fmt.Sprintf("[redacted: %d chars]", len([]rune(v)))
		}
		return v
	case []any:
		if depth >= 2 || len(v) > 20 {
			return fmt.Sprintf("[%d items]", len(v))
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = redactValue(e, depth+1)
		}
		return out
	case map[string]any:
		if depth >= 2 {
			return fmt.Sprintf("[object with %d keys]", len(v))
		}
		return redactMap(v, depth+1)
	}
	return v
}

func redactedSize(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("[redacted: %d chars]", len([]rune(v)))
	case nil:
		return "[redacted]"
	}
	b, _ := json.Marshal(v)
	return fmt.Sprintf("[redacted: %d bytes]", len(b))
}

// Package audit writes one JSON line per tool call — allowed or denied — to
// a configurable sink (stderr or a file): time, principal, session, tool, a
// digest of the canonical arguments and a redacted copy of them, the
// decision, the outcome, the latency and the backend request ids. Secrets
// and free text (message bodies, notes) never appear in it: string
// arguments under sensitive names, and long strings, are replaced by their
// length.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
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

// Record is one audit line.
type Record struct {
	Time              string         `json:"time"`
	Server            string         `json:"server"`
	Principal         string         `json:"principal"`
	Region            string         `json:"region,omitempty"`
	Session           string         `json:"session,omitempty"`
	Tool              string         `json:"tool"`
	ArgsSHA256        string         `json:"args_sha256"`
	Args              map[string]any `json:"args"`
	Decision          string         `json:"decision"`
	Outcome           string         `json:"outcome"`
	LatencyMS         float64        `json:"latency_ms"`
	BackendRequestIDs []string       `json:"backend_request_ids,omitempty"`
	// Execution is what execution control decided for a write: its plan
	// ("effect"), the policy outcome and rules, the write mode.
	Execution map[string]string `json:"execution,omitempty"`
}

// Logger writes records to its sink, one JSON line each.
type Logger struct {
	server string
	mu     sync.Mutex
	w      io.Writer
}

// Open returns a logger writing to sink: "stderr" (or "") or a file path,
// opened for appending with mode 0600. The closer closes the file.
func Open(server, sink string, stderr io.Writer) (*Logger, io.Closer, error) {
	if sink == "" || sink == "stderr" {
		return &Logger{server: server, w: stderr}, io.NopCloser(nil), nil
	}
	f, err := os.OpenFile(sink, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("audit log %s: %w", sink, err)
	}
	return &Logger{server: server, w: f}, f, nil
}

// New returns a logger writing to w (tests).
func New(server string, w io.Writer) *Logger { return &Logger{server: server, w: w} }

// Write emits one record.
func (l *Logger) Write(r Record) {
	if r.Time == "" {
		r.Time = time.Now().UTC().Format(time.RFC3339Nano)
	}
	r.Server = l.server
	if r.Args == nil {
		r.Args = map[string]any{}
	}
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	b = append(b, '\n')
	l.mu.Lock()
	l.w.Write(b)
	l.mu.Unlock()
}

// ApprovalRecord is an approval event: requested, decided, used, or a
// mismatch (an approval presented for other arguments).
type ApprovalRecord struct {
	Time       string `json:"time"`
	Server     string `json:"server"`
	Event      string `json:"event"` // always "approval"
	Principal  string `json:"principal"`
	Tool       string `json:"tool"`
	ApprovalID string `json:"approval_id"`
	Decision   string `json:"decision"`
	By         string `json:"by,omitempty"`
	Amount     int64  `json:"amount_minor,omitempty"`
	Currency   string `json:"currency,omitempty"`
}

// Approval writes an approval event.
func (l *Logger) Approval(r ApprovalRecord) {
	r.Time = time.Now().UTC().Format(time.RFC3339Nano)
	r.Server, r.Event = l.server, "approval"
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	b = append(b, '\n')
	l.mu.Lock()
	l.w.Write(b)
	l.mu.Unlock()
}

// Denied records a call refused before it reached the MCP server (by the
// HTTP layer: no valid token, or insufficient scope).
func (l *Logger) Denied(p policy.Principal, tool string, args json.RawMessage, decision string) {
	l.Write(Record{Principal: principalName(p), Region: p.Region, Tool: tool, ArgsSHA256: Digest(args), Args: Redact(args), Decision: decision, Outcome: OutcomeNotRun})
}

type callKey struct{}

type call struct {
	mu       sync.Mutex
	ids      []string
	decision string
	exec     map[string]string
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
		c.mu.Lock()
		if len(c.ids) < 16 {
			c.ids = append(c.ids, id)
		}
		c.mu.Unlock()
	}
}

// Middleware audits every tools/call. It must run outside the policy and
// rate-limit middleware so that it sees their refusals.
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
			rec := Record{Principal: principalName(p), Region: p.Region, Outcome: OutcomeOK}
			if s := req.GetSession(); s != nil {
				rec.Session = s.ID()
			}
			if params, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok {
				rec.Tool = params.Name
				rec.ArgsSHA256 = Digest(params.Arguments)
				rec.Args = Redact(params.Arguments)
			}
			switch r, _ := res.(*mcp.CallToolResult); {
			case err != nil:
				rec.Outcome = OutcomeProtocolError
			case r != nil && r.IsError:
				rec.Outcome = OutcomeToolError
				if _, limited := r.Meta["retry_after_ms"]; limited {
					c.decision = RateLimited
				}
			}
			c.mu.Lock()
			rec.Decision = c.decision
			rec.BackendRequestIDs = c.ids
			rec.Execution = c.exec
			c.mu.Unlock()
			if rec.Decision != Allowed {
				rec.Outcome = OutcomeNotRun
			}
			rec.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
			l.Write(rec)
			return res, err
		}
	}
}

func principalName(p policy.Principal) string {
	if p.Subject == "" {
		return "anonymous"
	}
	return p.Subject
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
// bounded.
func Redact(args json.RawMessage) map[string]any {
	var m map[string]any
	if len(args) == 0 || json.Unmarshal(args, &m) != nil {
		return map[string]any{"_unparsed_bytes": len(args)}
	}
	return redactMap(m, 0)
}

func redactMap(m map[string]any, depth int) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if isSensitive(k) {
			out[k] = redactedSize(v)
			continue
		}
		out[k] = redactValue(v, depth)
	}
	return out
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

// Package port holds what every domain's backend port shares: the
// backend-neutral error every adapter reports, the result of a write, and
// the readiness check. A port is the Go interface a server's tools depend on
// (servers/<d>/internal/<d>.Backend); adapters implement it for one
// business system (the reference HTTP API, PostgreSQL, Shopify, HubSpot,
// EasyPost, an IMAP mailbox) and know nothing of MCP.
//
// Adapters return *Error for every failure the model should hear about,
// with the Kind that says what to do next. The shared layer
// (mcpkit.ToolError) maps kinds to the tool errors the model sees; an error
// of no known kind is never shown raw: it becomes a generic tool error and is
// logged in full.
package port

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies a backend failure by what the caller should do next.
type Kind string

const (
	KindNotFound      Kind = "not_found"     // the record does not exist (or the caller may not see it)
	KindBadRequest    Kind = "bad_request"   // the backend rejected the arguments (Field names the one at fault)
	KindConflict      Kind = "conflict"      // the record's state forbids it (Remaining says what is still possible)
	KindUnauthorized  Kind = "unauthorized"  // the server's own backend credential was refused (Setting names it)
	KindForbidden     Kind = "forbidden"     // the credential is valid but lacks a permission or scope (Setting names it)
	KindRateLimited   Kind = "rate_limited"  // throttled (RetryAfter set when known)
	KindUnavailable   Kind = "unavailable"   // the backend is failing (5xx, circuit open)
	KindTimeout       Kind = "timeout"       // the call's deadline passed
	KindUnreachable   Kind = "unreachable"   // connection refused/reset, DNS
	KindTooLarge      Kind = "too_large"     // the answer is over this server's size cap
	KindMalformed     Kind = "malformed"     // the backend answered something this server cannot read
	KindMisconfigured Kind = "misconfigured" // the deployment's settings point at the wrong place (Setting names it)
)

// KindInvalid is KindBadRequest under the name the port documents.
const KindInvalid = KindBadRequest

// Error is every failure an adapter reports. Message, Field and Remaining
// are backend text: untrusted, sanitized before the model sees them.
type Error struct {
	Kind      Kind
	Op        string // what was attempted: "GET /customers/C-1001", "refundCreate", "UID SEARCH"
	Status    int    // the backend's status code (HTTP status), 0 when none
	Code      string // the backend's own error code, when it sent one
	Message   string // the backend's error message
	Field     string // KindBadRequest: the argument or field at fault
	Remaining string // KindConflict: what remains possible ("USD 12.00 refundable")
	Setting   string // KindUnauthorized/Forbidden/Misconfigured: the setting to check ("HUBSPOT_ACCESS_TOKEN")
	RequestID string // the backend's request or correlation id
	// RetryAfter is how long to wait before retrying (rate limits, 503).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Kind))
	if e.Status != 0 {
		fmt.Fprintf(&b, " (status %d)", e.Status)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " [field %s]", e.Field)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	} else if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsKind reports whether err carries an *Error of kind k.
func IsKind(err error, k Kind) bool {
	e, ok := AsError(err)
	return ok && e.Kind == k
}

// NotFound reports a missing record; msg is shown to the model (sanitized).
func NotFound(op, msg string) *Error { return &Error{Kind: KindNotFound, Op: op, Message: msg} }

// Invalid reports arguments the backend refused, naming the field.
func Invalid(op, field, msg string) *Error {
	return &Error{Kind: KindBadRequest, Op: op, Field: field, Message: msg}
}

// Conflict reports a state that forbids the write; remaining says what is
// still possible ("" when nothing).
func Conflict(op, msg, remaining string) *Error {
	return &Error{Kind: KindConflict, Op: op, Message: msg, Remaining: remaining}
}

// Unauthorized reports a refused credential; setting names what to check.
func Unauthorized(op, setting, msg string) *Error {
	return &Error{Kind: KindUnauthorized, Op: op, Setting: setting, Message: msg}
}

// Forbidden reports a credential that lacks a permission; setting names it.
func Forbidden(op, setting, msg string) *Error {
	return &Error{Kind: KindForbidden, Op: op, Setting: setting, Message: msg}
}

// RateLimited reports throttling; after is 0 when unknown.
func RateLimited(op string, after time.Duration, msg string) *Error {
	return &Error{Kind: KindRateLimited, Op: op, RetryAfter: after, Message: msg}
}

// Unavailable reports a failing backend; err is the cause (logged, not shown).
func Unavailable(op string, err error) *Error { return &Error{Kind: KindUnavailable, Op: op, Err: err} }

// FromContext turns a context error into a timeout (deadline) error, or
// returns nil when ctx is still live. Adapters call it after a failed
// operation so a caller's deadline is never reported as a backend fault.
func FromContext(ctx context.Context, op string) *Error {
	if err := ctx.Err(); err != nil {
		return &Error{Kind: KindTimeout, Op: op, Err: err}
	}
	return nil
}

// Write is what a port's write method reports beside its result.
type Write struct {
	// Replayed: the backend recognised the idempotency key and returned the
	// first outcome; nothing was written again.
	Replayed bool
	// RequestID is the backend's id of the exchange, for the audit trail.
	RequestID string
}

// Pinger is the readiness check every port offers: cheap, read-only,
// bounded by ctx. A nil error means the backend is reachable and this
// server's credentials work.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Sleep waits d or until ctx ends (then it returns ctx.Err()): the pause
// of an adapter that paces itself by a backend's rate-limit headers.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

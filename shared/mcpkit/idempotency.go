package mcpkit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/bizmcp/bizmcp/shared/idempotency"
	"github.com/bizmcp/bizmcp/shared/policy"
)

// IdempotencyKey derives the Idempotency-Key of a write from the tool name
// and its canonical arguments (encoding/json sorts map keys and keeps struct
// field order), so the same call retried — by the SDK, a host, or the model —
// is applied once by the backend.
func IdempotencyKey(tool string, args any) string {
	b, err := json.Marshal(args)
	if err != nil {
		panic("mcpkit.IdempotencyKey: " + err.Error()) // args are our own structs
	}
	h := sha256.New()
	h.Write([]byte(tool))
	h.Write([]byte{0})
	h.Write(b)
	return "bizmcp-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// WriteKey is the idempotency key a write tool hands to its port's write
// method: the call's key from the idempotency middleware (principal, tool
// and canonical arguments, or the key the caller supplied), or, outside the
// middleware (handler unit tests), one derived from tool and args. Replicas
// and retries of the same call agree on it, so the backend applies the
// write once. A tool that makes several backend writes in one call passes
// StepKey(key, step) to each.
func WriteKey(ctx context.Context, tool string, args any) string {
	if k := idempotency.KeyFrom(ctx); k != "" {
		return k
	}
	return IdempotencyKey(tool, args)
}

// StepKey derives the key of one step of a multi-write call from the call's
// key ("draft", "send").
func StepKey(key, step string) string {
	sum := sha256.Sum256([]byte(step))
	return key + "-" + hex.EncodeToString(sum[:4])
}

// Approvable is embedded in the input of every write tool a deployment may
// put under human approval (MCP_APPROVAL_POLICY).
type Approvable struct {
	ApprovalID string `json:"approval_id,omitempty" pattern:"^apr_[0-9a-f]{20}$" jsonschema:"only after a previous call said a person must approve it: the approval id, once the user says it is approved"`
}

// GetApprovalID returns the approval id the model passed back (execution
// control reads it).
func (a Approvable) GetApprovalID() string { return a.ApprovalID }

// Refuse marks the call as refused by a named policy rule in the audit
// trail and returns the error the model sees.
func Refuse(ctx context.Context, rule, msg string) error {
	policy.Refused(ctx, "refused:"+rule)
	return fmt.Errorf("refused by policy %s: %s", rule, msg)
}

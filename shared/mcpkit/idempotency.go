package mcpkit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

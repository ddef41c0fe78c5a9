// Package idem holds the Idempotency-Key bookkeeping shared by the mock
// backend domains: a repeat of a key with the same request (same operation,
// same target, same JSON body) replays the original response; the same key
// with a different request is ErrConflict.
package idem

import (
	"encoding/json"
	"errors"
	"fmt"
)

// MaxKeyBytes is the longest Idempotency-Key the domains accept.
const MaxKeyBytes = 255

// ErrConflict: the Idempotency-Key was already used for a different request.
var ErrConflict = errors.New("idempotency key was already used with a different request")

// CheckKey rejects an Idempotency-Key longer than MaxKeyBytes through fail,
// which gets the field ("Idempotency-Key") and the problem ("at most 255
// bytes") and builds the domain's error from them.
func CheckKey(key string, fail func(field, problem string) error) error {
	if len(key) > MaxKeyBytes {
		return fail("Idempotency-Key", fmt.Sprintf("at most %d bytes", MaxKeyBytes))
	}
	return nil
}

// Fingerprint identifies a request: the operation, its target and the JSON
// encoding of its input (struct fields in fixed order, map keys sorted, so
// whitespace and field order of the original body do not matter).
func Fingerprint(op, target string, v any) string {
	b, _ := json.Marshal(v)
	return op + "\x00" + target + "\x00" + string(b)
}

type entry[V any] struct {
	fingerprint string
	value       V
}

// Table maps keys to the fingerprint and stored response of the first
// request made with them. The zero Table is empty and ready to use. It is
// not safe for concurrent use: callers hold their store's lock.
type Table[V any] struct {
	entries map[string]entry[V]
}

// Reset forgets every key.
func (t *Table[V]) Reset() { t.entries = nil }

// Lookup returns the value stored for key and true when key was used for
// the request fp, ErrConflict when it was used for another request, and
// false when key is empty or unused.
func (t *Table[V]) Lookup(key, fp string) (v V, found bool, err error) {
	if key == "" {
		return v, false, nil
	}
	e, ok := t.entries[key]
	if !ok {
		return v, false, nil
	}
	if e.fingerprint != fp {
		return v, false, ErrConflict
	}
	return e.value, true, nil
}

// Remember stores v as the response of the request fp made with key; an
// empty key is not remembered.
func (t *Table[V]) Remember(key, fp string, v V) {
	if key == "" {
		return
	}
	if t.entries == nil {
		t.entries = map[string]entry[V]{}
	}
	t.entries[key] = entry[V]{fingerprint: fp, value: v}
}

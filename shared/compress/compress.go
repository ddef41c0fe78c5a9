// Package compress keeps tool results small: bounded lists with opaque
// cursors, field projection, long text truncated with a visible marker, and
// a token estimate of what the model will read.
package compress

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Page describes one bounded slice of a longer list.
type Page struct {
	Total      int    `json:"total" jsonschema:"how many items match in all"`
	Returned   int    `json:"returned" jsonschema:"how many items this page holds"`
	HasMore    bool   `json:"has_more" jsonschema:"true when more items follow; pass next_cursor to get them"`
	NextCursor string `json:"next_cursor,omitempty" jsonschema:"opaque cursor for the next page; pass it back unchanged with the same other arguments"`
}

// Limit clamps a requested list size: 0 means def, anything above max is max.
func Limit(requested, def, max int) int {
	switch {
	case requested <= 0:
		return def
	case requested > max:
		return max
	}
	return requested
}

// ErrCursor is wrapped by every cursor decoding failure.
var ErrCursor = errors.New("invalid cursor")

// cursor wire format: base64url( version(1) | offset(uvarint) | tag(12) ),
// tag = HMAC-SHA256(key, version | offset | scope) truncated: a client can
// neither forge a cursor (another offset, another query) nor alter one.
const (
	cursorVersion = 2
	tagLen        = 12
)

var cursorKey atomic.Pointer[[]byte]

// randomKey is the key when none was set, made on first use (crypto/rand
// at init was 1% of a server's start).
var randomKey = sync.OnceValue(func() *[]byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return &k
})

// SetCursorKey sets the key cursors are signed with (by default a random
// key made at start, so cursors do not survive a restart or cross
// replicas). Replicas behind one endpoint must share it: servers derive it
// from MCP_CURSOR_SECRET or MCP_APPROVAL_SECRET.
func SetCursorKey(key []byte) {
	k := slices.Clone(key)
	cursorKey.Store(&k)
}

func cursorTag(offset uint64, scope string) []byte {
	k := cursorKey.Load()
	if k == nil {
		k = randomKey()
	}
	m := hmac.New(sha256.New, *k)
	var pre [1 + binary.MaxVarintLen64]byte
	pre[0] = cursorVersion
	n := binary.PutUvarint(pre[1:], offset)
	m.Write(pre[:1+n])
	m.Write([]byte(scope))
	return m.Sum(nil)[:tagLen]
}

// EncodeCursor returns an opaque cursor for offset, bound to scope (a string
// describing the query, so a cursor cannot be replayed against another one)
// and signed with the cursor key.
func EncodeCursor(offset int, scope string) string {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+tagLen)
	b = append(b, cursorVersion)
	b = binary.AppendUvarint(b, uint64(offset))
	b = append(b, cursorTag(uint64(offset), scope)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor returns the offset in c, checking it belongs to scope. An
// empty cursor is offset 0.
func DecodeCursor(c, scope string) (int, error) {
	if c == "" {
		return 0, nil
	}
	if len(c) > 64 {
		return 0, fmt.Errorf("%w: too long; pass back the next_cursor value unchanged, or omit it to start over", ErrCursor)
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2+tagLen || b[0] != cursorVersion {
		return 0, fmt.Errorf("%w: not a cursor this server issued; pass back next_cursor unchanged, or omit it to start over", ErrCursor)
	}
	off, n := binary.Uvarint(b[1:])
	if n <= 0 || len(b) != 1+n+tagLen || off > 1<<31 {
		return 0, fmt.Errorf("%w: corrupted; omit it to start over", ErrCursor)
	}
	if !hmac.Equal(b[1+n:], cursorTag(off, scope)) {
		return 0, fmt.Errorf("%w: it belongs to a different query or was not issued by this server (or the server restarted); use next_cursor only with the same arguments, or omit it to start over", ErrCursor)
	}
	return int(off), nil
}

// Paginate returns the bounds [lo, hi) of the page at offset in a list of
// total items and the Page describing it.
func Paginate(total, offset, limit int, scope string) (lo, hi int, p Page) {
	lo = min(max(offset, 0), total)
	hi = min(lo+limit, total)
	p = Page{Total: total, Returned: hi - lo, HasMore: hi < total}
	if p.HasMore {
		p.NextCursor = EncodeCursor(hi, scope)
	}
	return lo, hi, p
}

// TruncMarker starts the visible marker that ends truncated text.
const TruncMarker = "… [truncated:"

// Truncate shortens s to at most max runes, ending it with a marker that
// says how much was cut and (hint) how to get the rest. It never splits a
// rune.
func Truncate(s string, max int, hint string) (string, bool) {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s, false
	}
	cut, n := 0, 0
	for i := range s {
		if n == max {
			cut = i
			break
		}
		n++
	}
	rest := utf8.RuneCountInString(s[cut:])
	marker := fmt.Sprintf(" %s %d more characters", TruncMarker, rest)
	if hint != "" {
		marker += "; " + hint
	}
	return strings.TrimRightFunc(s[:cut], func(r rune) bool { return r == ' ' || r == '\n' }) + marker + "]", true
}

// EstimateTokens estimates how many model tokens n bytes of JSON or text
// cost: about one token per four bytes, the usual rule for English and JSON
// with BPE tokenizers (it undercounts CJK text, which is about one token per
// character; good enough for budgets and comparisons).
func EstimateTokens(n int) int { return (n + 3) / 4 }

// FieldNames lists the JSON names of the projectable fields of struct type T
// (every field tagged omitempty or omitzero), in declaration order.
func FieldNames[T any]() []string {
	var names []string
	t := reflect.TypeFor[T]()
	for i := range t.NumField() {
		if name, proj := jsonName(t.Field(i)); proj {
			names = append(names, name)
		}
	}
	return names
}

func jsonName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
}

// Project keeps only the named fields of *v (a struct pointer), zeroing the
// other projectable ones so that omitempty drops them. Fields without
// omitempty (ids, always-present fields) are always kept. An empty fields
// list keeps everything. It returns the names it dropped, and an error naming
// any unknown field together with the valid ones.
func Project[T any](v *T, fields []string) (dropped []string, err error) {
	if len(fields) == 0 {
		return nil, nil
	}
	valid := FieldNames[T]()
	for _, f := range fields {
		if !slices.Contains(valid, f) {
			return nil, fmt.Errorf("unknown field %q; valid fields are: %s", f, strings.Join(valid, ", "))
		}
	}
	rv := reflect.ValueOf(v).Elem()
	t := rv.Type()
	for i := range t.NumField() {
		name, proj := jsonName(t.Field(i))
		if !proj || slices.Contains(fields, name) {
			continue
		}
		fv := rv.Field(i)
		if !fv.IsZero() {
			dropped = append(dropped, name)
		}
		fv.SetZero()
	}
	return dropped, nil
}

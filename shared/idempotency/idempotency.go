// Package idempotency makes every write tool safe to retry: the first
// outcome of a call is stored under a key derived from the principal, the
// tool and the canonical arguments (or from a key the caller supplies in
// _meta["bizmcp/idempotency_key"]) and replayed for retries within a window,
// without calling the backend again. The same key goes to the backend as
// its Idempotency-Key, so even a write whose response was lost before it was
// stored is applied once. The store is in memory, or Redis shared by
// replicas (shared/kv).
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// MetaKey is where a caller may supply its own idempotency key.
const MetaKey = "bizmcp/idempotency_key"

// MetaReplayed marks a result replayed from the store.
const MetaReplayed = "bizmcp/replayed"

// validCallerKey reports whether k is 8 to 128 characters of letters,
// digits, '_', '.', ':' or '-' (a loop: the equivalent regexp with its
// bounded repetition costs 100 KB of heap in every server).
func validCallerKey(k string) bool {
	if len(k) < 8 || len(k) > 128 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// Options configures the middleware.
type Options struct {
	Store  kv.Store
	Domain string        // key namespace: "orders"
	Window time.Duration // how long outcomes are replayed (default 24 h)
	// Pending bounds how long an unfinished call blocks its retries (default 2 min).
	Pending time.Duration
	// IsWrite reports whether a tool changes the world.
	IsWrite func(tool string) bool
	Logger  *slog.Logger
}

type record struct {
	State  string          `json:"state"` // "pending" or "done"
	Result json.RawMessage `json:"result,omitempty"`
	At     time.Time       `json:"at"`
}

type keyCtx struct{}

// KeyFrom returns the idempotency key of the write being handled, if any.
func KeyFrom(ctx context.Context) string {
	k, _ := ctx.Value(keyCtx{}).(string)
	return k
}

// WithKey stores a key in ctx (tests, and the middleware).
func WithKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyCtx{}, key)
}

// Key derives the key of a call.
func Key(p policy.Principal, tool string, args json.RawMessage, supplied string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", p.Subject, tool)
	if supplied != "" {
		// A caller's key names one operation: it is bound to the arguments
		// too, so the same key with other arguments is never taken for a
		// retry (the middleware refuses it; a replica without the record
		// still sends the backend a key of its own for these arguments).
		fmt.Fprintf(h, "caller\x00%s\x00", supplied)
	}
	h.Write(canonical(args))
	return "bz-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// argsDigest fingerprints a call's canonical arguments.
func argsDigest(tool string, args json.RawMessage) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", tool)
	h.Write(canonical(args))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// bindCallerKey records which arguments a caller-supplied key was first
// used with, and refuses the key with other arguments.
func bindCallerKey(ctx context.Context, o Options, p policy.Principal, tool, supplied string, args json.RawMessage) error {
	h := sha256.Sum256([]byte(p.Subject + "\x00" + supplied))
	bkey := "idemkey:" + o.Domain + ":" + hex.EncodeToString(h[:16])
	want := []byte(argsDigest(tool, args))
	created, err := o.Store.SetNX(ctx, bkey, want, o.Window)
	if err != nil || created {
		return nil // store down: the key itself is bound to the arguments
	}
	got, ok, err := o.Store.Get(ctx, bkey)
	if err != nil || !ok || string(got) == string(want) {
		return nil
	}
	return fmt.Errorf("_meta %s %q was already used for a different call (other tool or arguments) within the last %s; an idempotency key names one operation. Use a new key for a new operation, or repeat the original call exactly", MetaKey, supplied, o.Window)
}

// canonical re-encodes JSON with sorted keys and no insignificant space,
// without approval_id: a call approved by a person is the same operation as
// the call that asked for the approval, so a retry with or without the id
// is replayed, never performed again.
func canonical(args json.RawMessage) []byte {
	var v any
	if len(args) == 0 || json.Unmarshal(args, &v) != nil {
		return args
	}
	if m, ok := v.(map[string]any); ok {
		delete(m, "approval_id")
	}
	b, _ := json.Marshal(v)
	return b
}

// Middleware applies the store to every write tool call.
func Middleware(o Options) mcp.Middleware {
	if o.Window <= 0 {
		o.Window = 24 * time.Hour
	}
	if o.Pending <= 0 {
		o.Pending = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != "tools/call" {
				return next(ctx, method, req)
			}
			params, ok := req.GetParams().(*mcp.CallToolParamsRaw)
			if !ok || !o.IsWrite(params.Name) {
				return next(ctx, method, req)
			}
			supplied := ""
			if v, ok := params.Meta[MetaKey].(string); ok {
				if !validCallerKey(v) {
					r := &mcp.CallToolResult{}
					r.SetError(fmt.Errorf("_meta %s must be 8 to 128 characters of letters, digits, '_', '.', ':' or '-'", MetaKey))
					return r, nil
				}
				supplied = v
			}
			if supplied != "" {
				if err := bindCallerKey(ctx, o, policy.FromContext(ctx), params.Name, supplied, params.Arguments); err != nil {
					policy.Refused(ctx, "idempotency_key_reused")
					r := &mcp.CallToolResult{}
					r.SetError(err)
					return r, nil
				}
			}
			key := Key(policy.FromContext(ctx), params.Name, params.Arguments, supplied)
			skey := "idem:" + o.Domain + ":" + key
			pending, _ := json.Marshal(record{State: "pending", At: time.Now().UTC()})
			created, err := o.Store.SetNX(ctx, skey, pending, o.Pending)
			if err != nil {
				// The backend still deduplicates by the same key.
				o.Logger.Warn("idempotency store unavailable; relying on the backend's Idempotency-Key", "error", err)
				return next(WithKey(ctx, key), method, req)
			}
			if !created {
				return replay(ctx, o, skey, params.Name)
			}
			res, err := next(WithKey(ctx, key), method, req)
			r, isResult := res.(*mcp.CallToolResult)
			if err != nil || !isResult || r.IsError || r.InputRequests != nil {
				// An input request (the user is being asked) is not an
				// outcome either: the call comes again with the answer.
				// Not an outcome to replay: let a retry run again (the
				// backend deduplicates a write that did happen).
				o.Store.Del(context.WithoutCancel(ctx), skey)
				return res, err
			}
			b, merr := json.Marshal(r)
			if merr == nil {
				done, _ := json.Marshal(record{State: "done", Result: b, At: time.Now().UTC()})
				if err := o.Store.Set(context.WithoutCancel(ctx), skey, done, o.Window); err != nil {
					o.Logger.Warn("idempotency store: outcome not saved", "tool", params.Name, "error", err)
				}
			}
			return res, err
		}
	}
}

func replay(ctx context.Context, o Options, skey, tool string) (mcp.Result, error) {
	b, ok, err := o.Store.Get(ctx, skey)
	var rec record
	if err == nil && ok {
		err = json.Unmarshal(b, &rec)
	}
	if err != nil || !ok {
		if err == nil {
			err = errors.New("record vanished")
		}
		r := &mcp.CallToolResult{}
		r.SetError(fmt.Errorf("could not check whether this %s call already ran (%v); retry in a few seconds — it will not run twice", tool, err))
		return r, nil
	}
	if rec.State != "done" {
		r := &mcp.CallToolResult{}
		r.SetError(fmt.Errorf("the same %s call is still running (started %s); wait a few seconds and retry with the same arguments — it will not run twice", tool, rec.At.Format(time.RFC3339)))
		return r, nil
	}
	var res mcp.CallToolResult
	if err := json.Unmarshal(rec.Result, &res); err != nil {
		r := &mcp.CallToolResult{}
		r.SetError(fmt.Errorf("this %s call already ran, but its stored result is unreadable; check the record before retrying", tool))
		return r, nil
	}
	if res.Meta == nil {
		res.Meta = mcp.Meta{}
	}
	res.Meta[MetaReplayed] = true
	// The structured content says the same as _meta.
	if sc, ok := res.StructuredContent.(map[string]any); ok {
		if _, has := sc["replayed"]; has {
			sc["replayed"] = true
		}
	}
	note := fmt.Sprintf("(replayed: this exact %s call already ran at %s; nothing was done again)\n", tool, rec.At.Format(time.RFC3339))
	res.Content = append([]mcp.Content{&mcp.TextContent{Text: note}}, res.Content...)
	return &res, nil
}

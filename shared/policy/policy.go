// Package policy decides which tools a caller may see and call.
//
// Two bounds apply, the deployment's first:
//
//   - the deployment: MCP_READ_ONLY removes every tool that is not
//     read-only; MCP_TOOLS (allow list) and MCP_TOOLS_DENY narrow further.
//     Tools outside the bound are removed from the server at start, so no
//     token can reach them.
//   - the caller: over HTTP with auth on, each tool needs a scope —
//     "<domain>:read" for read-only tools, "<domain>:write" for the others —
//     and "<domain>:write" implies "<domain>:read". Tools the caller may not
//     use are left out of tools/list, and calling one anyway is refused
//     (HTTP 403 insufficient_scope from the transport; a tool error here as a
//     second line of defence).
//
// Over stdio there is no token: the local user holds every scope the
// deployment allows.
package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Principal is who a call acts for.
type Principal struct {
	Subject       string   // token "sub"; "local" over stdio
	Scopes        []string // granted scopes
	Region        string   // data-scoping claim; "" = unrestricted
	Authenticated bool     // a verified bearer token was presented
	// Groups are the token's "groups" and "roles" claims, for the policy
	// engine (principal.groups in Cedar).
	Groups []string
}

// RegionKey is where the verifier stores the region claim in TokenInfo.Extra.
const RegionKey = "region"

// GroupsKey is where the verifier stores the groups and roles claims
// ([]string) in TokenInfo.Extra.
const GroupsKey = "groups"

// Local is the principal of a stdio session.
var Local = Principal{Subject: "local"}

// Of returns the principal of req.
func Of(req mcp.Request) Principal {
	if req == nil {
		return Local
	}
	ex := req.GetExtra()
	if ex == nil || ex.TokenInfo == nil {
		return Local
	}
	return FromTokenInfo(ex.TokenInfo)
}

// FromTokenInfo builds a principal from verified token information.
func FromTokenInfo(ti *auth.TokenInfo) Principal {
	p := Principal{Subject: ti.UserID, Scopes: ti.Scopes, Authenticated: true}
	if r, ok := ti.Extra[RegionKey].(string); ok {
		p.Region = r
	}
	p.Groups, _ = ti.Extra[GroupsKey].([]string)
	return p
}

// Scope returns the scope a tool needs: "<domain>:read" for read-only tools,
// "<domain>:write" otherwise.
func Scope(domain string, readOnly bool) string {
	if readOnly {
		return domain + ":read"
	}
	return domain + ":write"
}

// HasScope reports whether granted includes need, with "<d>:write"
// implying "<d>:read".
func HasScope(granted []string, need string) bool {
	if slices.Contains(granted, need) {
		return true
	}
	if d, ok := strings.CutSuffix(need, ":read"); ok {
		return slices.Contains(granted, d+":write")
	}
	return false
}

// Allowed reports whether p may use a tool needing scope need.
func (p Principal) Allowed(need string) bool {
	return !p.Authenticated || HasScope(p.Scopes, need)
}

// Deployment is the operator's upper bound on the tool set.
type Deployment struct {
	ReadOnly bool
	Allow    []string // empty = all
	Deny     []string
}

// Permits reports whether the deployment keeps a tool.
func (d Deployment) Permits(name string, readOnly bool) bool {
	if d.ReadOnly && !readOnly {
		return false
	}
	if len(d.Allow) > 0 && !slices.Contains(d.Allow, name) {
		return false
	}
	return !slices.Contains(d.Deny, name)
}

// Tools knows each registered tool's scope.
type Tools struct {
	domain string
	scope  map[string]string
}

// NewTools indexes tools by name.
func NewTools(domain string, tools []*mcp.Tool) *Tools {
	t := &Tools{domain: domain, scope: map[string]string{}}
	for _, tool := range tools {
		ro := tool.Annotations != nil && tool.Annotations.ReadOnlyHint
		t.scope[tool.Name] = Scope(domain, ro)
	}
	return t
}

// ScopeOf returns the scope a tool needs ("" for an unknown tool).
func (t *Tools) ScopeOf(name string) string { return t.scope[name] }

// Supported lists the scopes of this server, for protected resource metadata.
func (t *Tools) Supported() []string { return []string{t.domain + ":read", t.domain + ":write"} }

// Middleware filters tools/list by the caller's scopes and refuses
// tools/call without the needed scope. It also records the principal in the
// context for the backend client and the audit trail.
func (t *Tools) Middleware() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			p := Of(req)
			ctx = WithPrincipal(ctx, p)
			switch method {
			case "tools/list":
				res, err := next(ctx, method, req)
				if lr, ok := res.(*mcp.ListToolsResult); ok && err == nil && p.Authenticated {
					kept := lr.Tools[:0:0]
					for _, tool := range lr.Tools {
						if p.Allowed(t.scope[tool.Name]) {
							kept = append(kept, tool)
						}
					}
					lr.Tools = kept
				}
				return res, err
			case "resources/read", "resources/list", "resources/templates/list", "prompts/get", "prompts/list", "completion/complete":
				// Context for the model is read access to the domain.
				if need := t.domain + ":read"; !p.Allowed(need) {
					denied(ctx)
					return nil, fmt.Errorf("insufficient scope: %s needs %s", method, need)
				}
			case "tools/call":
				if params, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok {
					if need := t.scope[params.Name]; need != "" && !p.Allowed(need) {
						denied(ctx)
						r := &mcp.CallToolResult{}
						r.SetError(fmt.Errorf("insufficient scope: %s needs %s; the token grants %s. Ask the user to sign in with that permission, or use a read-only tool", params.Name, need, strings.Join(p.Scopes, " ")))
						return r, nil
					}
				}
			}
			return next(ctx, method, req)
		}
	}
}

type principalKey struct{}
type denialKey struct{}

// WithPrincipal stores p in ctx (request-scoped data for the backend client
// and the audit trail).
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal stored by the middleware, or Local.
func FromContext(ctx context.Context) Principal {
	if p, ok := ctx.Value(principalKey{}).(Principal); ok {
		return p
	}
	return Local
}

// denied marks the call as refused by policy, for the audit trail.
func denied(ctx context.Context) {
	if f, ok := ctx.Value(denialKey{}).(func(string)); ok {
		f("denied_scope")
	}
}

// Refused marks the call as refused by a named policy rule (a ceiling, an
// allow-list), or held by the approval gate, for the audit trail.
func Refused(ctx context.Context, decision string) {
	if f, ok := ctx.Value(denialKey{}).(func(string)); ok {
		f(decision)
	}
}

// WithDenialHook lets the audit middleware learn that policy refused a call.
func WithDenialHook(ctx context.Context, f func(decision string)) context.Context {
	return context.WithValue(ctx, denialKey{}, f)
}

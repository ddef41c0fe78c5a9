// Package timeout applies a deadline to every tool call, resource read and
// prompt, as MCP middleware. A call that overruns returns at the deadline as
// a tool error the model can act on, even if its handler ignores the
// context; a handler that panics becomes a tool error, not a crash.
package timeout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Middleware bounds tools/call, resources/read and prompts/get by d.
func Middleware(d time.Duration, log *slog.Logger) mcp.Middleware {
	return MiddlewareWithExtension(d, log, nil)
}

// MiddlewareWithExtension is Middleware where extra(req) adds time to a
// call's deadline (a call waiting for a person's approval).
func MiddlewareWithExtension(base time.Duration, log *slog.Logger, extra func(mcp.Request) time.Duration) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			switch method {
			case "tools/call", "resources/read", "prompts/get", "completion/complete":
			default:
				return next(ctx, method, req)
			}
			d := base
			if extra != nil {
				d += extra(req)
			}
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			type outcome struct {
				res mcp.Result
				err error
			}
			done := make(chan outcome, 1)
			go func() {
				defer func() {
					if p := recover(); p != nil {
						log.Error("handler panic", "method", method, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
						r, err := Failure(method, "the server hit an internal error handling this call; it has been logged. Try again, or try a different request")
						done <- outcome{r, err}
					}
				}()
				r, err := next(ctx, method, req)
				done <- outcome{r, err}
			}()
			select {
			case o := <-done:
				return o.res, o.err
			case <-ctx.Done():
				if errors.Is(ctx.Err(), context.Canceled) { // the client gave up
					return nil, ctx.Err()
				}
				log.Warn("call deadline exceeded", "method", method, "timeout", d)
				return Failure(method, fmt.Sprintf("the call did not finish within its %s deadline (the backend is slow or not answering). Try again in a moment, or ask for less data (a smaller limit, fewer fields)", d))
			}
		}
	}
}

// Failure answers a call with msg: a tool error result for tools/call (so
// the model sees it and can act), a JSON-RPC error for other methods.
func Failure(method, msg string) (mcp.Result, error) {
	if method == "tools/call" {
		r := &mcp.CallToolResult{}
		r.SetError(errors.New(msg))
		return r, nil
	}
	return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: msg}
}

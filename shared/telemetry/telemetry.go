// Package telemetry observes MCP calls: Prometheus metrics for /metrics
// (VictoriaMetrics/metrics, with `le`-bucket histograms), one OpenTelemetry
// span per request (trace context from _meta or HTTP headers, exported over
// OTLP when configured), and one slog line per call that needs one.
//
// Only names from a known set become label values, span attributes or
// whole log fields: a tool name the server did not register, or an unknown
// method, is counted as "other" and logged as a short excerpt with its
// length.
package telemetry

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// metaReplayed is idempotency.MetaReplayed (not imported: idempotency
// depends on packages that use this one).
const metaReplayed = "bizmcp/replayed"

// Middleware records method, tool, outcome and latency of every request in
// metrics and a span, and logs failed ones. tools are the names the server
// registered. It must be the outermost middleware so that the span covers
// the others and the audit middleware can read its trace id and annotate it.
func Middleware(server string, log *slog.Logger, tools Names) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			start := time.Now()
			mlabel := MethodLabel(method)
			name, tlabel := "", ""
			if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && p != nil {
				name = p.Name
				tlabel = tools.Label(name)
			}
			spanName := mlabel
			attrs := []attribute.KeyValue{attribute.String("mcp.method.name", mlabel)}
			if method == "tools/call" {
				spanName += " " + tlabel
				attrs = append(attrs, attribute.String("gen_ai.tool.name", tlabel), attribute.String("gen_ai.operation.name", "execute_tool"))
			}
			if s := req.GetSession(); s != nil && s.ID() != "" {
				attrs = append(attrs, attribute.String("mcp.session.id", s.ID()))
			}
			ctx, span := tracer().Start(Extract(ctx, req), spanName, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
			res, err := next(ctx, method, req)

			outcome := "ok"
			replayed := false
			switch r, _ := res.(*mcp.CallToolResult); {
			case err != nil:
				outcome = "protocol_error"
			case r != nil:
				replayed = r.Meta[metaReplayed] == true
				if r.IsError {
					outcome = "tool_error"
				}
			}
			if span.IsRecording() {
				span.SetAttributes(attribute.String("bizmcp.outcome", outcome))
				if method == "tools/call" {
					span.SetAttributes(attribute.Bool("bizmcp.replayed", replayed))
				}
				if outcome != "ok" {
					span.SetAttributes(attribute.String("error.type", outcome))
					span.SetStatus(codes.Error, outcome)
				}
			}
			span.End()

			if method == "tools/call" {
				Counter(`bizmcp_tool_calls_total{server=%q,tool=%q,outcome=%q}`, server, tlabel, outcome).Inc()
				Histogram(`bizmcp_tool_call_duration_seconds{server=%q,tool=%q}`, server, tlabel).UpdateDuration(start)
			} else {
				Counter(`bizmcp_requests_total{server=%q,method=%q,outcome=%q}`, server, mlabel, outcome).Inc()
				Histogram(`bizmcp_request_duration_seconds{server=%q,method=%q}`, server, mlabel).UpdateDuration(start)
			}
			if log.Enabled(ctx, slog.LevelDebug) || outcome != "ok" {
				lvl := slog.LevelDebug
				if outcome == "protocol_error" {
					lvl = slog.LevelWarn
				}
				es := ""
				if err != nil {
					es = err.Error()
					if tlabel == Other && len(name) > 32 {
						es = strings.ReplaceAll(es, name, Excerpt(name)) // errors may echo the name
					}
					if mlabel == Other && len(method) > 32 {
						es = strings.ReplaceAll(es, method, Excerpt(method))
					}
					es = Truncate(es, 512)
				}
				args := []any{"method", mlabel, "tool", tlabel, "outcome", outcome, "duration_ms", time.Since(start).Milliseconds(), "error", es}
				if mlabel == Other {
					args = append(args, "method_excerpt", Excerpt(method), "method_len", len(method))
				}
				if tlabel == Other {
					args = append(args, "tool_excerpt", Excerpt(name), "tool_len", len(name))
				}
				log.Log(ctx, lvl, "mcp call", args...)
			}
			return res, err
		}
	}
}

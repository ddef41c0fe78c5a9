// Package telemetry counts MCP calls for /metrics (Prometheus text format,
// via VictoriaMetrics/metrics: small, dependency-light, well kept) and logs
// each call as one slog line.
package telemetry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Middleware records method, tool name, outcome and latency of every call.
func Middleware(server string, log *slog.Logger) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			start := time.Now()
			res, err := next(ctx, method, req)
			name := ""
			if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok {
				name = p.Name
			}
			outcome := "ok"
			switch {
			case err != nil:
				outcome = "protocol_error"
			case method == "tools/call":
				if r, ok := res.(*mcp.CallToolResult); ok && r.IsError {
					outcome = "tool_error"
				}
			}
			if method == "tools/call" {
				counter(`bizmcp_tool_calls_total{server=%q,tool=%q,outcome=%q}`, server, name, outcome).Inc()
				histogram(`bizmcp_tool_call_duration_seconds{server=%q,tool=%q}`, server, name).UpdateDuration(start)
			} else {
				counter(`bizmcp_requests_total{server=%q,method=%q,outcome=%q}`, server, method, outcome).Inc()
			}
			if log.Enabled(ctx, slog.LevelDebug) || outcome != "ok" {
				lvl := slog.LevelDebug
				if outcome == "protocol_error" {
					lvl = slog.LevelWarn
				}
				log.Log(ctx, lvl, "mcp call", "method", method, "tool", name, "outcome", outcome, "duration_ms", time.Since(start).Milliseconds(), "error", errString(err))
			}
			return res, err
		}
	}
}

type metricKey struct{ format, a, b, c string }

var (
	counters   sync.Map // metricKey -> *metrics.Counter
	histograms sync.Map // metricKey -> *metrics.Histogram
)

// counter returns the counter named by format and three labels, formatting
// the name only the first time (this runs on every call).
func counter(format, a, b, c string) *metrics.Counter {
	k := metricKey{format, a, b, c}
	if v, ok := counters.Load(k); ok {
		return v.(*metrics.Counter)
	}
	m := metrics.GetOrCreateCounter(fmt.Sprintf(format, a, b, c))
	counters.Store(k, m)
	return m
}

// Counter is counter for other packages' per-request metrics.
func Counter(format, a, b, c string) *metrics.Counter { return counter(format, a, b, c) }

func histogram(format, a, b string) *metrics.Histogram {
	k := metricKey{format, a, b, ""}
	if v, ok := histograms.Load(k); ok {
		return v.(*metrics.Histogram)
	}
	m := metrics.GetOrCreateHistogram(fmt.Sprintf(format, a, b))
	histograms.Store(k, m)
	return m
}

// Histogram is histogram for other packages' per-request metrics.
func Histogram(format, a, b string) *metrics.Histogram { return histogram(format, a, b) }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// WritePrometheus writes all metrics, including Go runtime ones.
func WritePrometheus(w io.Writer) { metrics.WritePrometheus(w, true) }

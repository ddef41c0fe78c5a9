package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ScopeName is the instrumentation scope of bizmcp's spans.
const ScopeName = "github.com/bizmcp/bizmcp/shared/telemetry"

// Propagator reads and writes W3C trace context and baggage: from a
// request's _meta (traceparent, tracestate, baggage) or HTTP headers, and
// into backend requests.
var Propagator propagation.TextMapPropagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

func tracer() trace.Tracer { return otel.GetTracerProvider().Tracer(ScopeName) }

// TracingConfig says whether and where spans are exported, from the
// standard OpenTelemetry environment variables.
type TracingConfig struct {
	Enabled bool
	OTLPConfig
}

// TracingFromEnv reads OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER,
// OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL,
// OTEL_EXPORTER_OTLP_[TRACES_]HEADERS, OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT
// (milliseconds, default 10000) and OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION
// (gzip or none). The endpoint defaults to http://localhost:4318/v1/traces.
// Tracing is on when OTEL_TRACES_EXPORTER is "otlp", or when it is unset
// and an OTLP endpoint is; off otherwise. Only OTLP over HTTP/protobuf is
// built in: another exporter or protocol is a configuration error rather
// than silently no traces.
func TracingFromEnv(getenv func(string) string) (TracingConfig, error) {
	var c TracingConfig
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return c, nil
	}
	switch exp := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exp {
	case "none":
		return c, nil
	case "":
		if getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
			return c, nil
		}
	case "otlp":
	default:
		return c, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: only \"otlp\" (or \"none\") is supported", exp)
	}
	o, err := OTLPFromEnv(getenv, "TRACES")
	if err != nil {
		return c, err
	}
	return TracingConfig{Enabled: true, OTLPConfig: o}, nil
}

// OTLPConfig is where and how one signal is exported over OTLP/HTTP.
type OTLPConfig struct {
	Endpoint string            // full URL, e.g. http://collector:4318/v1/traces
	Headers  map[string]string // sent with every export (e.g. an API key)
	Timeout  time.Duration     // per export request
	Gzip     bool
}

// OTLPFromEnv reads the standard exporter variables for signal ("TRACES"
// or "LOGS"): OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT (used as is) or
// OTEL_EXPORTER_OTLP_ENDPOINT (plus /v1/traces or /v1/logs; default
// http://localhost:4318), and the _PROTOCOL (only http/protobuf), _HEADERS
// (key=value,...), _TIMEOUT (milliseconds, default 10000) and _COMPRESSION
// (gzip or none) variables, the signal's own before the general ones.
func OTLPFromEnv(getenv func(string) string, signal string) (OTLPConfig, error) {
	var c OTLPConfig
	either := func(k string) string {
		if v := getenv("OTEL_EXPORTER_OTLP_" + signal + "_" + k); v != "" {
			return v
		}
		return getenv("OTEL_EXPORTER_OTLP_" + k)
	}
	ep := getenv("OTEL_EXPORTER_OTLP_" + signal + "_ENDPOINT")
	if ep == "" {
		base := getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
		if base == "" {
			base = "http://localhost:4318"
		}
		ep = strings.TrimRight(base, "/") + "/v1/" + strings.ToLower(signal)
	}
	if u, err := url.Parse(ep); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("OTLP %s endpoint %q: want an http:// or https:// URL", strings.ToLower(signal), ep)
	}
	if p := either("PROTOCOL"); p != "" && p != "http/protobuf" {
		return c, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%q: only \"http/protobuf\" is supported", p)
	}
	h, err := parseHeaders(either("HEADERS"))
	if err != nil {
		return c, err
	}
	c.Endpoint, c.Headers, c.Timeout = ep, h, 10*time.Second
	if v := either("TIMEOUT"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			return c, fmt.Errorf("OTEL_EXPORTER_OTLP_TIMEOUT=%q: want milliseconds", v)
		}
		c.Timeout = time.Duration(ms) * time.Millisecond
	}
	switch v := either("COMPRESSION"); v {
	case "gzip":
		c.Gzip = true
	case "", "none":
	default:
		return c, fmt.Errorf("OTEL_EXPORTER_OTLP_COMPRESSION=%q: want gzip or none", v)
	}
	return c, nil
}

// SetupTracing installs the global tracer provider with an OTLP/HTTP
// exporter when c.Enabled, and the W3C propagator either way. When tracing
// is off nothing is created (no exporter, no goroutine); spans are then
// no-ops that still carry an incoming trace id into logs and audit
// records. The returned function flushes and stops the exporter.
//
// Sampling (OTEL_TRACES_SAMPLER[_ARG]) and batching (OTEL_BSP_*) follow
// their standard variables; the service name
// is serviceName unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say
// otherwise.
func SetupTracing(ctx context.Context, c TracingConfig, serviceName, version string) (func(context.Context) error, error) {
	otel.SetTextMapPropagator(Propagator)
	if !c.Enabled {
		return func(context.Context) error { return nil }, nil
	}
	exp := newOTLPExporter(c.OTLPConfig)
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(serviceName), semconv.ServiceVersion(version)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("OTel resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

// metaCarrier reads trace context from a request's _meta.
type metaCarrier map[string]any

func (m metaCarrier) Get(k string) string {
	s, _ := m[k].(string)
	return s
}
func (m metaCarrier) Set(k, v string) { m[k] = v }
func (m metaCarrier) Keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// Extract returns ctx with the trace context of req: from its _meta
// (traceparent, tracestate, baggage, as MCP 2026-07-28 carries it) when
// _meta has a traceparent, else from the HTTP request's headers.
func Extract(ctx context.Context, req mcp.Request) context.Context {
	if req == nil {
		return ctx
	}
	if p := req.GetParams(); p != nil && !reflect.ValueOf(p).IsNil() { // a notification may have no params
		if m := p.GetMeta(); m != nil {
			if _, ok := m["traceparent"].(string); ok {
				return Propagator.Extract(ctx, metaCarrier(m))
			}
		}
	}
	if ex := req.GetExtra(); ex != nil && ex.Header != nil && ex.Header.Get("traceparent") != "" {
		return Propagator.Extract(ctx, propagation.HeaderCarrier(ex.Header))
	}
	return ctx
}

// IDs returns the trace id of ctx's span, or "" when it has none, and the
// span id when the span is recorded (with tracing off, the span in ctx is
// the caller's, whose id says nothing about this server).
func IDs(ctx context.Context) (traceID, spanID string) {
	span := trace.SpanFromContext(ctx)
	sc := span.SpanContext()
	if !sc.IsValid() {
		return "", ""
	}
	if !span.IsRecording() {
		return sc.TraceID().String(), ""
	}
	return sc.TraceID().String(), sc.SpanID().String()
}

// LogHandler adds trace_id and span_id to every record logged with a
// context that carries a span.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (l logHandler) Handle(ctx context.Context, r slog.Record) error {
	if t, s := IDs(ctx); t != "" {
		r = r.Clone()
		r.AddAttrs(slog.String("trace_id", t))
		if s != "" {
			r.AddAttrs(slog.String("span_id", s))
		}
	}
	return l.Handler.Handle(ctx, r)
}
func (l logHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return logHandler{l.Handler.WithAttrs(a)}
}
func (l logHandler) WithGroup(n string) slog.Handler { return logHandler{l.Handler.WithGroup(n)} }

// BackendTransport wraps base (one backend attempt) with otelhttp: a
// client span per attempt, child of the MCP request's span, and the trace
// context sent to the backend in traceparent/tracestate. Only requests
// made within a traced call get a span (readiness probes do not); the
// others go straight to base, and the otelhttp transport is built on the
// first traced request, not at start. The span's URL has no query and no
// id-like path segments: no argument values reach the trace backend.
func BackendTransport(name string, base http.RoundTripper) http.RoundTripper {
	traced := sync.OnceValue(func() http.RoundTripper {
		return otelhttp.NewTransport(restoreURL{base},
			otelhttp.WithPropagators(Propagator),
			otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return name + " " + r.Method + " " + r.URL.Path }),
			otelhttp.WithSpanOptions(trace.WithAttributes(attribute.String("bizmcp.backend", name))),
		)
	})
	return redactURL{base: base, traced: traced}
}

type origURLKey struct{}

// redactURL hands otelhttp a copy of a traced request whose URL is
// redacted, keeping the real one in the context for restoreURL; an
// untraced request goes to base as it is.
type redactURL struct {
	base   http.RoundTripper
	traced func() http.RoundTripper
}

func (t redactURL) RoundTrip(r *http.Request) (*http.Response, error) {
	if !trace.SpanContextFromContext(r.Context()).IsValid() {
		return t.base.RoundTrip(r)
	}
	orig := r.URL
	r2 := r.WithContext(context.WithValue(r.Context(), origURLKey{}, orig))
	u := *orig
	u.RawQuery, u.ForceQuery, u.Fragment, u.User = "", false, "", nil
	u.Path, u.RawPath = RedactPath(orig.Path), ""
	r2.URL = &u
	return t.traced().RoundTrip(r2)
}

// restoreURL puts the real URL back for the attempt itself.
type restoreURL struct{ next http.RoundTripper }

func (t restoreURL) RoundTrip(r *http.Request) (*http.Response, error) {
	if orig, ok := r.Context().Value(origURLKey{}).(*url.URL); ok {
		r = r.Clone(r.Context())
		r.URL = orig
	}
	resp, err := t.next.RoundTrip(r)
	if err == nil {
		if id := resp.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 {
			trace.SpanFromContext(r.Context()).SetAttributes(attribute.String("bizmcp.backend.request_id", id))
		}
	}
	return resp, err
}

// RedactPath replaces the path segments that may carry a value (ids,
// emails, anything with a digit or an escape, other than a version such as
// v2) with ":id": "/crm/customers/C-1001/notes" -> "/crm/customers/:id/notes".
func RedactPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s != "" && !plainSegment(s) {
			segs[i] = ":id"
		}
	}
	return strings.Join(segs, "/")
}

func plainSegment(s string) bool {
	if len(s) > 32 {
		return false
	}
	if len(s) >= 2 && s[0] == 'v' && strings.Trim(s[1:], "0123456789") == "" {
		return true
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

package telemetry

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// otlpExporter sends spans over OTLP/HTTP with protobuf encoding.
//
// Why not otlptracehttp: its request type lives in the OTLP collector
// package, which links gRPC and grpc-gateway into every server: 13.8 MB
// more per binary (crm-mcp 14.0 MB -> 27.9 MB, past the 20 MB image
// budget). The messages are written with encoding/binary (otlpwire.go).
type otlpExporter struct {
	otlpPoster

	mu      sync.Mutex
	stopped bool
}

func newOTLPExporter(c OTLPConfig) *otlpExporter {
	return &otlpExporter{otlpPoster: newPoster(c)}
}

// otlpPoster POSTs one encoded OTLP request.
type otlpPoster struct {
	url     string
	headers http.Header
	gzip    bool
	client  *http.Client
}

func newPoster(c OTLPConfig) otlpPoster {
	h := http.Header{}
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	h.Set("Content-Type", "application/x-protobuf")
	if c.Gzip {
		h.Set("Content-Encoding", "gzip")
	}
	return otlpPoster{url: c.Endpoint, headers: h, gzip: c.Gzip, client: &http.Client{Timeout: c.Timeout}}
}

func (p otlpPoster) post(ctx context.Context, body []byte) error {
	if p.gzip {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
		body = b.Bytes()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = p.headers.Clone()
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("OTLP export: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("OTLP export: %s answered %s", p.url, resp.Status)
	}
	return nil
}

// ExportSpans sends one request for the batch.
func (e *otlpExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	stopped := e.stopped
	e.mu.Unlock()
	if stopped || len(spans) == 0 {
		return nil
	}
	body, err := encodeSpans(spans)
	if err != nil {
		return err
	}
	return e.post(ctx, body)
}

// Shutdown stops exporting.
func (e *otlpExporter) Shutdown(context.Context) error {
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	e.client.CloseIdleConnections()
	return nil
}

// encodeSpans builds an ExportTraceServiceRequest: resource_spans=1, one
// ResourceSpans{resource=1, scope_spans=2, schema_url=3} per resource, one
// ScopeSpans{scope=1, spans=2, schema_url=3} per scope.
func encodeSpans(spans []sdktrace.ReadOnlySpan) ([]byte, error) {
	type scopeKey struct {
		res   attribute.Distinct
		scope instrumentation.Scope
	}
	type resourceSpans struct {
		res    []byte
		schema string
		scopes []scopeKey
	}
	var resOrder []attribute.Distinct
	resources := map[attribute.Distinct]*resourceSpans{}
	scopes := map[scopeKey][]byte{} // encoded ScopeSpans so far
	for _, s := range spans {
		r := s.Resource()
		rk := r.Equivalent()
		rs := resources[rk]
		if rs == nil {
			rs = &resourceSpans{res: pbResource(r.Attributes()), schema: r.SchemaURL()}
			resources[rk] = rs
			resOrder = append(resOrder, rk)
		}
		sc := s.InstrumentationScope()
		sk := scopeKey{rk, instrumentation.Scope{Name: sc.Name, Version: sc.Version, SchemaURL: sc.SchemaURL}}
		ss, ok := scopes[sk]
		if !ok {
			ss = pbMsg(nil, 1, pbScope(sc.Name, sc.Version, sc.Attributes.ToSlice()))
			ss = pbString(ss, 3, sc.SchemaURL)
			rs.scopes = append(rs.scopes, sk)
		}
		scopes[sk] = pbMsg(ss, 2, spanProto(s))
	}
	var out []byte
	for _, rk := range resOrder {
		rs := resources[rk]
		inner := pbMsg(nil, 1, rs.res)
		for _, sk := range rs.scopes {
			inner = pbMsg(inner, 2, scopes[sk])
		}
		inner = pbString(inner, 3, rs.schema)
		out = pbMsg(out, 1, inner)
	}
	return out, nil
}

// spanProto encodes a Span (trace/v1).
func spanProto(s sdktrace.ReadOnlySpan) []byte {
	sc := s.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	flags := uint32(sc.TraceFlags()) | spanFlagsHasIsRemote
	b := pbBytes(nil, 1, tid[:])
	b = pbBytes(b, 2, sid[:])
	b = pbString(b, 3, sc.TraceState().String())
	if ps := s.Parent(); ps.IsValid() {
		psid := ps.SpanID()
		b = pbBytes(b, 4, psid[:])
		if ps.IsRemote() {
			flags |= spanFlagsIsRemote
		}
	}
	b = pbString(b, 5, s.Name())
	b = pbVarint(b, 6, uint64(s.SpanKind())) // trace.SpanKind numbers match Span.SpanKind
	b = pbFixed64(b, 7, uint64(s.StartTime().UnixNano()))
	b = pbFixed64(b, 8, uint64(s.EndTime().UnixNano()))
	b = pbKeyValues(b, 9, s.Attributes())
	b = pbVarint(b, 10, uint64(s.DroppedAttributes()))
	for _, ev := range s.Events() {
		e := pbFixed64(nil, 1, uint64(ev.Time.UnixNano()))
		e = pbString(e, 2, ev.Name)
		e = pbKeyValues(e, 3, ev.Attributes)
		e = pbVarint(e, 4, uint64(ev.DroppedAttributeCount))
		b = pbMsg(b, 11, e)
	}
	b = pbVarint(b, 12, uint64(s.DroppedEvents()))
	for _, l := range s.Links() {
		ltid, lsid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
		e := pbBytes(nil, 1, ltid[:])
		e = pbBytes(e, 2, lsid[:])
		e = pbString(e, 3, l.SpanContext.TraceState().String())
		e = pbKeyValues(e, 4, l.Attributes)
		e = pbVarint(e, 5, uint64(l.DroppedAttributeCount))
		e = pbFixed32(e, 6, uint32(l.SpanContext.TraceFlags()))
		b = pbMsg(b, 13, e)
	}
	b = pbVarint(b, 14, uint64(s.DroppedLinks()))
	// Status{message=2, code=3}: UNSET 0, OK 1, ERROR 2 (otel-go's codes
	// number them differently).
	switch st := s.Status(); st.Code {
	case codes.Error:
		b = pbMsg(b, 15, pbVarint(pbString(nil, 2, st.Description), 3, 2))
	case codes.Ok:
		b = pbMsg(b, 15, pbVarint(nil, 3, 1))
	}
	return pbFixed32(b, 16, flags)
}

// SpanFlags bits (trace/v1).
const (
	spanFlagsHasIsRemote = 0x100
	spanFlagsIsRemote    = 0x200
)

// parseHeaders reads OTEL_EXPORTER_OTLP_HEADERS: comma-separated key=value
// pairs, values percent-encoded.
func parseHeaders(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_HEADERS: %q is not key=value", part)
		}
		dv, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_HEADERS: %q: %v", k, err)
		}
		out[k] = dv
	}
	return out, nil
}

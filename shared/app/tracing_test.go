package app_test

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/telemetry"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// receiver is an OTLP/HTTP traces endpoint decoding the official protobuf.
type receiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
	scope map[*tracepb.Span]string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want protobuf on /v1/traces", http.StatusBadRequest)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, _ := io.ReadAll(body)
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(b, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	for _, rs := range req.ResourceSpans {
		svc := ""
		for _, a := range rs.GetResource().GetAttributes() {
			if a.Key == "service.name" {
				svc = a.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				rc.spans = append(rc.spans, s)
				rc.scope[s] = svc
			}
		}
	}
	rc.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

func attrs(s *tracepb.Span) map[string]string {
	m := map[string]string{}
	for _, a := range s.Attributes {
		v := a.GetValue()
		switch {
		case v.GetStringValue() != "":
			m[a.Key] = v.GetStringValue()
		default:
			b, _ := json.Marshal(v.GetValue())
			m[a.Key] = string(b)
		}
	}
	return m
}

type none struct{}

type probeIn struct {
	ID    string `json:"id"`
	Query string `json:"query"`
}
type probeOut struct {
	Status int `json:"status"`
}

// probeSpec is a server with one tool that reads the backend.
type probePort struct {
	base string
	hc   *http.Client
}

func (probePort) Ping(context.Context) error { return nil }

var probeSpec = app.Spec[none, probePort]{
	Name: "probe", Binary: "probe-mcp", Prefix: "PROBE_", Title: "Probe",
	Backends: []app.Backend[probePort]{app.Reference("probe", "PROBE_", func(base string, hc *http.Client) (probePort, error) {
		return probePort{base, hc}, nil
	})},
	Register: func(s *mcp.Server, d app.Deps[none], p probePort) error {
		mcpkit.AddTool(s, &mcp.Tool{Name: "probe_get", Description: "reads an item", Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true}},
			func(ctx context.Context, req *mcp.CallToolRequest, in probeIn) (*mcp.CallToolResult, probeOut, error) {
				r, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/items/"+in.ID+"?q="+in.Query, nil)
				resp, err := p.hc.Do(r)
				if err != nil {
					return nil, probeOut{}, err
				}
				resp.Body.Close()
				return nil, probeOut{Status: resp.StatusCode}, nil
			})
		return nil
	},
}

// A tool call carrying a traceparent in _meta is exported over OTLP as a
// server span under that trace, with the backend request as its child,
// and the trace goes on to the backend and into the audit record.
func TestTraceFromMetaToBackend(t *testing.T) {
	rc := &receiver{scope: map[*tracepb.Span]string{}}
	otlp := httptest.NewServer(rc)
	defer otlp.Close()

	var backendTraceparent string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		backendTraceparent = r.Header.Get("traceparent")
		w.Header().Set("X-Request-Id", "req-7f3a")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	defer backend.Close()

	tc, err := telemetry.TracingFromEnv(func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": otlp.URL}[k]
	})
	if err != nil || !tc.Enabled || tc.Endpoint != otlp.URL+"/v1/traces" {
		t.Fatalf("tracing config %+v %v", tc, err)
	}
	shutdown, err := telemetry.SetupTracing(context.Background(), tc, "probe-mcp", "test")
	if err != nil {
		t.Fatal(err)
	}
	buf := &apptest.AuditBuffer{}
	cs, _, _ := apptest.Server(t, probeSpec, buf, []string{"--api-url", backend.URL})

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{
		Meta:      mcp.Meta{"traceparent": "00-" + traceID + "-" + parentID + "-01", "tracestate": "vendor=x"},
		Name:      "probe_get",
		Arguments: map[string]any{"id": "IT-4242", "query": "secretword"},
	})
	if err != nil || res.IsError {
		t.Fatalf("call: %v %+v", err, res)
	}
	if err := shutdown(context.Background()); err != nil { // flushes
		t.Fatal(err)
	}

	rc.mu.Lock()
	defer rc.mu.Unlock()
	var server, client *tracepb.Span
	for _, s := range rc.spans {
		if hex.EncodeToString(s.TraceId) != traceID {
			continue
		}
		switch s.Kind {
		case tracepb.Span_SPAN_KIND_SERVER:
			server = s
		case tracepb.Span_SPAN_KIND_CLIENT:
			client = s
		}
	}
	for _, s := range rc.spans {
		t.Logf("span %q kind %v attrs %v", s.Name, s.Kind, attrs(s))
	}
	if server == nil || client == nil {
		t.Fatalf("want a server and a client span in trace %s; got %d spans", traceID, len(rc.spans))
	}
	if hex.EncodeToString(server.ParentSpanId) != parentID || server.Name != "tools/call probe_get" || rc.scope[server] != "probe-mcp" {
		t.Errorf("server span %q parent %x service %q", server.Name, server.ParentSpanId, rc.scope[server])
	}
	sa := attrs(server)
	for k, v := range map[string]string{"mcp.method.name": "tools/call", "gen_ai.tool.name": "probe_get", "bizmcp.outcome": "ok", "bizmcp.policy.decision": "allowed", "bizmcp.replayed": "false"} {
		if sa[k] != v && !strings.Contains(sa[k], v) {
			t.Errorf("server span %s = %q, want %q", k, sa[k], v)
		}
	}
	if string(client.ParentSpanId) != string(server.SpanId) {
		t.Errorf("backend span's parent %x is not the server span %x", client.ParentSpanId, server.SpanId)
	}
	ca := attrs(client)
	if !strings.Contains(ca["http.response.status_code"], "200") || ca["bizmcp.backend.request_id"] != "req-7f3a" || ca["bizmcp.backend"] != "probe" {
		t.Errorf("backend span attributes %v", ca)
	}
	for _, s := range []*tracepb.Span{server, client} {
		for k, v := range attrs(s) {
			if strings.Contains(v, "secretword") || strings.Contains(v, "4242") {
				t.Errorf("span %q attribute %s carries an argument value: %q", s.Name, k, v)
			}
		}
	}
	if !strings.Contains(backendTraceparent, traceID) || strings.Contains(backendTraceparent, parentID) {
		t.Errorf("backend got traceparent %q", backendTraceparent)
	}
	recs := buf.Records(t)
	if len(recs) != 1 || recs[0].TraceID != traceID || recs[0].SpanID != hex.EncodeToString(server.SpanId) || len(recs[0].BackendRequestIDs) != 1 {
		t.Errorf("audit records %+v", recs)
	}
}

package telemetry

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.opentelemetry.io/otel/trace"
)

func scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	var b bytes.Buffer
	WritePrometheus(&b)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(&b)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// quantile is PromQL's histogram_quantile over one histogram's
// cumulative `le` buckets: linear interpolation inside the bucket that
// holds the q-th observation.
func quantile(q float64, h *dto.Histogram) float64 {
	type bkt struct{ le, n float64 }
	var bs []bkt
	for _, b := range h.Bucket {
		bs = append(bs, bkt{b.GetUpperBound(), float64(b.GetCumulativeCount())})
	}
	bs = append(bs, bkt{math.Inf(1), float64(h.GetSampleCount())})
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	total := bs[len(bs)-1].n
	if total == 0 {
		return math.NaN()
	}
	rank := q * total
	lower, prev := 0.0, 0.0
	for _, b := range bs {
		if b.n >= rank {
			if math.IsInf(b.le, 1) {
				return lower
			}
			return lower + (b.le-lower)*(rank-prev)/(b.n-prev)
		}
		lower, prev = b.le, b.n
	}
	return math.NaN()
}

func histogramOf(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Histogram {
	t.Helper()
	f := fams[name]
	if f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("%s: not a histogram family in /metrics", name)
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		return m.Histogram
	}
	t.Fatalf("%s%v: no such series", name, labels)
	return nil
}

func TestHistogramQuantileOnLeBuckets(t *testing.T) {
	h := Histogram(`bizmcp_tool_call_duration_seconds{server=%q,tool=%q}`, "qtest", "qtool")
	for range 90 {
		h.Update(0.02) // (0.01, 0.025]
	}
	for range 10 {
		h.Update(0.7) // (0.5, 1]
	}
	hist := histogramOf(t, scrape(t), "bizmcp_tool_call_duration_seconds", map[string]string{"server": "qtest", "tool": "qtool"})
	if hist.GetSampleCount() != 100 || len(hist.Bucket) < len(DurationBuckets) {
		t.Fatalf("count %d, %d buckets", hist.GetSampleCount(), len(hist.Bucket))
	}
	p50, p95 := quantile(0.5, hist), quantile(0.95, hist)
	if p50 <= 0.01 || p50 > 0.025 {
		t.Errorf("p50 %v, want in (0.01, 0.025]", p50)
	}
	if p95 <= 0.5 || p95 > 1 {
		t.Errorf("p95 %v, want in (0.5, 1]", p95)
	}
	if want := 90*0.02 + 10*0.7; math.Abs(hist.GetSampleSum()-want) > 1e-9 {
		t.Errorf("sum %v, want %v", hist.GetSampleSum(), want)
	}
}

// Point 4 of issue 16: a counter and a histogram per tool name a client
// sent grew /metrics and memory without bound. Unknown names now count as
// "other" and are logged as an excerpt.
func TestUnknownNamesAreBounded(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "0"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "known_tool"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, struct{}, error) {
		return nil, struct{}{}, nil
	})
	srv.AddReceivingMiddleware(Middleware("boundtest", log, Names{"known_tool": true}))
	cs := mcptest.Connect(t, srv)
	// One known and one unknown call create their series; after that, 40
	// more unknown names may change counts (digits), never add series.
	mcptest.Call(t, cs, "known_tool", map[string]any{})
	cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "warm-up-unknown"})
	var before bytes.Buffer
	WritePrometheus(&before)
	for i := range 40 {
		name := strings.Repeat(string(rune('a'+i%26)), 32<<10)
		cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name})
	}
	var after bytes.Buffer
	WritePrometheus(&after)
	if grow := after.Len() - before.Len(); grow > 512 {
		t.Errorf("/metrics grew by %d bytes for 40 unknown tool names", grow)
	}
	fams := scrape(t)
	got := map[string]float64{}
	for _, m := range fams["bizmcp_tool_calls_total"].GetMetric() {
		var server, tool string
		for _, l := range m.Label {
			switch l.GetName() {
			case "server":
				server = l.GetValue()
			case "tool":
				tool = l.GetValue()
			}
		}
		if server == "boundtest" {
			got[tool] += m.GetCounter().GetValue()
		}
	}
	if len(got) != 2 || got[Other] != 41 || got["known_tool"] != 1 {
		t.Errorf("tool call counters %v", got)
	}
	if logs.Len() > 40*1024 || strings.Contains(logs.String(), strings.Repeat("a", 100)) {
		t.Errorf("logs hold whole unknown names (%d bytes)", logs.Len())
	}
	if !strings.Contains(logs.String(), `"tool":"other"`) || !strings.Contains(logs.String(), `"tool_len":32768`) {
		t.Errorf("log lines lack the bounded form:\n%.600s", logs.String())
	}
}

func TestExtractFromHeadersAndMeta(t *testing.T) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	hdr := http.Header{}
	hdr.Set("traceparent", tp)
	req := &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Name: "x"}, Extra: &mcp.RequestExtra{Header: hdr}}
	if sc := trace.SpanContextFromContext(Extract(context.Background(), req)); sc.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || !sc.IsRemote() {
		t.Errorf("from headers: %v", sc)
	}
	// _meta wins over headers.
	req.Params.Meta = mcp.Meta{"traceparent": "00-11111111111111111111111111111111-2222222222222222-01"}
	if id, _ := IDs(Extract(context.Background(), req)); id != "11111111111111111111111111111111" {
		t.Errorf("from _meta: %q", id)
	}
	if id, _ := IDs(Extract(context.Background(), &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{}})); id != "" {
		t.Errorf("no context: %q", id)
	}
	// notifications/initialized sent without params (as a stdio client
	// may) once crashed the server here.
	if id, _ := IDs(Extract(context.Background(), &mcp.InitializedRequest{})); id != "" {
		t.Errorf("no params: %q", id)
	}
}

func TestTracingFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		enabled bool
		ep      string
		err     bool
	}{
		{env: nil},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"}, enabled: true, ep: "http://c:4318/v1/traces"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://c/x"}, enabled: true, ep: "https://c/x"},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, enabled: true, ep: "http://localhost:4318/v1/traces"},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}},
		{env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, err: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, err: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "c:4318"}, err: true},
	} {
		c, err := TracingFromEnv(func(k string) string { return tc.env[k] })
		if (err != nil) != tc.err || c.Enabled != tc.enabled || c.Endpoint != tc.ep {
			t.Errorf("%v: %+v %v", tc.env, c, err)
		}
	}
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/crm/customers/C-1001/notes":     "/crm/customers/:id/notes",
		"/api/v2/orders/ORD-48291":        "/api/v2/orders/:id",
		"/email/by-address/ann@x.example": "/email/by-address/:id",
		"/search":                         "/search",
	} {
		if got := RedactPath(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

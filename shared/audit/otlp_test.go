package audit

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/shared/telemetry"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/proto"
)

// Audit records also go out as OTLP log records, each body the exact
// line, so the chain verifies at the receiving end.
func TestOTLPLogsSink(t *testing.T) {
	var mu sync.Mutex
	var got []*logspb.LogRecord
	var service string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req collogspb.ExportLogsServiceRequest
		if r.URL.Path != "/v1/logs" || proto.Unmarshal(b, &req) != nil {
			http.Error(w, "bad request", 400)
			return
		}
		mu.Lock()
		for _, rl := range req.ResourceLogs {
			for _, a := range rl.GetResource().GetAttributes() {
				if a.Key == "service.name" {
					service = a.GetValue().GetStringValue()
				}
			}
			for _, sl := range rl.ScopeLogs {
				got = append(got, sl.LogRecords...)
			}
		}
		mu.Unlock()
	}))
	defer rcv.Close()
	oc, err := telemetry.OTLPFromEnv(func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.URL}[k]
	}, "LOGS")
	if err != nil || oc.Endpoint != rcv.URL+"/v1/logs" {
		t.Fatalf("%+v %v", oc, err)
	}
	l, c, err := OpenWith("crm-mcp", Options{Sink: filepath.Join(t.TempDir(), "a.jsonl"), OTLP: &oc, Version: "1.2.3"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const tid = "4bf92f3577b34da6a3ce929d0e0e4736"
	l.Write(Record{Principal: "ann", Tool: "crm_get_customer", Decision: Allowed, Outcome: OutcomeOK, TraceID: tid, SpanID: "00f067aa0ba902b7"})
	l.Write(Record{Principal: "ann", Tool: "crm_add_note", Decision: Allowed, Outcome: OutcomeOK})
	l.Approval(ApprovalRecord{Principal: "ann", Tool: "crm_update_customer", ApprovalID: "apr_1", Decision: "approval_requested"})
	start := time.Now()
	c.Close() // flushes
	if time.Since(start) > 5*time.Second {
		t.Error("close waited for the flush deadline")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 || service != "crm-mcp" {
		t.Fatalf("%d records from %q", len(got), service)
	}
	var lines []string
	for _, r := range got {
		lines = append(lines, r.GetBody().GetStringValue()+"\n")
	}
	var v Verifier
	v.Add("otlp", strings.NewReader(strings.Join(lines, "")))
	if rep := v.Report(); !rep.OK() || rep.Records != 3 {
		t.Errorf("chain over OTLP bodies: %+v", rep)
	}
	if hex.EncodeToString(got[0].TraceId) != tid || len(got[0].SpanId) != 8 || len(got[1].TraceId) != 0 {
		t.Errorf("trace ids %x %x", got[0].TraceId, got[1].TraceId)
	}
}

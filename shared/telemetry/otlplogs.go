package telemetry

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// LogWriter sends every line written to it (one JSON record per Write,
// as the audit logger writes) as an OTLP log record over OTLP/HTTP: the
// line is the body, unchanged, so the hash chain can be verified on the
// receiving side too; its trace_id and span_id become the record's. Lines
// are batched in the background (up to 256 per request, at least every
// second). Write never blocks: when 4096 lines are waiting, further ones
// are dropped and counted (bizmcp_otlp_log_records_dropped_total); failed
// exports are counted too (bizmcp_otlp_log_exports_failed_total). The
// local sink stays the complete record.
type LogWriter struct {
	p     otlpPoster
	res   *resourcepb.Resource
	scope string
	log   *slog.Logger
	ch    chan logLine
	done  chan struct{}
	once  sync.Once
}

type logLine struct {
	at   time.Time
	body []byte
}

const (
	logQueue = 4096
	logBatch = 256
)

// NewLogWriter starts a writer exporting to c, as service name/version,
// under instrumentation scope scope.
func NewLogWriter(c OTLPConfig, service, version, scope string, log *slog.Logger) *LogWriter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &LogWriter{p: newPoster(c), scope: scope, log: log, ch: make(chan logLine, logQueue), done: make(chan struct{}),
		res: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
			{Key: "service.name", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: service}}},
			{Key: "service.version", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: version}}},
		}}}
	go w.run()
	return w
}

// Write queues one line.
func (w *LogWriter) Write(p []byte) (int, error) {
	line := logLine{at: time.Now(), body: append([]byte(nil), p...)}
	select {
	case w.ch <- line:
	default:
		Counter(`bizmcp_otlp_log_records_dropped_total{scope=%q}%s%s`, w.scope, "", "").Inc()
	}
	return len(p), nil
}

// Close sends what is queued (for at most 5 s) and stops.
func (w *LogWriter) Close() error {
	w.once.Do(func() { close(w.ch) })
	select {
	case <-w.done:
	case <-time.After(6 * time.Second):
	}
	return nil
}

func (w *LogWriter) run() {
	defer close(w.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var batch []logLine
	flush := func(ctx context.Context) {
		if len(batch) == 0 {
			return
		}
		if err := w.p.post(ctx, w.encode(batch)); err != nil {
			Counter(`bizmcp_otlp_log_exports_failed_total{scope=%q}%s%s`, w.scope, "", "").Inc()
			w.log.Warn("OTLP log export failed; the records stay in the local audit sink", "records", len(batch), "error", err)
		}
		batch = batch[:0]
	}
	for {
		select {
		case l, ok := <-w.ch:
			if !ok {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				flush(ctx)
				cancel()
				return
			}
			batch = append(batch, l)
			if len(batch) >= logBatch {
				flush(context.Background())
			}
		case <-tick.C:
			flush(context.Background())
		}
	}
}

// encode builds an ExportLogsServiceRequest (field 1: ResourceLogs).
func (w *LogWriter) encode(lines []logLine) []byte {
	sl := &logspb.ScopeLogs{Scope: &commonpb.InstrumentationScope{Name: w.scope}}
	for _, l := range lines {
		body := string(trimNewline(l.body))
		var ids struct {
			TraceID string `json:"trace_id"`
			SpanID  string `json:"span_id"`
			Event   string `json:"event"`
		}
		json.Unmarshal(l.body, &ids)
		rec := &logspb.LogRecord{
			TimeUnixNano:         uint64(l.at.UnixNano()),
			ObservedTimeUnixNano: uint64(l.at.UnixNano()),
			SeverityNumber:       logspb.SeverityNumber_SEVERITY_NUMBER_INFO,
			SeverityText:         "INFO",
			EventName:            w.scope,
			Body:                 &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: body}},
		}
		if ids.Event != "" {
			rec.Attributes = []*commonpb.KeyValue{{Key: "bizmcp.audit.event", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: ids.Event}}}}
		}
		if t, err := hex.DecodeString(ids.TraceID); err == nil && len(t) == 16 {
			rec.TraceId = t
			if s, err := hex.DecodeString(ids.SpanID); err == nil && len(s) == 8 {
				rec.SpanId = s
			}
		}
		sl.LogRecords = append(sl.LogRecords, rec)
	}
	b, _ := proto.Marshal(&logspb.ResourceLogs{Resource: w.res, ScopeLogs: []*logspb.ScopeLogs{sl}})
	out := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendBytes(out, b)
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

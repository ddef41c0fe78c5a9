package telemetry

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
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
	res   []byte // encoded Resource
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
		res: pbResource([]attribute.KeyValue{attribute.String("service.name", service), attribute.String("service.version", version)})}
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

// encode builds an ExportLogsServiceRequest: resource_logs=1 holding
// ResourceLogs{resource=1, scope_logs=2: ScopeLogs{scope=1, log_records=2}}.
func (w *LogWriter) encode(lines []logLine) []byte {
	sl := pbMsg(nil, 1, pbScope(w.scope, "", nil))
	for _, l := range lines {
		var ids struct {
			TraceID string `json:"trace_id"`
			SpanID  string `json:"span_id"`
			Event   string `json:"event"`
		}
		json.Unmarshal(l.body, &ids)
		// LogRecord{time_unix_nano=1, severity_number=2, severity_text=3,
		// body=5, attributes=6, trace_id=9, span_id=10,
		// observed_time_unix_nano=11, event_name=12}
		at := uint64(l.at.UnixNano())
		r := pbFixed64(nil, 1, at)
		r = pbVarint(r, 2, severityInfo)
		r = pbString(r, 3, "INFO")
		r = pbMsg(r, 5, pbStringValue(string(trimNewline(l.body))))
		if ids.Event != "" {
			r = pbKeyValues(r, 6, []attribute.KeyValue{attribute.String("bizmcp.audit.event", ids.Event)})
		}
		if t, err := hex.DecodeString(ids.TraceID); err == nil && len(t) == 16 {
			r = pbBytes(r, 9, t)
			if s, err := hex.DecodeString(ids.SpanID); err == nil && len(s) == 8 {
				r = pbBytes(r, 10, s)
			}
		}
		r = pbFixed64(r, 11, at)
		r = pbString(r, 12, w.scope)
		sl = pbMsg(sl, 2, r)
	}
	rl := pbMsg(nil, 1, w.res)
	rl = pbMsg(rl, 2, sl)
	return pbMsg(nil, 1, rl)
}

// severityInfo is SeverityNumber INFO.
const severityInfo = 9

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

package telemetry

import (
	"fmt"
	"io"
	"sync"

	"github.com/VictoriaMetrics/metrics"
)

// DurationBuckets are the upper bounds (seconds) of every latency
// histogram: Prometheus-style cumulative `le` buckets, so stock
// histogram_quantile works on them. They span a cached read (a few ms) to a
// call that runs into the default 10 s deadline.
var DurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

func init() {
	// # HELP/# TYPE lines, so scrapers and parsers see histograms as such.
	metrics.ExposeMetadata(true)
}

type metricKey struct{ format, a, b, c string }

var (
	counters   sync.Map // metricKey -> *metrics.Counter
	histograms sync.Map // metricKey -> *metrics.PrometheusHistogram
)

// Counter returns the counter named by format and three label values,
// formatting the name only the first time (this runs on every call). Label
// values must come from a bounded set (see Names).
func Counter(format, a, b, c string) *metrics.Counter {
	k := metricKey{format, a, b, c}
	if v, ok := counters.Load(k); ok {
		return v.(*metrics.Counter)
	}
	m := metrics.GetOrCreateCounter(fmt.Sprintf(format, a, b, c))
	counters.Store(k, m)
	return m
}

// Histogram returns the latency histogram (DurationBuckets, `le` labels)
// named by format and two label values.
func Histogram(format, a, b string) *metrics.PrometheusHistogram {
	k := metricKey{format, a, b, ""}
	if v, ok := histograms.Load(k); ok {
		return v.(*metrics.PrometheusHistogram)
	}
	m := metrics.GetOrCreatePrometheusHistogramExt(fmt.Sprintf(format, a, b), DurationBuckets)
	histograms.Store(k, m)
	return m
}

// WritePrometheus writes all metrics, including Go runtime ones.
func WritePrometheus(w io.Writer) { metrics.WritePrometheus(w, true) }

// Other is the label value every name outside the known set is counted
// under, so a client sending random tool or method names cannot grow the
// metrics (or the memory behind them) without bound.
const Other = "other"

// knownMethods are the MCP methods a server answers; anything else is
// "other".
var knownMethods = map[string]bool{
	"initialize": true, "ping": true, "server/discover": true,
	"tools/list": true, "tools/call": true,
	"resources/list": true, "resources/read": true, "resources/templates/list": true,
	"resources/subscribe": true, "resources/unsubscribe": true,
	"prompts/list": true, "prompts/get": true,
	"completion/complete": true, "logging/setLevel": true,
	"notifications/initialized": true, "notifications/cancelled": true,
	"notifications/progress": true, "notifications/roots/list_changed": true,
}

// MethodLabel is method when it is a known MCP method, else Other.
func MethodLabel(method string) string {
	if knownMethods[method] {
		return method
	}
	return Other
}

// Names is the set of tool names a server registered: the only tool names
// that become label values, span attributes or whole log fields.
type Names map[string]bool

// Label is name when it is known, else Other.
func (n Names) Label(name string) string {
	if n[name] {
		return name
	}
	return Other
}

// Excerpt is what a log line may show of an unknown name: at most 32
// bytes of it, cut at a rune boundary.
func Excerpt(name string) string { return Truncate(name, 32) }

// Truncate cuts s to at most max bytes at a rune boundary, marking the cut.
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

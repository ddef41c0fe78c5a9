package sanitize_test

import (
	"testing"

	"github.com/bizmcp/bizmcp/shared/sanitize/evalcorpus"
)

// BenchmarkCold measures Sanitizer.Text over the tune corpus texts with a
// new Sanitizer (empty result cache) per pass: the cold figure of
// cmd/injeval, on the texts the project owns. The one-time tables are
// built before the timer starts. cpu-MB/s is per CPU second of the
// process (getrusage), like injeval's figure.
func BenchmarkCold(b *testing.B) {
	keys, texts := goldenTexts(b)
	var tune []string
	bytes := 0
	for i, k := range keys {
		if len(k) > 5 && k[:5] == "tune-" {
			tune = append(tune, texts[i])
			bytes += len(texts[i])
		}
	}
	warm := evalcorpus.NewSanitizer()
	for _, t := range tune {
		warm.Text(t)
	}
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	b.ResetTimer()
	c0, n := evalcorpus.CPUTime(), 0
	for b.Loop() {
		s := evalcorpus.NewSanitizer()
		for _, t := range tune {
			s.Text(t)
		}
		n++
	}
	// CPU time as injeval measures it: other load on the machine
	// inflates wall time more.
	if cpu := evalcorpus.CPUTime() - c0; cpu > 0 {
		b.ReportMetric(float64(bytes)*float64(n)/cpu.Seconds()/1e6, "cpu-MB/s")
	}
}

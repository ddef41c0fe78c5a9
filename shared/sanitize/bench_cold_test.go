package sanitize_test

import (
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/bizmcp/bizmcp/shared/sanitize/evalcorpus"
)

// BenchmarkCold measures Sanitizer.Text over the tune corpus texts as
// cmd/injeval's cold figure does: one operation is one text, and a new
// Sanitizer (empty result cache) starts every pass over the corpus. The
// one-time tables are built before the timer starts. cpu-MB/s is the
// texts' bytes per CPU second of the process (getrusage), like injeval's
// figure; MB/s counts the corpus' mean text size per operation.
// -benchtime 2000x is about two passes; use 20000x or more for a figure.
func BenchmarkCold(b *testing.B) {
	keys, texts := goldenTexts(b)
	var tune []string
	bytes := 0
	for i, k := range keys {
		if strings.HasPrefix(k, "tune-") {
			tune = append(tune, texts[i])
			bytes += len(texts[i])
		}
	}
	warm := evalcorpus.NewSanitizer()
	for _, t := range tune {
		warm.Text(t)
	}
	b.SetBytes(int64(bytes / len(tune)))
	b.ReportAllocs()
	b.ResetTimer()
	var s *sanitize.Sanitizer
	done, i := 0, 0
	c0 := evalcorpus.CPUTime()
	for b.Loop() {
		if i == 0 {
			s = evalcorpus.NewSanitizer()
		}
		s.Text(tune[i])
		done += len(tune[i])
		if i++; i == len(tune) {
			i = 0
		}
	}
	if cpu := evalcorpus.CPUTime() - c0; cpu > 0 {
		b.ReportMetric(float64(done)/cpu.Seconds()/1e6, "cpu-MB/s")
	}
}

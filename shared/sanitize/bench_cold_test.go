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

// BenchmarkColdLong is BenchmarkCold over longer texts: every 16
// consecutive benign tune texts joined by a blank line (about 1.7 KB, a
// page of CRM notes or a mail thread), the size of a real tool result.
// It shows costs that grow faster than the text (a pass over the whole
// text per finding or per decoded variant), which the short corpus texts
// hide. Same cpu-MB/s as BenchmarkCold.
func BenchmarkColdLong(b *testing.B) {
	keys, texts := goldenTexts(b)
	var benign []string
	for i, k := range keys {
		if strings.HasPrefix(k, "tune-benign") {
			benign = append(benign, texts[i])
		}
	}
	var long []string
	bytes := 0
	for i := 0; i+16 <= len(benign); i += 16 {
		long = append(long, strings.Join(benign[i:i+16], "\n\n"))
		bytes += len(long[len(long)-1])
	}
	b.SetBytes(int64(bytes / len(long)))
	b.ReportAllocs()
	warm := evalcorpus.NewSanitizer()
	warm.Text(long[0])
	b.ResetTimer()
	var s *sanitize.Sanitizer
	done, i := 0, 0
	c0 := evalcorpus.CPUTime()
	for b.Loop() {
		if i == 0 {
			s = evalcorpus.NewSanitizer()
		}
		s.Text(long[i])
		done += len(long[i])
		if i++; i == len(long) {
			i = 0
		}
	}
	if cpu := evalcorpus.CPUTime() - c0; cpu > 0 {
		b.ReportMetric(float64(done)/cpu.Seconds()/1e6, "cpu-MB/s")
	}
}

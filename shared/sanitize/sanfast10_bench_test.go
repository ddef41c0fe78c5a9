package sanitize_test

import (
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/bizmcp/bizmcp/shared/sanitize/evalcorpus"
)

// BenchmarkColdLongAttack is BenchmarkColdLong over attack texts: every
// 16 consecutive tune attack texts joined by a blank line. It shows the
// passes an attack cue starts over the whole text (decoded variants
// scanned again, the signal layer's regexps), which grow with the text
// around the cue. Same cpu-MB/s as BenchmarkCold.
func BenchmarkColdLongAttack(b *testing.B) {
	keys, texts := goldenTexts(b)
	var attacks []string
	for i, k := range keys {
		if strings.HasPrefix(k, "tune-attack") {
			attacks = append(attacks, texts[i])
		}
	}
	var long []string
	bytes := 0
	for i := 0; i+16 <= len(attacks); i += 16 {
		long = append(long, strings.Join(attacks[i:i+16], "\n\n"))
		bytes += len(long[len(long)-1])
	}
	b.SetBytes(int64(bytes / len(long)))
	b.ReportAllocs()
	warm := evalcorpus.NewSanitizer()
	for _, t := range long {
		warm.Text(t)
	}
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

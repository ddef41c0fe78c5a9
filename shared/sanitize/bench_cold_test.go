package sanitize_test

import (
	"testing"

	"github.com/bizmcp/bizmcp/shared/sanitize/evalcorpus"
)

// BenchmarkCold measures Sanitizer.Text over the tune corpus texts with a
// new Sanitizer (empty result cache) per pass: the cold figure of
// cmd/injeval, on the texts the project owns. The one-time tables are
// built before the timer starts.
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
	for b.Loop() {
		s := evalcorpus.NewSanitizer()
		for _, t := range tune {
			s.Text(t)
		}
	}
}

package sanitize_test

import (
	"fmt"
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
	coldLoop(b, tuneTexts(b, "tune-"))
}

// BenchmarkColdLong is BenchmarkCold over longer texts: every 16
// consecutive benign tune texts joined by a blank line (about 1.7 KB, a
// page of CRM notes or a mail thread), the size of a real tool result.
// It shows costs that grow faster than the text (a pass over the whole
// text per finding or per decoded variant), which the short corpus texts
// hide.
func BenchmarkColdLong(b *testing.B) {
	coldLoop(b, joined(tuneTexts(b, "tune-benign"), 16))
}

// BenchmarkColdLongAttack is BenchmarkColdLong over attack texts: every
// 16 consecutive tune attack texts joined. It shows the passes an attack
// cue starts over the whole text (decoded variants scanned again, the
// signal layer's patterns), which grow with the text around the cue.
func BenchmarkColdLongAttack(b *testing.B) {
	coldLoop(b, joined(tuneTexts(b, "tune-attack"), 16))
}

// tuneTexts returns the golden corpus texts whose key starts with prefix.
func tuneTexts(b *testing.B, prefix string) []string {
	keys, texts := goldenTexts(b)
	var out []string
	for i, k := range keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, texts[i])
		}
	}
	return out
}

// joined returns every n consecutive texts joined by a blank line.
func joined(texts []string, n int) []string {
	var out []string
	for i := 0; i+n <= len(texts); i += n {
		out = append(out, strings.Join(texts[i:i+n], "\n\n"))
	}
	return out
}

// coldLoop sanitizes texts in turn, one per operation, with a new
// Sanitizer at the start of every pass, and reports cpu-MB/s.
func coldLoop(b *testing.B, texts []string) {
	bytes := 0
	warm := evalcorpus.NewSanitizer()
	for _, t := range texts {
		warm.Text(t)
		bytes += len(t)
	}
	b.SetBytes(int64(bytes / len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	var s *sanitize.Sanitizer
	done, i := 0, 0
	c0 := evalcorpus.CPUTime()
	for b.Loop() {
		if i == 0 {
			s = evalcorpus.NewSanitizer()
		}
		s.Text(texts[i])
		done += len(texts[i])
		if i++; i == len(texts) {
			i = 0
		}
	}
	if cpu := evalcorpus.CPUTime() - c0; cpu > 0 {
		b.ReportMetric(float64(done)/cpu.Seconds()/1e6, "cpu-MB/s")
	}
}

// BenchmarkColdInARow separates what switching texts costs from what a
// text costs: the tune texts longer than the result cache's limit (so
// that no result is reused), each sanitized n times in a row before the
// next. n=1 is the cold loop's order; at n=16 a text finds the table
// lines it reads in the caches and its own branches learned by the
// predictor from its previous pass. The gap between the two is what
// switching texts costs, which no single function's profile shows; only
// part of it can be won back, since a new text's branches are new (a
// transparent-huge-page trial, which would have cut TLB misses, moved
// neither figure).
func BenchmarkColdInARow(b *testing.B) {
	var texts []string
	for _, t := range tuneTexts(b, "tune-") {
		if len(t) > 128 {
			texts = append(texts, t)
		}
	}
	for _, n := range []int{1, 16} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var rep []string
			for _, t := range texts {
				for range n {
					rep = append(rep, t)
				}
			}
			coldLoop(b, rep)
		})
	}
}

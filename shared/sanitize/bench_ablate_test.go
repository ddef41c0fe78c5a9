//go:build sanitize_ablate

package sanitize_test

import (
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/sanitize"
)

// BenchmarkColdWithout is BenchmarkCold with layers of the detector
// switched off, to show what each costs in a cold pass and what is left
// when they are gone (normalizing, hidden text, the folded copies, links,
// the fence, the result cache). Its verdicts are not the sanitizer's; it
// exists only in builds with the sanitize_ablate tag:
//
//	go test -tags sanitize_ablate -run '^$' -bench '^BenchmarkColdWithout$' -benchtime 100000x ./shared/sanitize
//
// Switching the signal layer off leaves the model its text but not the
// signal features; switching the rules off leaves the model no rule
// features, so it runs on every text instead of stopping at a hard flag.
func BenchmarkColdWithout(b *testing.B) {
	texts := tuneTexts(b, "tune-")
	defer sanitize.SkipLayers()
	for _, off := range [][]string{
		nil,
		{"rules"},
		{"signals"},
		{"decoders"},
		{"model"},
		{"rules", "signals"},
		{"rules", "signals", "decoders"},
		{"rules", "signals", "decoders", "model"},
	} {
		name := "none"
		if off != nil {
			name = strings.Join(off, "+")
		}
		b.Run(name, func(b *testing.B) {
			sanitize.SkipLayers(off...)
			coldLoop(b, texts)
		})
	}
}

package sanitize

import (
	"math/rand"
	"strings"
	"testing"
)

// randomText joins rng.Intn(max) parts drawn at random from parts: the
// random inputs of the tests that compare a fast path with its reference.
func randomText(rng *rand.Rand, parts []string, max int) string {
	var b strings.Builder
	for k := rng.Intn(max); k > 0; k-- {
		b.WriteString(parts[rng.Intn(len(parts))])
	}
	return b.String()
}

// agreeOn fails t at the first text on which got and want differ, and
// returns on how many texts want holds (for a test to check that its
// inputs reach the case it is about).
func agreeOn(t *testing.T, texts []string, name string, got, want func(string) bool) int {
	t.Helper()
	n := 0
	for _, x := range texts {
		w := want(x)
		if g := got(x); g != w {
			t.Fatalf("%q: %s %v, want %v", x, name, g, w)
		}
		if w {
			n++
		}
	}
	return n
}

package sanitize

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// TestUnderscoreCue checks matchUnderscoreRuns, which gives re only the
// runs underscoreCue.in lets through, against re.MatchString on random
// text made of the patterns' words (in both cases), their near misses,
// letters, digits and separators.
func TestUnderscoreCue(t *testing.T) {
	ensureTables()
	// The patterns' words, written out here rather than taken from the
	// cues under test.
	for j, c := range []struct {
		re    *regexp.Regexp
		words string
	}{
		{envSecretRE, "KEY TOKEN SECRET PASSWORD PASSWD PWD CREDENTIALS"},
		{toolNameRE, "cancel refund delete send export update create void transfer issue grant remove forward"},
	} {
		parts := []string{"_", "_", "__", "a", "z", "Q", "9", " ", "-", "é"}
		for _, w := range strings.Fields(c.words) {
			parts = append(parts, w, strings.ToUpper(w), strings.ToLower(w), w[1:], w[:len(w)-1])
		}
		rng := rand.New(rand.NewSource(int64(8 + j)))
		matched := 0
		for i := 0; i < 200000; i++ {
			var b strings.Builder
			for k := 1 + rng.Intn(6); k > 0; k-- {
				b.WriteString(parts[rng.Intn(len(parts))])
			}
			x := b.String()
			want := c.re.MatchString(x)
			if got := matchUnderscoreRuns(c.re, x); got != want {
				t.Fatalf("%s on %q: %v, MatchString %v", c.re, x, got, want)
			}
			if want {
				matched++
			}
		}
		if matched < 500 {
			t.Fatalf("%s: %d matches: the inputs do not reach the pattern", c.re, matched)
		}
	}
}

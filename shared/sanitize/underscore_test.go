package sanitize

import (
	"math/rand"
	"regexp"
	"testing"
)

// TestMatchUnderscoreRuns checks matchUnderscoreRuns against the
// regexps' own MatchString over the corpus and random snake_case-like
// strings.
func TestMatchUnderscoreRuns(t *testing.T) {
	ensureTables()
	texts := corpusTexts(t)
	rng := rand.New(rand.NewSource(1))
	alpha := []string{"_", "a", "Z", "KEY", "_KEY", "API", "send", "orders", "_cancel", "x", "é", " ", ".", "1", "token", "TOKEN", "-", "\n"}
	for i := 0; i < 50000; i++ {
		texts = append(texts, randomText(rng, alpha, 12))
	}
	matched := 0
	for _, x := range texts {
		for _, re := range []*regexp.Regexp{envSecretRE, toolNameRE} {
			want := re.MatchString(x)
			if got := matchUnderscoreRuns(re, x); got != want {
				t.Fatalf("%s on %q: %v, MatchString %v", re, x, got, want)
			}
			if want {
				matched++
			}
		}
	}
	if matched == 0 {
		t.Fatal("no text matched")
	}
}

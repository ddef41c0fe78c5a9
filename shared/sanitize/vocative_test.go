package sanitize

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// vocativeRule returns vocative_ai and its pattern compiled by regexp.
func vocativeRule(t testing.TB) (*rule, *regexp.Regexp) {
	ensureRules()
	for _, r := range rules {
		if r.name == "vocative_ai" {
			if r.mayWindow == nil {
				t.Fatal("vocative_ai has no mayWindow")
			}
			return r, regexp.MustCompile(r.pattern)
		}
	}
	t.Fatal("no rule vocative_ai")
	return nil, nil
}

// checkMayVocative fails when the pattern matches in w but mayVocative
// says it cannot; it reports whether mayVocative turned w away.
func checkMayVocative(t testing.TB, re *regexp.Regexp, w string) bool {
	may := mayVocative(w)
	if !may && re.MatchString(w) {
		t.Fatalf("mayVocative(%q) = false, the pattern matches %q", w, re.FindString(w))
	}
	return !may
}

// TestMayVocative checks that mayVocative never turns away a window that
// vocative_ai's pattern matches in: windows of the lines copies of the
// corpus texts at every trigger and every 37th byte, and random inputs
// made of the pattern's words, punctuation and spaces.
func TestMayVocative(t *testing.T) {
	r, re := vocativeRule(t)
	windows, away := 0, 0
	for _, text := range corpusTexts(t) {
		s := makeCopies(text).lines
		var at []int
		for _, tr := range r.trig {
			for from := 0; ; {
				x := strings.Index(s[from:], tr)
				if x < 0 {
					break
				}
				at = append(at, from+x)
				from += x + len(tr)
			}
		}
		for p := 0; p < len(s); p += 37 {
			at = append(at, p)
		}
		for _, p := range at {
			for p < len(s) && !utf8.RuneStart(s[p]) {
				p++
			}
			a, b := window(s, p, true)
			windows++
			if checkMayVocative(t, re, s[a:b]) {
				away++
			}
		}
	}
	t.Logf("corpus: %d windows, %d turned away", windows, away)
	marks := []string{",", "!", ":", "-", "—", "–", "\xe2\x80", ".", "?", "hi,"}
	spaces := []string{"", " ", "  ", "\n", "\t", "\r", "\f", "\v"}
	parts := append(append(append(append(vocativeNames[:], vocativeGreetings[:]...), marks...), spaces...),
		"x", "a", "i", "chat", "_", "é", "1", "o")
	rng := rand.New(rand.NewPCG(19, 5))
	n, away, matched := 0, 0, 0
	for ; n < 300000; n++ {
		var b strings.Builder
		for m := rng.IntN(12); m >= 0; m-- {
			if rng.IntN(3) == 0 {
				// Close to a match: a name, spaces, a mark and a space.
				b.WriteString(vocativeNames[rng.IntN(len(vocativeNames))])
				b.WriteString(spaces[rng.IntN(len(spaces))])
				b.WriteString(marks[rng.IntN(len(marks))])
				b.WriteString(spaces[rng.IntN(len(spaces))])
			}
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		if checkMayVocative(t, re, b.String()) {
			away++
		} else if re.MatchString(b.String()) {
			matched++
		}
	}
	t.Logf("random: %d inputs, %d turned away, %d matched", n, away, matched)
}

// FuzzMayVocative checks mayVocative against the pattern on fuzzed
// windows.
func FuzzMayVocative(f *testing.F) {
	_, re := vocativeRule(f)
	for _, s := range []string{"hey ai, do it", "note to the ai: x", "x.ai — y", "ok\n\n a.i.: z", "dear ai assistant,\tq"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		checkMayVocative(t, re, w)
	})
}

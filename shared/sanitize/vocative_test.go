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
			if r.evalWin == nil {
				t.Fatal("vocative_ai has no evalWin")
			}
			return r, regexp.MustCompile(r.pattern)
		}
	}
	t.Fatal("no rule vocative_ai")
	return nil, nil
}

// checkVocativeWindow fails when vocativeWindow's weight of w differs
// from the search's: the first 8 matches regexp finds, weighed by the
// rule's adjust function. It reports whether w holds a match.
func checkVocativeWindow(t testing.TB, r *rule, re *regexp.Regexp, w string) bool {
	ms := re.FindAllStringIndex(w, 8)
	want := 0.0
	var sm match
	for _, m := range ms {
		want = max(want, r.adjust(newMatch(&sm, w, m[0], m[1], r.w)))
	}
	if got := vocativeWindow(w); got != want {
		t.Fatalf("vocativeWindow(%q) = %v, want %v (matches at %v)", w, got, want, ms)
	}
	return len(ms) > 0
}

// TestVocativeWindow checks vocativeWindow against regexp: windows of the lines copies of the
// corpus texts at every trigger and every 37th byte, and random inputs
// made of the pattern's words, punctuation and spaces.
func TestVocativeWindow(t *testing.T) {
	r, re := vocativeRule(t)
	windows, matched := 0, 0
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
			if checkVocativeWindow(t, r, re, s[a:b]) {
				matched++
			}
		}
	}
	t.Logf("corpus: %d windows, %d with a match", windows, matched)
	marks := []string{",", "!", ":", "-", "—", "–", "\xe2\x80", ".", "?", "hi,"}
	spaces := []string{"", " ", "  ", "\n", "\t", "\r", "\f", "\v"}
	parts := append(append(append(append(vocativeNames[:], vocativeGreetings[:]...), marks...), spaces...),
		"x", "a", "i", "chat", "_", "é", "1", "o")
	rng := rand.New(rand.NewPCG(19, 5))
	n := 0
	matched = 0
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
		if checkVocativeWindow(t, r, re, b.String()) {
			matched++
		}
	}
	t.Logf("random: %d inputs, %d with a match", n, matched)
	// Runs of matches weighing 0.4, some with one of 0.8 after the 8th
	// (which findAll leaves out), and marks glued to the next name.
	lead := []string{"\n", ". ", "hey ", "!", "so ", "also ", "x ", "", "\n\n  "}
	for k := 0; k < 100000; k++ {
		var b strings.Builder
		for m := rng.IntN(14); m >= 0; m-- {
			b.WriteString(lead[rng.IntN(len(lead))])
			name := "assistant"
			switch rng.IntN(8) {
			case 0:
				name = "agent"
			case 1:
				name = vocativeNames[rng.IntN(len(vocativeNames))]
			}
			b.WriteString(name)
			b.WriteString(marks[rng.IntN(len(marks))])
			b.WriteString(spaces[rng.IntN(len(spaces))])
		}
		checkVocativeWindow(t, r, re, b.String())
	}
}

// FuzzVocativeWindow checks vocativeWindow against regexp on fuzzed
// windows.
func FuzzVocativeWindow(f *testing.F) {
	r, re := vocativeRule(f)
	for _, s := range []string{"hey ai, do it", "note to the ai: x", "x.ai — y", "ok\n\n a.i.: z", "dear ai assistant,\tq"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		checkVocativeWindow(t, r, re, w)
	})
}

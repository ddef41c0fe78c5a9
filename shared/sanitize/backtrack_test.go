package sanitize

import (
	"bufio"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// corpusTexts returns the tune, holdout and training texts.
func corpusTexts(t testing.TB) []string {
	var out []string
	for _, g := range []string{"testdata/corpus/tune-*.jsonl", "testdata/corpus/holdout-*.jsonl", "testdata/train/*.jsonl"} {
		files, _ := filepath.Glob(g)
		for _, f := range files {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(fh)
			sc.Buffer(make([]byte, 1<<20), 16<<20)
			for sc.Scan() {
				var c struct{ Text string }
				if json.Unmarshal(sc.Bytes(), &c) == nil {
					out = append(out, c.Text)
				}
			}
			fh.Close()
		}
	}
	if len(out) < 1000 {
		t.Fatalf("only %d corpus texts", len(out))
	}
	return out
}

// TestAnchoredProg checks that the anchored search (backtrack.go) finds
// the match regexp finds, for every anchored pattern: at every start word
// of the folded copies of the corpus texts (what runRules tries), at
// every word of some of them, and on random inputs built from the
// pattern's own words, other words, non-ASCII letters and invalid UTF-8.
func TestAnchoredProg(t *testing.T) {
	ensureRules()
	type anch struct {
		r  *rule
		re *regexp.Regexp
		bt *anchoredProg
	}
	var list []anch
	byRule := map[*rule]*anch{}
	for _, r := range rules {
		if r.starts == nil {
			continue
		}
		bt, err := compileAnchoredProg(r.pattern)
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, anch{r, regexp.MustCompile(`^(?:` + r.pattern + `)`), bt})
	}
	for i := range list {
		byRule[list[i].r] = &list[i]
	}
	if len(list) < 50 {
		t.Fatalf("only %d anchored rules", len(list))
	}
	calls, matched, bad := 0, 0, 0
	check := func(a *anch, in string) {
		calls++
		want := a.re.FindStringIndex(in)
		got := a.bt.matchEnd(in)
		if want != nil {
			matched++
		}
		if (want == nil) != (got < 0) || want != nil && want[1] != got {
			bad++
			if bad <= 10 {
				t.Errorf("rule %s on %q: regexp %v, search %d", a.r.name, in, want, got)
			}
		}
	}
	span := func(s string, p int) string {
		e := min(len(s), p+maxAnchored)
		for e < len(s) && !utf8.RuneStart(s[e]) {
			e++
		}
		return s[p:e]
	}
	for n, text := range corpusTexts(t) {
		c := makeCopies(text)
		for _, cp := range []struct {
			s    string
			toks []token
			copy int
		}{{c.latin, c.latinToks, cLatin}, {c.native, c.nativeToks, cNative}} {
			for _, tok := range cp.toks {
				w := cp.s[tok.start:tok.end]
				for i := range list {
					a := &list[i]
					if a.r.copy != cp.copy {
						continue
					}
					if a.r.starts[w] || n%50 == 0 {
						check(a, span(cp.s, tok.start))
					}
				}
			}
		}
	}
	// Random inputs: words of the pattern, other words, separators.
	rng := rand.New(rand.NewPCG(1, 2))
	wordRE := regexp.MustCompile(`[a-z]+|[^\x00-\x7f]+`)
	extra := []string{"the", "all", "a", "x", "é", "ünd", "日本", "\xff", "1", "42", "-", ".", ",", ":", "\n", "_", "'"}
	for i := range list {
		a := &list[i]
		words := append(wordRE.FindAllString(a.r.pattern, -1), extra...)
		starts := slices.Sorted(maps.Keys(a.r.starts))
		words = append(words, starts...)
		for n := 0; n < 300; n++ {
			var b strings.Builder
			if n%2 == 0 {
				// Start with a start word, as runRules does.
				b.WriteString(starts[rng.IntN(len(starts))])
			}
			for m := rng.IntN(12); m >= 0; m-- {
				if b.Len() > 0 && rng.IntN(6) > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(words[rng.IntN(len(words))])
			}
			check(a, b.String())
		}
	}
	t.Logf("%d anchored attempts compared, %d matched", calls, matched)
	if matched < 1000 {
		t.Errorf("only %d attempts matched: the comparison proves little", matched)
	}
}

package sanitize

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// TestProseCopies checks that makeProseCopies builds the lines and native
// copies (and tokens) that makeCopies builds, over the corpus, the
// corpus's prose forms (what signals folds) and random texts mixing
// ASCII, leet symbols, accents, homoglyphs, runs of single letters,
// entities, CJK, combining marks and invalid bytes (every path of
// makeCopies: fastLatin, foldWords, and its giving up).
func TestProseCopies(t *testing.T) {
	ensureTables()
	texts := corpusTexts(t)
	for _, s := range texts[:len(texts):len(texts)] {
		texts = append(texts, proseOnly(s), strings.ToUpper(s))
	}
	rng := rand.New(rand.NewSource(1))
	alpha := []string{"a", "b", "c", " ", "  ", "\n", "x y z", "send", "Send", "p@$$", "$", "@", "4ll", "100", "1gn0re", "é", "e\u0301",
		"précédent", "straße", "іgnоrе", "ѕ", "ｐ", "忽略", "ё", "ı", "ή", "&amp;", "&lt;", "&", "\xff", "\xe2\x82", "-", ".", ",", "i.g.n", "_", "ǆ", "ﬁ"}
	for i := 0; i < 100000; i++ {
		texts = append(texts, randomText(rng, alpha, 16))
	}
	for _, s := range texts {
		c := makeCopies(s)
		p := makeProseCopies(s)
		if p.lines != c.lines || p.native != c.native || !slices.Equal(p.nativeToks, c.nativeToks) {
			t.Fatalf("%q: prose copies %q %q %v, copies %q %q %v", s, p.lines, p.native, p.nativeToks, c.lines, c.native, c.nativeToks)
		}
		c.release()
		p.release()
	}
}

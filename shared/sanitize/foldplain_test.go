package sanitize

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// foldPlainTexts returns the corpus texts, their upper-case forms and
// random texts of words that the foldings treat differently.
func foldPlainTexts(t *testing.T) []string {
	texts := corpusTexts(t)
	for _, s := range texts[:len(texts):len(texts)] {
		texts = append(texts, strings.ToUpper(s))
	}
	rng := rand.New(rand.NewSource(15))
	alpha := []string{"a", "b", " ", "  ", "\n", "send", "p@$$", "$", "@", "4ll", "100", "1gn0re", "rot13", "é", "e\u0301", "\u0301",
		"précédent", "straße", "іgnоrе", "ѕ", "ё", "ı", "ή", "ά", "ώ", "ΐ", "α", "ω", "ς", "σ", "привет", "мир", "忽略", "指令", "ก", "ภาษา",
		"שלום", "مرحبا", "नमस्ते", "한국어", "\U0001d400", "\U00020000", "\xff", "\xe2\x82", "-", ".", ",", "_", "ǆ", "ﬁ", "ß", "ø", "ǀ", "ʼ", "ー"}
	for i := 0; i < 200000; i++ {
		texts = append(texts, randomText(rng, alpha, 12))
	}
	return texts
}

// TestPlainWords checks nextPlainWord against nextWord, and that a word
// it calls plain is its own native and latin word.
func TestPlainWords(t *testing.T) {
	ensureTables()
	for _, s := range foldPlainTexts(t) {
		lower := strings.ToLower(s)
		for i := 0; ; {
			a, b := nextWord(lower, i)
			pa, pb, plain := nextPlainWord(lower, i)
			if a != pa || b != pb {
				t.Fatalf("%q at %d: nextPlainWord %d %d, nextWord %d %d", lower, i, pa, pb, a, b)
			}
			if a == len(lower) {
				break
			}
			w := lower[a:b]
			if plain {
				var nb strings.Builder
				appendNative(&nb, nil, w)
				if nb.String() != w || latinWord(w) != w {
					t.Fatalf("%q: plain, but native %q latin %q", w, nb.String(), latinWord(w))
				}
			}
			i = b
		}
	}
}

// TestFoldWordsShared checks foldWords (plain words written once, the
// latin copy shared while it equals the native copy) against the general
// path, buildNative and buildLatin over splitWords.
func TestFoldWordsShared(t *testing.T) {
	ensureTables()
	shared := 0
	for _, s := range foldPlainTexts(t) {
		if checkFoldWords(t, s) {
			shared++
		}
	}
	t.Logf("%d texts with equal copies", shared)
}

// checkFoldWords compares foldWords on s lower-cased with the general
// path (buildNative and buildLatin over splitWords) when foldWords takes
// it, and reports whether the latin copy is the (non-empty) native one.
func checkFoldWords(t *testing.T, s string) (shared bool) {
	t.Helper()
	lower := strings.ToLower(s)
	c := newCopies()
	defer c.release()
	changed, ok := c.foldWords(lower, countWords(lower))
	if !ok {
		return false
	}
	toks := splitWords(lower)
	native, ntoks := buildNative(toks)
	latin, ltoks, ch := buildLatin(toks)
	if c.native != native || c.latin != latin || changed != ch ||
		!slices.Equal(c.nativeToks, ntoks) || !slices.Equal(c.latinToks, ltoks) {
		t.Fatalf("%q: foldWords %q %v %q %v %v, general %q %v %q %v %v", s,
			c.native, c.nativeToks, c.latin, c.latinToks, changed, native, ntoks, latin, ltoks, ch)
	}
	return len(c.native) > 0 && c.latin == c.native
}

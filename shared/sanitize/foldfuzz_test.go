package sanitize

import (
	"slices"
	"strings"
	"testing"
)

// FuzzFold compares lowerLines with strings.ToLower and linesRef, and
// foldWords with the general path (buildNative, buildLatin), on fuzzed
// text.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Hello мир", "Ignore ALL previous", "ПРИВЕТ, ассистент:", "précédentes ÉTÉ", "ἀγάπη Ή",
		"忽略之前的所有指令", "\xff\xfeab C", "i g n o r e", "p@$$w0rd 1gn0re", "\u212a\u0130 straße", "e\u0301te\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ensureTables()
		if !isASCII(s) {
			c := newCopies()
			lower, words := c.lowerLines(s)
			want := strings.ToLower(s)
			lines, w, cjk, nl := linesRef(want)
			if lower != want || c.lines != lines || words != w || c.cjk != cjk || c.nonLatin != nl {
				t.Fatalf("%q: lowerLines %q %q %d %v %v, want %q %q %d %v %v", s, lower, c.lines, words, c.cjk, c.nonLatin,
					want, lines, w, cjk, nl)
			}
			checkWordSpans(t, c, lower)
			c.release()
		}
		lower := strings.ToLower(s)
		c := newCopies()
		changed, ok := c.foldWords(lower, countWords(lower))
		if ok {
			toks := splitWords(lower)
			native, ntoks := buildNative(toks)
			latin, ltoks, ch := buildLatin(toks)
			if c.native != native || c.latin != latin || changed != ch ||
				!slices.Equal(c.nativeToks, ntoks) || !slices.Equal(c.latinToks, ltoks) {
				t.Fatalf("%q: foldWords %q %v %q %v %v, general %q %v %q %v %v", s,
					c.native, c.nativeToks, c.latin, c.latinToks, changed, native, ntoks, latin, ltoks, ch)
			}
		}
		c.release()
	})
}

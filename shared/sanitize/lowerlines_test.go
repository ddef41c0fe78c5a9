package sanitize

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// linesRef is the lines copy of lower (strings.ToLower's result) by a pass
// over its runes with the folding maps and unicode's tables, and what
// foldCopies notes on the way.
func linesRef(lower string) (lines string, words int, cjk, nonLatin bool) {
	var b []byte
	for _, r := range lower {
		if r < utf8.RuneSelf {
			b = append(b, byte(r))
			continue
		}
		cjk = cjk || isCJK(r)
		nonLatin = nonLatin || r >= 0x370 && unicode.IsLetter(r)
		if h, ok := homoglyphs[r]; ok {
			b = utf8.AppendRune(b, h)
		} else if a, ok := accents[r]; ok {
			b = append(b, a...)
		} else if !unicode.Is(unicode.Mn, r) {
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b), countWords(lower), cjk, nonLatin
}

// TestLowerLines compares lowerLines with strings.ToLower and linesRef on
// the corpus' texts that are not ASCII, their upper-case forms, every
// BMP rune after an ASCII capital and after a lower-case non-ASCII
// letter, and random texts.
func TestLowerLines(t *testing.T) {
	ensureTables()
	var texts []string
	for _, s := range corpusTexts(t) {
		if !isASCII(s) {
			texts = append(texts, s, strings.ToUpper(s), "A"+s, "é"+s)
		}
	}
	var b strings.Builder
	for r := rune(0x80); r < 0x10000; r++ {
		b.WriteRune(r)
		if r%64 == 63 {
			texts = append(texts, "A"+b.String(), "é"+b.String(), "x "+b.String())
			b.Reset()
		}
	}
	rng := rand.New(rand.NewSource(15))
	alpha := []string{"A", "a", "Z", " ", ".", "\n", "1", "@", "É", "é", "İ", "ı", "K", "Ω", "Σ", "ς", "Ё", "ё", "П", "п", "ǅ", "ẞ", "ß",
		"\U00010400", "\U00010428", "\U0001d400", "忽", "\u0301", "\xff", "\xe2\x82", "\xef\xbf\xbd", "ｐ", "Ａ", "\u212a", "ʼ"}
	for i := 0; i < 200000; i++ {
		b.Reset()
		b.WriteString("é")
		for k := rng.Intn(12); k > 0; k-- {
			b.WriteString(alpha[rng.Intn(len(alpha))])
		}
		s := b.String()
		if rng.Intn(2) == 0 {
			s = s[len("é"):]
		}
		if !isASCII(s) {
			texts = append(texts, s)
		}
	}
	for _, s := range texts {
		checkLowerLines(t, s)
	}
}

// checkLowerLines compares lowerLines on s (not ASCII) with
// strings.ToLower and linesRef, and checks its word spans.
func checkLowerLines(t *testing.T, s string) {
	t.Helper()
	c := newCopies()
	defer c.release()
	lower, words := c.lowerLines(s)
	want := strings.ToLower(s)
	lines, w, cjk, nl := linesRef(want)
	if lower != want || c.lines != lines || words != w || c.cjk != cjk || c.nonLatin != nl {
		t.Fatalf("%q: lowerLines %q %q %d %v %v, want %q %q %d %v %v", s, lower, c.lines, words, c.cjk, c.nonLatin,
			want, lines, w, cjk, nl)
	}
	checkWordSpans(t, c, lower)
}

// TestRuneClass checks runeClass against runeIs and wordRune at every rune.
func TestRuneClass(t *testing.T) {
	ensureTables()
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		cls := runeClass(r)
		for _, x := range []uint8{rcLetter, rcDigit, rcMn, rcMc} {
			if runeIs(r, x) != (cls&x != 0) {
				t.Fatalf("%U: runeClass %b, runeIs(%b) %v", r, cls, x, runeIs(r, x))
			}
		}
		if wordRune(r) != (cls != 0) {
			t.Fatalf("%U: runeClass %b, wordRune %v", r, cls, wordRune(r))
		}
	}
}

// checkWordSpans checks the words lowerLines found in lower against
// nextPlainWord.
func checkWordSpans(t *testing.T, c *copies, lower string) {
	var want []wordSpan
	for start, end, plain := nextPlainWord(lower, 0); start < len(lower); start, end, plain = nextPlainWord(lower, end) {
		want = append(want, wordSpan{start, end, plain})
	}
	if !c.haveWords || !slices.Equal(c.words, want) {
		t.Fatalf("%q: lowerLines' words %v, nextPlainWord %v", lower, c.words, want)
	}
}

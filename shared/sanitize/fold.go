package sanitize

import (
	"html"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The detector never looks at the text the model gets. It matches folded
// copies built here:
//
//   - lines:  NFKC, lower case, homoglyphs and Latin accents folded,
//     punctuation and line breaks kept (role markers, e-mail addresses);
//   - native: NFKC, lower case, Latin accents folded, every run of
//     non-letters and non-digits turned into one space (patterns in
//     French, German, Spanish, Portuguese, Russian, Chinese, Japanese);
//   - latin:  native plus homoglyph folding (Cyrillic, Greek, small caps,
//     ... to Latin), light leetspeak inside words that mix letters and
//     digits, and runs of separated single letters ("i g n o r e",
//     "i.g.n.o.r.e") joined back into words (English patterns).

// homoglyphs maps lower-case look-alikes to Latin letters. NFKC already
// folds fullwidth and mathematical alphanumerics.
var homoglyphs map[rune]rune

// accents maps precomposed lower-case Latin letters to their base letters.
var accents map[rune]string

// lowerBMP marks the runes below U+10000 that unicode.ToLower changes
// (set from unicode.CaseRanges, outside of which it changes none).
var lowerBMP *[1024]uint64

// foldBMP marks the runes below U+10000 that homoglyphs or accents map:
// the others need no map lookup (most letters of most scripts).
var foldBMP *[1024]uint64

// Rune classes of the Basic Multilingual Plane, set by initFoldTables
// from the unicode tables: folding asks about every rune of a text
// whether it is a letter, a digit or a combining mark, and one table
// read costs less than a binary search of unicode's ranges.
const (
	rcLetter = 1 << iota
	rcDigit
	rcMn
	rcMc
)

var bmpClass *[0x10000]uint8

func buildRuneClasses() *[0x10000]uint8 {
	t := new([0x10000]uint8)
	for _, c := range []struct {
		tab *unicode.RangeTable
		bit uint8
	}{{unicode.Letter, rcLetter}, {unicode.Digit, rcDigit}, {unicode.Mn, rcMn}, {unicode.Mc, rcMc}} {
		for _, r := range c.tab.R16 {
			for x := int(r.Lo); x <= int(r.Hi); x += int(r.Stride) {
				t[x] |= c.bit
			}
		}
	}
	return t
}

// runeClass returns the classes (rc bits) of r: runeIs(r, x) is
// runeClass(r)&x != 0, and wordRune(r) for r not ASCII is runeClass(r) != 0.
func runeClass(r rune) uint8 {
	if uint32(r) < 0x10000 {
		return bmpClass[r]
	}
	var cls uint8
	if unicode.IsLetter(r) {
		cls |= rcLetter
	}
	if unicode.IsDigit(r) {
		cls |= rcDigit
	}
	if unicode.Is(unicode.Mn, r) {
		cls |= rcMn
	}
	if unicode.Is(unicode.Mc, r) {
		cls |= rcMc
	}
	return cls
}

// runeIs reports whether r is in one of the classes (rc bits); unicode's
// tables answer above the BMP.
func runeIs(r rune, classes uint8) bool {
	if uint32(r) < 0x10000 {
		return bmpClass[r]&classes != 0
	}
	return classes&rcLetter != 0 && unicode.IsLetter(r) || classes&rcDigit != 0 && unicode.IsDigit(r) ||
		classes&rcMn != 0 && unicode.Is(unicode.Mn, r) || classes&rcMc != 0 && unicode.Is(unicode.Mc, r)
}

// nfkcBits marks, per BMP rune, whether the rune is in NFKC on its own
// and starts a segment that no rune before it combines with (canonical
// class 0, NFKC quick check Yes): a text of such runes is in NFKC, and
// norm.NFKC would return it unchanged after a look-up of every rune in
// its tries. Blocks of 64 runes are filled on first use (nfkcDone), as
// asking norm costs about 100 ns a rune.
var (
	nfkcBits [1024]atomic.Uint64
	nfkcDone [1024]atomic.Bool
)

func nfkcStableRune(r rune) bool {
	if uint32(r) >= 0x10000 {
		return false
	}
	blk := r >> 6
	if !nfkcDone[blk].Load() {
		var bits uint64
		for i := rune(0); i < 64; i++ {
			if x := string(blk<<6 | i); norm.NFKC.IsNormalString(x) && norm.NFKC.PropertiesString(x).BoundaryBefore() {
				bits |= 1 << i
			}
		}
		nfkcBits[blk].Store(bits)
		nfkcDone[blk].Store(true)
	}
	return nfkcBits[blk].Load()&(1<<(r&63)) != 0
}

// isNFKC reports whether s is in NFKC as far as nfkcStableRune tells:
// false means norm must decide (a rune outside the BMP, a combining mark,
// a compatibility character, an invalid byte).
func isNFKC(s string) bool {
	return !anyNonASCII(s, func(r rune) bool { return !nfkcStableRune(r) })
}

// anyNonASCII reports whether s holds an invalid byte or a non-ASCII rune
// for which f is true.
func anyNonASCII(s string, f func(rune) bool) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 || f(r) {
			return true
		}
		i += size
	}
	return false
}

// mayFold reports whether r may be a key of homoglyphs or accents.
func mayFold(r rune) bool {
	return r >= 0x10000 || foldBMP[r>>6]&(1<<(uint(r)&63)) != 0
}

// leet maps digits and symbols used as letters inside words.
func leet(c byte) byte {
	switch c {
	case '0':
		return 'o'
	case '1':
		return 'i'
	case '3':
		return 'e'
	case '4':
		return 'a'
	case '5':
		return 's'
	case '7':
		return 't'
	case '@':
		return 'a'
	case '$':
		return 's'
	}
	return c
}

var dropLeetSyms *strings.Replacer

// token is one word of a words copy, with its byte span.
type token struct{ start, end int }

// copies holds the folded views of one text.
type copies struct {
	lines      string
	native     string
	latin      string
	nativeToks []token
	latinToks  []token
	cjk        bool
	nonLatin   bool    // holds letters of a non-Latin script (Cyrillic, CJK, ...)
	transcript int8    // isTranscript: 0 unknown, 1 yes, -1 no
	lid, nid   []int32 // vocabulary ids of latinToks and nativeToks (set by runRules)
	cues       uint8   // the token cues of lid and nid (set by runRules)

	// Storage kept from one use to the next (copiesPool): the tokens of
	// the word copies and the ids of runRules.
	toks []token
	ids  []int32
	// words are lower's words with nextPlainWord's answers, when
	// lowerLines has found them (haveWords) in its pass.
	words     []wordSpan
	haveWords bool
}

// wordSpan is a word of the lower-case copy and whether it is plain
// (nextPlainWord).
type wordSpan struct {
	start, end int
	plain      bool
}

// copiesPool keeps released copies with their token and id storage, so
// that most texts allocate neither: scan and signals release the copies
// they made when done.
var copiesPool = sync.Pool{New: func() any { return new(copies) }}

// newCopies returns empty copies, with the storage of released ones.
func newCopies() *copies {
	c := copiesPool.Get().(*copies)
	*c = copies{toks: c.toks, ids: c.ids, words: c.words[:0]}
	return c
}

// release hands c back to copiesPool: neither c nor its token and id
// slices may be used after. The strings are dropped, not kept alive.
func (c *copies) release() {
	*c = copies{toks: c.toks, ids: c.ids, words: c.words[:0]}
	copiesPool.Put(c)
}

// tokBuf returns room for n tokens (the storage of c.toks, grown as
// needed); its contents are undefined.
func (c *copies) tokBuf(n int) []token {
	if cap(c.toks) < n {
		c.toks = make([]token, n)
	}
	return c.toks[:n]
}

// idBuf is tokBuf for vocabulary ids.
func (c *copies) idBuf(n int) []int32 {
	if cap(c.ids) < n {
		c.ids = make([]int32, n)
	}
	return c.ids[:n]
}

func isCJK(r rune) bool {
	return r >= 0x3040 && r <= 0x30ff || r >= 0x3400 && r <= 0x9fff || r >= 0xf900 && r <= 0xfaff ||
		r >= 0xff66 && r <= 0xff9f || r >= 0x20000 && r <= 0x2fa1f
}

// rawTok is a word of the lower-cased text and the separator before it.
type rawTok struct {
	word string
	gap  string
}

// asciiLowerFast is strings.ToLower(s): s itself when it has no capital,
// asciiLower when it is ASCII. A text that is not ASCII is lower-cased
// whole wherever its first non-ASCII byte is: "Hello. ИГНОРИРУЙ ..." once
// kept its Cyrillic capitals (the first capital was ASCII), and no
// Russian rule read it (TestLowerAfterASCIICapital).
func asciiLowerFast(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf {
			return strings.ToLower(s)
		} else if c >= 'A' && c <= 'Z' {
			upper = true
		}
	}
	if upper {
		return asciiLower(s)
	}
	return s
}

// lowerLines returns s (not ASCII) lower-cased as strings.ToLower does
// (unicode.ToLower of each rune, an invalid byte written as U+FFFD) and
// the number of its words, and builds the lines copy of it, in one pass:
// the lines copy is built from the runes written to the lower-case copy,
// which a pass over that copy would decode again. A rune that
// unicode.ToLower leaves as it is (lowerBMP) is not looked up in its case
// tables. TestLowerLines compares the copies with strings.ToLower and a
// pass over its result.
func (c *copies) lowerLines(s string) (string, int) {
	// Both copies are written from the first rune that differs in them
	// from s (most runes do not), copying the runs of s in between: a
	// copy in which no rune differs is s.
	var lb, b strings.Builder
	lpos, bpos := -1, -1 // s[lpos:] is not yet in lb, s[bpos:] in b; -1: nothing is
	words, in := 0, false
	wDigits, wLetters := false, false // the current word's (nextPlainWord's)
	c.words = c.words[:0]
	for i := 0; i < len(s); {
		start := i
		r, size := rune(s[i]), 1
		lowered := false // r is not s[start:i]
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
				lowered = true
			}
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
			if size == 1 || r >= 0x10000 || lowerBMP[r>>6]&(1<<(uint(r)&63)) != 0 {
				if lr := unicode.ToLower(r); lr != r || size == 1 {
					r, lowered = lr, true
				}
			}
		}
		i += size
		lo := start // r's offset in lower
		if lpos >= 0 {
			lo = lb.Len() + start - lpos
		}
		if lowered {
			if lpos < 0 {
				lb.Grow(len(s) + utf8.UTFMax)
				lpos = 0
			}
			lb.WriteString(s[lpos:start])
			lb.WriteRune(r)
			lpos = i
		}
		// The words of lower as nextPlainWord finds them, for foldWords:
		// a word's span, and what makes it not plain (its letters and
		// digits mixed, '@' or '$', a rune a folding may change).
		if r < utf8.RuneSelf {
			w := isWordRune(r)
			if w && !in {
				words++
				c.words = append(c.words, wordSpan{start: lo, plain: true})
				wDigits, wLetters = false, false
			} else if !w && in {
				c.words[len(c.words)-1].end = lo
			}
			in = w
			switch {
			case 'a' <= r && r <= 'z':
				wLetters = true
			case '0' <= r && r <= '9':
				wDigits = true
			case r == '@' || r == '$':
				c.words[len(c.words)-1].plain = false
			}
			if w && wDigits && wLetters {
				c.words[len(c.words)-1].plain = false
			}
			// The lines copy holds r as the lower-case copy does unless r
			// is folded, dropped or an invalid byte (written as U+FFFD).
			if !lowered {
				continue
			}
		} else {
			cls := runeClass(r) // one read for wordRune's and runeIs' answers
			if cls != 0 && !in {
				words++
				c.words = append(c.words, wordSpan{start: lo, plain: true})
				wDigits, wLetters = false, false
			} else if cls == 0 && in {
				c.words[len(c.words)-1].end = lo
			}
			in = cls != 0
			if in {
				wLetters = true // leetWord counts every non-ASCII byte a letter
				if cls&(rcMn|rcMc) != 0 || r >= 0x10000 || mayFold(r) || r >= 0x3ac && r <= 0x3ce || wDigits {
					c.words[len(c.words)-1].plain = false
				}
			}
			if isCJK(r) {
				c.cjk = true
			}
			if r >= 0x370 && cls&rcLetter != 0 {
				c.nonLatin = true
			}
			if !lowered && size > 1 && cls&rcMn == 0 && !mayFold(r) {
				continue
			}
		}
		if bpos < 0 {
			b.Grow(len(s) + utf8.UTFMax)
			bpos = 0
		}
		b.WriteString(s[bpos:start])
		bpos = i
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
		} else if !mayFold(r) {
			if !runeIs(r, rcMn) {
				b.WriteRune(r)
			}
		} else if h, ok := homoglyphs[r]; ok {
			b.WriteRune(h)
		} else if a, ok := accents[r]; ok {
			b.WriteString(a)
		} else if !runeIs(r, rcMn) {
			b.WriteRune(r)
		}
	}
	lower := s
	if lpos >= 0 {
		lb.WriteString(s[lpos:])
		lower = lb.String()
	}
	if in {
		c.words[len(c.words)-1].end = len(lower)
	}
	c.haveWords = true
	c.lines = s
	if bpos >= 0 {
		b.WriteString(s[bpos:])
		c.lines = b.String()
	}
	return lower, words
}

// makeCopies builds the folded copies of s.
func makeCopies(s string) *copies { return foldCopies(s, false) }

// makeProseCopies builds the copies of s that the signal layer reads: the
// lines copy and the native copy with its tokens (signals, tokenBits,
// signalScore and isTranscript read nothing else). The latin copy is left
// empty. ASCII text that fastLatin folds takes its one pass as in
// makeCopies (its copy is both); otherwise foldWords and buildNative
// build the native copy by appendNative over splitWords' words, whichever
// of them the latin copy needs, and so does nativeWords, without the
// latin folding. TestProseCopies compares the two.
func makeProseCopies(s string) *copies { return foldCopies(s, true) }

// foldCopies is makeCopies, or makeProseCopies when nativeOnly is set.
func foldCopies(s string, nativeOnly bool) *copies {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii && !isNFKC(s) {
		s = norm.NFKC.String(s)
	}
	c := newCopies()
	var lower string
	words := 0 // the words of lower, for foldWords
	if ascii {
		lower = asciiLowerFast(s)
		c.lines = lower
	} else {
		lower, words = c.lowerLines(s)
	}
	if ascii {
		if l, lt, ok := fastLatin(lower, c.tokBuf(len(lower)/5 + 1)[:0]); ok {
			c.latin, c.latinToks = l, lt
			c.native, c.nativeToks = l, lt
			if nativeOnly {
				c.latin, c.latinToks = "", nil
			}
			return c
		}
	}
	if ascii {
		words = countWords(lower)
	}
	if nativeOnly {
		c.native, c.nativeToks = nativeWords(lower, c.tokBuf(words))
		return c
	}
	changed, ok := c.foldWords(lower, words)
	if !ok {
		toks := splitWords(lower)
		// buildLatin reuses toks: the native copy is built first.
		c.native, c.nativeToks = buildNative(toks)
		c.latin, c.latinToks, changed = buildLatin(toks)
	}
	if ascii && !changed {
		// For plain ASCII words the two copies are the same.
		c.native, c.nativeToks = c.latin, c.latinToks
	}
	return c
}

// fastLatin builds the latin (and, for ASCII, identical native) copy of
// lower-case ASCII text in one pass. It gives up (ok == false) when a word
// mixes letters with digits or '@'/'$', or when three single letters
// follow each other: those need the general path. The tokens are appended
// to toks.
func fastLatin(lower string, toks []token) (string, []token, bool) {
	var b strings.Builder // its String does not copy
	b.Grow(len(lower))
	singles := 0
	for i := 0; i < len(lower); {
		c := lower[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '@' || c == '$') {
			i++
			continue
		}
		j := i
		letters, other := false, false
		for j < len(lower) {
			c := lower[j]
			if c >= 'a' && c <= 'z' {
				letters = true
			} else if c >= '0' && c <= '9' || c == '@' || c == '$' {
				other = true
			} else {
				break
			}
			j++
		}
		if letters && other || !letters && strings.ContainsAny(lower[i:j], "@$") {
			return "", nil, false
		}
		if j-i == 1 && letters {
			if singles++; singles >= 3 {
				return "", nil, false
			}
		} else {
			singles = 0
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		st := b.Len()
		b.WriteString(lower[i:j])
		toks = append(toks, token{st, b.Len()})
		i = j
	}
	return b.String(), toks, true
}

// countWords returns how many words splitWords finds in lower.
func countWords(lower string) int {
	n, in := 0, false
	for _, r := range lower {
		w := isWordRune(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// splitWords splits lower into words: runs of letters, digits, combining
// marks and the leet symbols '@' and '$'.
func splitWords(lower string) []rawTok {
	// Count the words first: growing the slice costs more than a pass.
	toks := make([]rawTok, 0, countWords(lower))
	start, gapStart := -1, 0
	for i, r := range lower {
		word := isWordRune(r)
		if word {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = append(toks, rawTok{word: lower[start:i], gap: lower[gapStart:start]})
			start = -1
			gapStart = i
		}
	}
	if start >= 0 {
		toks = append(toks, rawTok{word: lower[start:], gap: lower[gapStart:start]})
	}
	return toks
}

// isWordRune is wordRune with its ASCII case inlined.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '@' || c == '$'
	}
	return wordRune(r)
}

func buildNative(toks []rawTok) (string, []token) {
	var b strings.Builder
	size := 0
	for _, t := range toks {
		size += len(t.word) + 1
	}
	b.Grow(size)
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		out = appendNative(&b, out, t.word)
	}
	return b.String(), out
}

// nativeWords is buildNative(splitWords(lower)) without splitWords'
// slice; toks has room for lower's words.
func nativeWords(lower string, toks []token) (string, []token) {
	var b strings.Builder
	b.Grow(len(lower) + 1)
	toks = toks[:0]
	for start, end := nextWord(lower, 0); start < len(lower); start, end = nextWord(lower, end) {
		toks = appendNative(&b, toks, lower[start:end])
	}
	return b.String(), toks
}

// skipNonWord returns the offset of the first isWordRune rune of s at or
// after byte i, or len(s).
func skipNonWord(s string, i int) int {
	for i < len(s) {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isWordRune(r) {
			break
		}
		i += size
	}
	return i
}

// nextWord returns the bounds of the first word (a run of isWordRune
// runes) of s at or after byte i; start is len(s) when there is none.
func nextWord(s string, i int) (start, end int) {
	start = skipNonWord(s, i)
	i = start
	for i < len(s) {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if !isWordRune(r) {
			break
		}
		i += size
	}
	return start, i
}

// appendNative appends the native form of the word w to b, after a space
// unless b is empty, and its token to toks; a word of only '@' and '$'
// has none.
func appendNative(b *strings.Builder, toks []token, w string) []token {
	if strings.IndexByte(w, '@') >= 0 || strings.IndexByte(w, '$') >= 0 {
		w = dropLeetSyms.Replace(w)
		if w == "" {
			return toks
		}
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	st := b.Len()
	if isASCII(w) {
		b.WriteString(w)
	} else {
		prevLatin := false
		for _, r := range w {
			switch {
			case r == 'ё':
				b.WriteRune('е')
			case r == 'ı':
				b.WriteByte('i')
			case r >= 0x3ac && r <= 0x3ce && greekBase[r] != 0:
				b.WriteRune(greekBase[r])
			case mayFold(r) && accents[r] != "":
				b.WriteString(accents[r])
				prevLatin = true
				continue
			case prevLatin && runeIs(r, rcMn):
				continue
			default:
				b.WriteRune(r)
			}
			prevLatin = r < 0x250
		}
	}
	return append(toks, token{st, b.Len()})
}

// foldWords builds the native and latin copies of lower (of the given
// number of words) in one pass over its words, without splitWords'
// slice. Runs of separated single letters need buildLatin's look-ahead:
// at the third single letter of a run foldWords gives up (ok == false)
// and the copies are left to the general path. changed is buildLatin's:
// a latin word differs from its word.
//
// A plain word (nextPlainWord) is its own native and latin word, so it
// is written once, without appendNative's and latinWordIn's passes over
// its runes. While every latin word equals its native word (most texts
// of scripts without homoglyphs, and Latin text without leetspeak), the
// latin copy is not written at all: it is the native copy, shared (the
// same string and tokens; runRules compares the two copies' contents and
// treats equal copies as one). At the first word whose two forms differ,
// the latin copy starts as a copy of the native copy so far.
func (c *copies) foldWords(lower string, words int) (changed, ok bool) {
	var nb, lb strings.Builder
	nb.Grow(len(lower) + 1)
	// Both copies' tokens in one allocation of the words counted: each
	// half is capped, so that the other cannot be overwritten.
	toks := c.tokBuf(2 * words)
	ntoks, ltoks := toks[:0:words], toks[words:words]
	same := true // the latin copy so far is the native copy (lb and ltoks are unused)
	run := 0     // separated single letters so far (buildLatin joins three or more)
	gapStart := 0
	var fbuf [64]byte
	fb := fbuf[:0] // latinWordIn's folding
	for k, i := 0, 0; ; k++ {
		var start int
		var plain bool
		if c.haveWords { // lowerLines found lower's words
			if k == len(c.words) {
				break
			}
			start, i, plain = c.words[k].start, c.words[k].end, c.words[k].plain
		} else if start, i, plain = nextPlainWord(lower, i); start == len(lower) {
			break
		}
		w, gap := lower[start:i], start-gapStart // as splitWords splits
		gapStart = i
		var lw string
		var lwb []byte
		if plain {
			if nb.Len() > 0 {
				nb.WriteByte(' ')
			}
			st := nb.Len()
			nb.WriteString(w)
			ntoks = append(ntoks, token{st, nb.Len()})
			lw = w
		} else {
			nl, nn := nb.Len(), len(ntoks)
			ntoks = appendNative(&nb, ntoks, w)
			lw, lwb = latinWordIn(fb[:0], w)
			if lwb != nil {
				fb = lwb[:0] // keeps what it grew to
				if string(lwb) != w {
					changed = true
				}
			} else if lw != w {
				changed = true
			}
			if same {
				nw := "" // the native word, if any
				if len(ntoks) > nn {
					nw = nb.String()[ntoks[nn].start:ntoks[nn].end]
				}
				if lwb != nil && string(lwb) != nw || lwb == nil && lw != nw {
					same = false
					lb.Grow(len(lower) + 1)
					lb.WriteString(nb.String()[:nl])
					ltoks = append(ltoks, ntoks[:nn]...)
				}
			}
		}
		n := len(lw)
		if lwb != nil {
			n = len(lwb)
		}
		if n == 0 {
			continue
		}
		var one bool // the latin word is one rune
		if lwb != nil {
			one = utf8.RuneCount(lwb) == 1
		} else {
			one = len(lw) == 1 || len(lw) <= utf8.UTFMax && utf8.RuneCountInString(lw) == 1
		}
		if one {
			if run > 0 && gap <= 3 {
				run++
			} else {
				run = 1
			}
			if run >= 3 {
				return false, false
			}
		} else {
			run = 0
		}
		if same {
			continue
		}
		if lb.Len() > 0 {
			lb.WriteByte(' ')
		}
		st := lb.Len()
		if lwb != nil {
			lb.Write(lwb)
		} else {
			lb.WriteString(lw)
		}
		ltoks = append(ltoks, token{st, lb.Len()})
	}
	c.native, c.nativeToks = nb.String(), ntoks
	if same {
		c.latin, c.latinToks = c.native, c.nativeToks
	} else {
		c.latin, c.latinToks = lb.String(), ltoks
	}
	return changed, true
}

// nextPlainWord is nextWord, and reports whether the word is plain: its
// own native word (appendNative writes it unchanged) and its own latin
// word (latinWordIn returns it). A plain word holds no '@' or '$', does
// not mix digits with letters (leetWord), and holds no rune that either
// folding may change: a rune that homoglyphs or accents may map
// (mayFold; 'ё' and 'ı' are homoglyphs), a combining mark (Mn, Mc), an
// accented Greek letter or final sigma (greekBase's range in
// appendNative), a rune above the BMP, or an invalid byte.
func nextPlainWord(s string, i int) (start, end int, plain bool) {
	start = skipNonWord(s, i)
	i = start
	plain = true
	digits, letters := false, false
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z':
				letters = true
			case c >= '0' && c <= '9':
				digits = true
			case c == '@' || c == '$':
				plain = false
			default:
				return start, i, plain && !(digits && letters)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if uint32(r) < 0x10000 {
			cls := bmpClass[r]
			if cls == 0 { // not wordRune
				break
			}
			if cls&(rcMn|rcMc) != 0 || mayFold(r) || r >= 0x3ac && r <= 0x3ce || size == 1 {
				plain = false
			}
		} else {
			if !wordRune(r) {
				break
			}
			plain = false
		}
		letters = true // leetWord counts every non-ASCII byte a letter
		i += size
	}
	return start, i, plain && !(digits && letters)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// latinWord folds one word: homoglyphs, accents, combining marks, and
// leetspeak when the word mixes letters with digits or '@'/'$'.
func latinWord(w string) string {
	lw, b := latinWordIn(nil, w)
	if b != nil {
		return string(b)
	}
	return lw
}

// latinWordIn is latinWord with the rune folding done in buf: when it
// changes w and leaves no digit, '@' or '$' for leetWord (which then
// keeps the word as it is: most accented words), the folded word is
// returned as bytes appended to buf (b; lw is unset) instead of a new
// string, which foldWords copies into the latin copy (one allocation per
// accented word before); otherwise as lw (b nil).
func latinWordIn(buf []byte, w string) (lw string, b []byte) {
	if !isASCII(w) && latinFolds(w) {
		b = appendLatinFold(buf, w)
		if !hasLeetByte(b) {
			return "", b
		}
		w = string(b)
	}
	return leetWord(w), nil
}

// appendLatinFold appends w with latinWord's rune folding to b.
func appendLatinFold(b []byte, w string) []byte {
	for _, r := range w {
		if r < utf8.RuneSelf {
			b = append(b, byte(r))
		} else if !mayFold(r) {
			if !runeIs(r, rcMn|rcMc) {
				b = utf8.AppendRune(b, r)
			}
		} else if h, ok := homoglyphs[r]; ok {
			b = utf8.AppendRune(b, h)
		} else if a, ok := accents[r]; ok {
			b = append(b, a...)
		} else if !runeIs(r, rcMn|rcMc) {
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

// hasLeetByte reports whether b holds a digit, '@' or '$': without one,
// leetWord returns its word unchanged.
func hasLeetByte(b []byte) bool {
	for _, c := range b {
		if c >= '0' && c <= '9' || c == '@' || c == '$' {
			return true
		}
	}
	return false
}

// leetWord undoes leetspeak in a word whose runes latinWord has folded.
func leetWord(w string) string {
	letters, other := false, false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= utf8.RuneSelf:
			letters = true
		case c >= '0' && c <= '9' || c == '@' || c == '$':
			other = true
		}
	}
	if !other {
		return w
	}
	if !letters {
		return dropLeetSyms.Replace(w)
	}
	// Identifiers such as rot13, base64 or win10 end in two or more digits
	// after letters only; they are not leetspeak.
	k := len(w)
	for k > 0 && w[k-1] >= '0' && w[k-1] <= '9' {
		k--
	}
	if len(w)-k >= 2 && strings.IndexAny(w[:k], "0123456789@$") < 0 {
		return w
	}
	b := []byte(w)
	for i, c := range b {
		b[i] = leet(c)
	}
	return string(b)
}

// latinFolds reports whether latinWord's rune folding may change w: a
// rune that homoglyphs or accents may map, a combining mark, or an
// invalid byte (which the folding writes as U+FFFD). Most words of most
// scripts need none, and keep their string.
func latinFolds(w string) bool {
	return anyNonASCII(w, func(r rune) bool { return mayFold(r) || runeIs(r, rcMn|rcMc) })
}

// buildLatin folds words and joins runs of separated single letters. It
// overwrites toks with the folded words (and their gaps).
func buildLatin(toks []rawTok) (string, []token, bool) {
	changed := false
	n := 0
	for _, t := range toks {
		w := latinWord(t.word)
		if w != t.word {
			changed = true
		}
		if w == "" {
			continue
		}
		toks[n] = rawTok{word: w, gap: t.gap}
		n++
	}
	toks = toks[:n]
	var b strings.Builder
	size := 0
	for _, t := range toks {
		size += len(t.word) + 1
	}
	b.Grow(size)
	out := make([]token, 0, len(toks))
	emit := func(w string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		st := b.Len()
		b.WriteString(w)
		out = append(out, token{st, b.Len()})
	}
	for i := 0; i < len(toks); {
		if utf8.RuneCountInString(toks[i].word) != 1 {
			emit(toks[i].word)
			i++
			continue
		}
		j := i + 1
		for j < len(toks) && utf8.RuneCountInString(toks[j].word) == 1 && len(toks[j].gap) <= 3 {
			j++
		}
		if j-i < 3 {
			for ; i < j; i++ {
				emit(toks[i].word)
			}
			continue
		}
		for _, w := range joinLetters(toks[i:j]) {
			emit(w)
		}
		changed = true
		i = j
	}
	return b.String(), out, changed
}

// joinLetters rebuilds words from a run of single letters. The commonest
// gap between them separates letters; any other gap separates words. When
// every gap is the same, the joined run is segmented with the detector's
// vocabulary.
func joinLetters(letters []rawTok) []string {
	count := map[string]int{}
	for _, l := range letters[1:] {
		count[l.gap]++
	}
	intra, best := "", -1
	for g, n := range count {
		if n > best || n == best && len(g) < len(intra) {
			intra, best = g, n
		}
	}
	var words []string
	var cur strings.Builder
	cur.WriteString(letters[0].word)
	for _, l := range letters[1:] {
		if l.gap != intra {
			words = append(words, cur.String())
			cur.Reset()
		}
		cur.WriteString(l.word)
	}
	words = append(words, cur.String())
	if len(words) == 1 && len(words[0]) >= 8 {
		return segment(words[0])
	}
	return words
}

// segVocab is the vocabulary for segmenting joined letter runs.
var segVocab map[string]bool

// segment splits s into vocabulary words by dynamic programming,
// maximising the letters covered; unknown letters stay as one-letter
// words. If less than 70% is covered, s is returned whole.
func segment(s string) []string {
	n := len(s)
	if n > 256 || !isASCII(s) {
		return []string{s}
	}
	cover := make([]int, n+1)
	from := make([]int, n+1)
	for i := 1; i <= n; i++ {
		cover[i], from[i] = cover[i-1], i-1
		for l := 2; l <= 12 && l <= i; l++ {
			if segVocab[s[i-l:i]] && cover[i-l]+l > cover[i] {
				cover[i], from[i] = cover[i-l]+l, i-l
			}
		}
	}
	if cover[n]*10 < n*7 {
		return []string{s}
	}
	var parts []string
	for i := n; i > 0; i = from[i] {
		parts = append(parts, s[from[i]:i])
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return parts
}

// greekBase folds accented Greek letters and the final sigma, so that
// words match with or without their tonos.
var greekBase map[rune]rune

// wordRune reports whether r belongs to a word for splitWords: letters,
// digits, combining marks and the leet symbols '@' and '$'.
func wordRune(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '@' || r == '$') ||
		r >= utf8.RuneSelf && runeIs(r, rcLetter|rcDigit|rcMn|rcMc)
}

// initFoldTables builds this file's tables (called once, from ensureTables).
func initFoldTables() {
	homoglyphs = map[rune]rune{
		// Cyrillic
		'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'і': 'i', 'ї': 'i', 'ј': 'j', 'к': 'k', 'м': 'm',
		'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'ԁ': 'd',
		'һ': 'h', 'ӏ': 'l', 'ԛ': 'q', 'ԝ': 'w', 'ь': 'b', 'г': 'r', 'п': 'n', 'и': 'u', 'ш': 'w',
		'ɡ': 'g', 'ӓ': 'a', 'ӧ': 'o', 'ӱ': 'y', 'ԍ': 'g', 'ԑ': 'e', 'ү': 'y', 'ҝ': 'k',
		// Greek
		'α': 'a', 'β': 'b', 'γ': 'y', 'δ': 'd', 'ε': 'e', 'ζ': 'z', 'η': 'n', 'ι': 'i', 'κ': 'k',
		'μ': 'u', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'σ': 'o', 'ς': 'c', 'τ': 't', 'υ': 'u', 'χ': 'x',
		'ω': 'w', 'ϲ': 'c', 'ϳ': 'j', 'ί': 'i', 'ό': 'o', 'ά': 'a', 'έ': 'e', 'ύ': 'u', 'ή': 'n',
		// Armenian
		'օ': 'o', 'ս': 'u', 'ց': 'g', 'հ': 'h', 'ո': 'n', 'զ': 'q', 'ք': 'p',
		// Latin small capitals and other look-alikes
		'ı': 'i', 'ȷ': 'j', 'ɑ': 'a', 'ɩ': 'i', 'ɪ': 'i', 'ʟ': 'l', 'ɴ': 'n', 'ʀ': 'r', 'ᴏ': 'o',
		'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ɢ': 'g', 'ʜ': 'h', 'ᴊ': 'j', 'ᴋ': 'k',
		'ᴍ': 'm', 'ᴘ': 'p', 'ꜱ': 's', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z',
		'ƒ': 'f', 'ɾ': 'r', 'ʋ': 'u', 'ɛ': 'e', 'ɔ': 'c', 'ꮃ': 'w', 'ꭰ': 'a',
	}
	accents = func() map[rune]string {
		m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ł': "l", 'þ': "th", 'ð': "d", 'ħ': "h"}
		add := func(lo, hi rune) {
			for r := lo; r <= hi; r++ {
				if !unicode.IsLower(r) {
					continue
				}
				d := norm.NFD.String(string(r))
				if len(d) < 2 || d[0] >= utf8.RuneSelf || !isLetterByte(d[0]) {
					continue
				}
				ok := true
				for _, c := range d[1:] {
					if !unicode.Is(unicode.Mn, c) {
						ok = false
					}
				}
				if ok {
					m[r] = strings.ToLower(d[:1])
				}
			}
		}
		add(0xc0, 0x24f)
		add(0x1e00, 0x1eff)
		return m
	}()
	dropLeetSyms = strings.NewReplacer("@", "", "$", "")
	segVocab = func() map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.Fields(`ignore disregard forget override bypass skip previous prior above earlier
		all any the your you are now new instructions instruction rules rule prompt prompts system
		guidelines directives reveal print show send email forward tell me give list delete cancel
		refund transfer export password passwords key keys api secret secrets token tokens data customer
		customers client clients record records order orders every assistant ai model and to of with
		from this that is be do not follow obey act as developer mode admin jailbreak unrestricted
		stop being role task goal new message note reply respond output repeat include contact contacts
		emails address addresses phone numbers card details conversation history chat user users call
		tool function use run execute immediately before after everything above below in on for it them
		without telling asking tell human operator only me my our we us an a i`) {
			m[w] = true
		}
		return m
	}()
	bmpClass = buildRuneClasses()
	foldBMP = new([1024]uint64)
	for r := range homoglyphs {
		if r < 0x10000 {
			foldBMP[r>>6] |= 1 << (uint(r) & 63)
		}
	}
	for r := range accents {
		if r < 0x10000 {
			foldBMP[r>>6] |= 1 << (uint(r) & 63)
		}
	}
	lowerBMP = new([1024]uint64)
	for _, cr := range unicode.CaseRanges {
		for r := rune(cr.Lo); r <= rune(cr.Hi) && r < 0x10000; r++ {
			if unicode.ToLower(r) != r {
				lowerBMP[r>>6] |= 1 << (uint(r) & 63)
			}
		}
	}
	greekBase = map[rune]rune{'ά': 'α', 'έ': 'ε', 'ή': 'η', 'ί': 'ι', 'ό': 'ο', 'ύ': 'υ', 'ώ': 'ω', 'ϊ': 'ι', 'ϋ': 'υ', 'ΐ': 'ι', 'ΰ': 'υ', 'ς': 'σ'}
}

package sanitize

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Encoded payloads: base64, hex, percent and \u escapes, ROT13 and reversed
// text are decoded and the result is scanned like any other text. Work is
// bounded: at most maxDecoded candidates per text, each at most 64 KiB.
const (
	maxDecoded   = 12
	maxDecodeLen = 64 << 10
)

var (
	percentRE *regexp.Regexp
	uEscapeRE *regexp.Regexp
)

// Byte classes for longRuns: bytes a base64 run may hold, and bytes a hex
// run may hold (hex digits, the separators and the \x and 0x prefixes).
const (
	classB64 = 1 << iota
	classHex
	classLeetDigit  // a digit, '@' or '$' (deLeet)
	classLeetLetter // an ASCII letter or a byte of a non-ASCII rune (deLeet)
	classNonSpace   // not white space: part of a word (deLeet)
)

var decodeClass [256]uint8

// longRuns reports whether text holds 16 bytes in a row of base64 bytes
// (b64) and 16 in a row that a hex run may be made of (hex). Without the
// first no base64 run is long enough to decode; without the second
// hexRuns finds nothing (a run's eight pairs, with their separators and
// prefixes, are at least 16 bytes of that class in a row). One pass
// without a branch per byte: most texts are prose, whose words the two
// scans would otherwise each walk with unpredictable branches.
func longRuns(text string) (b64, hex bool) {
	r := classRuns(text)
	return r.b64, r.hex
}

// textRuns is what decodePass's first pass over a text finds: longRuns'
// answers, and the counts deLeet tests (leetCounts).
type textRuns struct {
	b64, hex     bool
	words, mixed int
}

// classRuns makes longRuns' and leetCounts' passes over text as one.
func classRuns(text string) textRuns {
	var nb, nh, mb, mh uint // current run lengths, and all of them or-ed
	var st uint             // the classes of the current word's bytes, or-ed
	words, mixed := 0, 0
	for i := 0; i < len(text); i++ {
		k := uint(decodeClass[text[i]])
		nb = (nb + 1) & -(k & classB64)
		nh = (nh + 1) & -(k & classHex >> 1)
		mb |= nb
		mh |= nh
		sp := (k >> 4 & 1) ^ 1       // 1 at white space
		end := sp & (st >> 4)        // 1 where white space ends a word
		mix := (st >> 2) & (st >> 3) // bit 0: a digit and a letter
		words += int(end)
		mixed += int(end & mix)
		st = (st | k) & (sp - 1) // emptied at white space
	}
	words += int(st >> 4)
	mixed += int((st >> 4) & (st >> 2) & (st >> 3) & 1)
	// A run of 16 or more sets a bit of 16 or above; runs under 16 do not.
	return textRuns{b64: mb >= 16, hex: mh >= 16, words: words, mixed: mixed}
}

func isHexByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// hexRuns returns the runs of at least eight hex-digit pairs in s, each
// pair optionally prefixed by \x or 0x and followed by one separator
// (space, colon, comma, hyphen). Separators and prefixes are dropped.
func hexRuns(s string) []string {
	var out []string
	var buf [64]byte // most runs are a word's few hex letters: no allocation
	for i := 0; i+16 <= len(s) && len(out) < maxDecoded; {
		if !isHexByte(s[i]) && s[i] != '\\' {
			i++
			continue
		}
		b := buf[:0]
		j := i
		for j < len(s) {
			k := j
			if k+1 < len(s) && (s[k] == '\\' && (s[k+1] == 'x' || s[k+1] == 'X') || s[k] == '0' && (s[k+1] == 'x' || s[k+1] == 'X')) {
				k += 2
			}
			if k+1 >= len(s) || !isHexByte(s[k]) || !isHexByte(s[k+1]) {
				break
			}
			b = append(b, s[k], s[k+1])
			j = k + 2
			if j < len(s) && (s[j] == ' ' || s[j] == ':' || s[j] == ',' || s[j] == '-') && j+1 < len(s) && (isHexByte(s[j+1]) || s[j+1] == '\\') {
				j++
			}
		}
		if len(b) >= 16 {
			out = append(out, string(b))
		}
		if j > i {
			i = j
		} else {
			i++
		}
	}
	return out
}

// texty reports whether decoded bytes read as text: valid UTF-8, mostly
// printable, with at least one run of three letters.
func texty(b []byte) bool {
	if len(b) < 6 || !utf8.Valid(b) {
		return false
	}
	n, good, run, words := 0, 0, 0, 0
	for _, r := range string(b) {
		n++
		if unicode.IsPrint(r) || r == '\n' || r == '\t' {
			good++
		}
		if unicode.IsLetter(r) {
			run++
			if run == 3 {
				words++
			}
		} else {
			run = 0
		}
	}
	return words > 0 && good*10 >= n*9
}

// decodeBase64 tries the standard and URL alphabets, padded or not.
func decodeBase64(t string) []byte {
	t = strings.TrimRight(t, "=")
	if len(t)%4 == 1 {
		t = t[:len(t)-1]
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(t); err == nil {
			return b
		}
	}
	return nil
}

func decodesToText(t string) bool { return texty(decodeBase64(t)) }

// b64Low and b64High are the bytes of the base64 alphabets (letters,
// digits, '+', '/', '=', '-', '_') below 64 and from 64 to 127, a bit
// each.
const (
	b64Low  = 1<<'+' | 1<<'-' | 1<<'/' | (1<<10-1)<<'0' | 1<<'='
	b64High = (1<<26-1)<<('A'-64) | 1<<('_'-64) | (1<<26-1)<<('a'-64)
)

// isB64Byte reports whether c is in a base64 alphabet, from a bit set
// rather than a comparison per range and byte (maskCode and the base64
// scan test every byte of the runs they walk; TestB64Bits checks every
// byte against the comparisons).
func isB64Byte(c byte) bool {
	set := uint64(b64Low)
	if c >= 64 {
		set = b64High
	}
	return c < 128 && set>>(c&63)&1 != 0
}

func rot13(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		}
	}
	return string(b)
}

// reversedKeywords are strong words written backwards.
var reversedKeywords = []string{"snoitcurtsni", "erongi", "tpmorp metsys", "drager sid", "drowssap", "laever"}

// rotWords and reverseWords, words of the latin copy, name a Caesar
// shift and reversed writing (vocabulary sets: runRules has numbered the
// copy's words when decodePass runs); reverseWordsIntl, words of the
// native copy, name reversed writing in other languages, and
// reverseMarksNoSpace in scripts written without spaces.
var rotWords, reverseWords, reverseWordsIntl bitset

// reverseMarkLeads are the first bytes of reverseMarksNoSpace (set with
// the tables: the package's initialisation does no work).
var reverseMarkLeads []byte

// leadBytes returns the distinct first bytes of subs, for hasAny.
func leadBytes(subs []string) []byte {
	var out []byte
	for _, x := range subs {
		if strings.IndexByte(string(out), x[0]) < 0 {
			out = append(out, x[0])
		}
	}
	return out
}

var reverseMarksNoSpace = []string{"倒序", "倒着", "倒過", "倒过", "反过来", "反過來", "逆序", "倒写", "倒寫", "逆から", "逆さ", "逆順", "逆に読", "後ろから", "กลับหลัง", "ย้อนกลับ", "กลับด้าน"}

// hasAny reports whether s holds one of subs (of one byte or more).
// leads are the subs' distinct first bytes: s without any of them holds
// none of subs, which a search per lead byte tells quicker than a
// search per sub (reverseMarksNoSpace: 3 lead bytes, 17 marks, all
// outside most texts).
func hasAny(s string, subs []string, leads []byte) bool {
	lead := false
	for _, b := range leads {
		if strings.IndexByte(s, b) >= 0 {
			lead = true
			break
		}
	}
	if !lead {
		return false
	}
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// mayBeSpaced reports whether the native copy holds six words in a row
// that are one letter each (with its marks), which joinSpaced needs: most
// texts are turned away without walking their runes again.
func mayBeSpaced(c *copies) bool {
	n := 0
	for _, t := range c.nativeToks {
		w := c.native[t.start:t.end]
		r, size := utf8.DecodeRuneInString(w)
		one := size == len(w)
		if !one && r >= utf8.RuneSelf && len(w) <= 12 {
			one = true // a letter and its marks, judged by joinSpaced
			for _, m := range w[size:] {
				if !runeIs(m, rcLetter|rcMn|rcMc) {
					one = false
					break
				}
			}
			one = one && utf8.RuneCountInString(w) <= 4
		}
		if !one {
			n = 0
			continue
		}
		if n++; n >= 6 {
			return true
		}
	}
	return false
}

// joinSpaced returns text with its runs of spaced-out letters joined
// ("p a d a m  s e m u a", "N.e.g.e.e.r", "返 金 を 承 認", Indic letters
// with their vowel signs), or "" when it has none. A run is at least six
// words of one letter each (a letter with its combining marks; after a
// virama, the next letter too), each gap only spaces, dots, hyphens,
// underscores or middle dots; the commonest gap separates letters, any
// other separates words. Linear in the text.
func joinSpaced(text string) string {
	type word struct{ start, end int }
	var (
		b     strings.Builder
		run   []word
		last  int
		found bool
	)
	flush := func() {
		defer func() { run = run[:0] }()
		if len(run) < 6 {
			return
		}
		count := map[string]int{}
		for k := 1; k < len(run); k++ {
			count[text[run[k-1].end:run[k].start]]++
		}
		intra, best := "", 0
		for g, n := range count {
			if n > best || n == best && g < intra {
				intra, best = g, n
			}
		}
		if best*2 < len(run)-1 {
			return // gaps of every kind: a list, not spaced-out words
		}
		found = true
		b.WriteString(text[last:run[0].start])
		for k, w := range run {
			if k > 0 && text[run[k-1].end:w.start] != intra {
				b.WriteByte(' ')
			}
			b.WriteString(text[w.start:w.end])
		}
		last = run[len(run)-1].end
	}
	isSep := func(r rune) bool {
		return r == ' ' || r == '.' || r == '-' || r == '_' || r == '\u00b7' || r == '\u30fb'
	}
	prevEnd := -1 // end of the previous word, -1 before the first
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !runeIs(r, rcLetter) {
			i += n
			continue
		}
		// A word: letters and marks. It is one letter when, after the
		// first letter, only marks follow (and a letter after a virama).
		start, j, letters := i, i+n, 1
		for j < len(text) {
			m, k := utf8.DecodeRuneInString(text[j:])
			if runeIs(m, rcMn|rcMc) {
				j += k
				if isVirama(m) && j < len(text) {
					if nx, k2 := utf8.DecodeRuneInString(text[j:]); runeIs(nx, rcLetter) {
						j += k2
					}
				}
				continue
			}
			if !runeIs(m, rcLetter) {
				break
			}
			letters++
			j += k
		}
		gapOK := prevEnd >= 0 && start-prevEnd <= 4 && strings.IndexFunc(text[prevEnd:start], func(c rune) bool { return !isSep(c) }) < 0
		if letters != 1 || !gapOK {
			flush()
		}
		if letters == 1 {
			run = append(run, word{start, j})
		}
		prevEnd = j
		i = j
	}
	flush()
	if !found {
		return ""
	}
	b.WriteString(text[last:])
	return b.String()
}

// decodePass finds encoded runs in text, decodes them and scans the
// results one level deeper. Each decoded text that is instruction-like adds
// the encoded_payload signal.
func decodePass(text string, c *copies, depth int, f *findings) {
	var cands []string
	addCand := func(s string) {
		if len(cands) < maxDecoded && len(s) <= maxDecodeLen {
			cands = append(cands, s)
		}
	}
	proseDecoded := false
	runs := classRuns(text)
	longB64, longHex := runs.b64, runs.hex
	// base64 runs of 16+ characters
	for i := 0; longB64 && i < len(text) && len(cands) < maxDecoded; {
		if !isB64Byte(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isB64Byte(text[j]) {
			j++
		}
		if j-i >= 16 {
			// '=' is padding, but "key=value" glues a prefix on: try the
			// pieces between '=' signs too.
			for _, run := range strings.Split(text[i:j], "=") {
				if len(run) < 16 || allHex(run) {
					continue
				}
				if b := decodeBase64(run); texty(b) {
					addCand(string(b))
					if isProse(string(b)) {
						proseDecoded = true
					}
				}
			}
		}
		i = j
	}
	// hex, with or without separators
	if longHex {
		for _, h := range hexRuns(text) {
			if b, err := hex.DecodeString(h); err == nil && texty(b) {
				addCand(string(b))
				if isProse(string(b)) {
					proseDecoded = true
				}
			}
		}
	}
	if strings.IndexByte(text, '%') >= 0 && percentRE.MatchString(text) {
		if u, err := url.PathUnescape(strings.ReplaceAll(text, "+", " ")); err == nil && u != text {
			addCand(u)
		} else if u, err := url.QueryUnescape(text); err == nil && u != text {
			addCand(u)
		}
	}
	if strings.Contains(text, `\u`) {
		if loc := uEscapeRE.FindAllString(text, maxDecoded); loc != nil {
			for _, m := range loc {
				if u, err := strconv.Unquote(`"` + m + `"`); err == nil {
					addCand(u)
				}
			}
		}
	}
	lat := c.latin
	if namesROT13(c.native) || c.hasCue(cueRot) {
		addCand(rot13(text))
	}
	rev := c.hasCue(cueReverse|cueReverseIntl) || hasAny(c.native, reverseMarksNoSpace, reverseMarkLeads)
	if !rev {
		var pairs bigrams
		pairs.add(lat)
		for _, k := range reversedKeywords {
			if pairs.mayHold(k) && strings.Contains(lat, k) {
				rev = true
				break
			}
		}
	}
	if rev {
		addCand(reverseRunes(text))
		// Also each line reversed on its own.
		if strings.IndexByte(text, '\n') >= 0 {
			lines := strings.Split(text, "\n")
			for i, l := range lines {
				lines[i] = reverseRunes(l)
			}
			addCand(strings.Join(lines, "\n"))
		}
	}
	for _, cand := range rotN(text) {
		addCand(cand)
	}
	if strings.Contains(text, "0100") || strings.Contains(text, "0110") {
		if b := decodeBinary(text); b != "" {
			addCand(b)
		}
	}
	// Joining keeps at least a fifth of the text (a letter per gap of at
	// most four bytes): beyond five times maxDecodeLen the result would
	// be too long to scan anyway.
	if len(text) <= 5*maxDecodeLen && mayBeSpaced(c) {
		if j := joinSpaced(text); j != "" {
			addCand(j)
		}
	}
	if l := deLeetCounted(text, runs); l != "" {
		addCand(l)
	}
	if morseLike(text) {
		if m := decodeMorse(text); m != "" {
			addCand(m)
		}
	}
	for _, cand := range cands {
		in := scan(cand, depth+1)
		if in.total >= 0.5 {
			f.addPseudo(pEncoded, clsEncoded, 1, "encoded_instructions")
			f.absorb(in)
		}
	}
	if proseDecoded {
		f.addPseudo(pEncodedText, clsEncoded, 0.3, "encoded_prose")
	}
	if depth == 0 {
		f.decoded = cands
	}
}

// commonWords are frequent English words: a line without any that turns
// into several under a Caesar shift was shifted.
var commonWords map[string]bool

// commonStart marks the first two letters (a-z, as 26*a+b) of the common
// words of two letters or more, and commonOne the one-letter ones: a
// word whose start is not marked is not looked up.
var (
	commonStart *[26 * 26]bool
	commonOne   [26]bool
)

// isCommonShifted reports whether the ASCII letters w, lower-cased and
// shifted by shift letters, are a common word. The rest of the word is
// shifted (into buf, of at least len(w) bytes) only when its first two
// letters start a common word.
func isCommonShifted(w string, shift byte, buf []byte) bool {
	rot := func(c byte) byte { return 'a' + ((c|0x20)-'a'+shift)%26 }
	switch len(w) {
	case 0:
		return false
	case 1:
		return commonOne[rot(w[0])-'a']
	}
	b0, b1 := rot(w[0]), rot(w[1])
	if !commonStart[int(b0-'a')*26+int(b1-'a')] {
		return false
	}
	b := buf[:len(w)]
	b[0], b[1] = b0, b1
	for k := 2; k < len(w); k++ {
		b[k] = rot(w[k])
	}
	return commonWords[string(b)]
}

// rotN returns the lines of text (at most 16 KiB of them) that read as
// English under a Caesar shift other than 13 (ROT13 is decoded when the
// text names it), shifted back. Only ASCII lines of four words or more
// without a common English word are tried, on their first 16 words.
func rotN(text string) []string {
	var out []string
	budget := 16 << 10
	var buf [24]byte
	for len(text) > 0 && budget > 0 && len(out) < 4 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if len(line) > 2048 {
			line = line[:2048]
		}
		budget -= len(line)
		// The line's words; it is passed over at its first non-ASCII
		// byte or common word (plain: not shifted), whichever comes first.
		var words [16]string
		n, skip := 0, false
		for i := 0; i < len(line) && n < len(words) && !skip; {
			c := line[i]
			if c >= 0x80 {
				skip = true
				break
			}
			if !isLetterByte(c) {
				i++
				continue
			}
			j := i
			for j < len(line) && isLetterByte(line[j]) {
				j++
			}
			if j-i <= len(buf) {
				words[n] = line[i:j]
				n++
				skip = isCommonShifted(line[i:j], 0, buf[:])
			}
			i = j
		}
		if skip || n < 4 {
			continue
		}
		// Only the shifts that turn the most frequent letter into one of
		// the eight most frequent English letters are tried.
		var hist [26]int
		top := 0
		for _, w := range words[:n] {
			for k := 0; k < len(w); k++ {
				c := (w[k] | 0x20) - 'a'
				hist[c]++
				if hist[c] > hist[top] {
					top = int(c)
				}
			}
		}
		for _, target := range []int{'e' - 'a', 't' - 'a', 'a' - 'a', 'o' - 'a', 'i' - 'a', 'n' - 'a', 's' - 'a', 'r' - 'a'} {
			shift := (target - top + 26) % 26
			if shift == 0 {
				continue
			}
			hits := 0
			for _, w := range words[:n] {
				if isCommonShifted(w, byte(shift), buf[:]) {
					hits++
				}
			}
			if hits >= 3 && hits*10 >= n*3 {
				out = append(out, shiftWord(line, shift))
				break
			}
		}
	}
	return out
}

// namesROT13 reports whether s holds "rot13" or "rot 13" (one search
// for "rot" instead of one per spelling).
func namesROT13(s string) bool {
	for {
		k := strings.Index(s, "rot")
		if k < 0 {
			return false
		}
		s = s[k+3:]
		if strings.HasPrefix(s, "13") || strings.HasPrefix(s, " 13") {
			return true
		}
	}
}

func shiftWord(s string, n int) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return 'a' + (r-'a'+rune(n))%26
		case r >= 'A' && r <= 'Z':
			return 'A' + (r-'A'+rune(n))%26
		}
		return r
	}, s)
}

var morseTable map[string]byte

var morseDots *strings.Replacer

// morseLike reports whether text holds eight Morse letters in a row (ASCII
// dots and dashes separated by spaces or slashes), without allocating.
// It goes from one run of dots and dashes to the next (found with
// IndexByte, each position looked for again only once passed) and reads
// of the bytes in between only as far as the first that is not a space
// or a slash, which ends the letters in a row: prose holds dots and
// dashes all along, and a loop over every byte took 3% of a cold pass
// over 1.7 KB texts. TestMorseLike compares it with that loop.
func morseLike(text string) bool {
	if strings.Count(text, ".")+strings.Count(text, "-") < 8 {
		return false // eight Morse letters take eight dots or dashes at least
	}
	nextDot, nextDash := -1, -1 // next '.' and '-' at or after i; -1 once none is left
	if k := strings.IndexByte(text, '.'); k >= 0 {
		nextDot = k
	}
	if k := strings.IndexByte(text, '-'); k >= 0 {
		nextDash = k
	}
	run, prevEnd := 0, 0
	for i := 0; ; {
		if nextDot >= 0 && nextDot < i {
			nextDot = -1
			if k := strings.IndexByte(text[i:], '.'); k >= 0 {
				nextDot = i + k
			}
		}
		if nextDash >= 0 && nextDash < i {
			nextDash = -1
			if k := strings.IndexByte(text[i:], '-'); k >= 0 {
				nextDash = i + k
			}
		}
		switch {
		case nextDot < 0 && nextDash < 0:
			return false
		case nextDot < 0:
			i = nextDash
		case nextDash < 0:
			i = nextDot
		default:
			i = min(nextDot, nextDash)
		}
		// A byte between the last run and this one that is not a space
		// or a slash ends the letters in a row.
		for k := prevEnd; k < i; k++ {
			if c := text[k]; c != ' ' && c != '/' {
				run = 0
				break
			}
		}
		j := i
		for j < len(text) && (text[j] == '.' || text[j] == '-') {
			j++
		}
		if j-i <= 6 && (i == 0 || text[i-1] == ' ' || text[i-1] == '/') && (j == len(text) || text[j] == ' ' || text[j] == '/') {
			run++
			if run >= 8 {
				return true
			}
		} else {
			run = 0
		}
		i, prevEnd = j, j
	}
}

// decodeMorse decodes the longest run of Morse code in text (letters
// separated by spaces, words by '/' or three spaces), or returns "".
func decodeMorse(text string) string {
	var b, best strings.Builder
	letters, bestLetters := 0, 0
	flush := func() {
		if letters > bestLetters {
			bestLetters = letters
			best.Reset()
			best.WriteString(b.String())
		}
		b.Reset()
		letters = 0
	}
	for _, f := range strings.Fields(morseDots.Replace(text)) {
		if f == "/" || f == "|" {
			b.WriteByte(' ')
			continue
		}
		if c, ok := morseTable[f]; ok {
			b.WriteByte(c)
			letters++
			continue
		}
		flush()
	}
	flush()
	if bestLetters < 8 {
		return ""
	}
	return best.String()
}

// decodeBinary decodes the longest run of 8-bit binary groups ("01001001
// 01100111 ...", separated by spaces) of at least six bytes, or returns "".
func decodeBinary(text string) string {
	var cur, best []byte
	for _, f := range strings.Fields(text) {
		if len(f) == 8 && strings.Trim(f, "01") == "" {
			v := byte(0)
			for i := 0; i < 8; i++ {
				v = v<<1 | (f[i] - '0')
			}
			cur = append(cur, v)
			continue
		}
		if len(cur) > len(best) {
			best = cur
		}
		cur = nil
	}
	if len(cur) > len(best) {
		best = cur
	}
	if len(best) < 6 || !texty(best) {
		return ""
	}
	return string(best)
}

// initDecodeTables builds this file's tables (called once, from ensureTables).
func initDecodeTables() {
	rotWords = wordSet("caesar rot")
	reverseWords = wordSet("reverse reversed backwards backward mirrored")
	// "read it backwards" in other languages, native-copy forms (lower
	// case, Latin accents removed).
	reverseWordsIntl = wordSet("envers inversee inverse rebours ruckwarts umgekehrt umgedreht spiegelverkehrt invertido invertida invertidos " +
		"invertito invertita rovescio espelhado achterstevoren omgekeerd omgedraaid gespiegeld gespiegelde baklanges omvand baglaens baklengs " +
		"takaperin wspak odwrotnie pozpatku obracene odzadu visszafele invers inversat inversata tersten tersine terbalik dibalik " +
		"baligtad pabaligtad kinyume задом перевернутый перевернуто перевернутом навпаки задкинапред αναποδα ανάποδα αντίστροφα αντιστροφα " +
		"הפוך בהיפוך מהסוף معكوس معكوسة بالعكس برعکس وارونه उल्टा उल्टे उलटा उलटे উল্টো উল্টা الٹا الٹی الٹے 거꾸로 뒤집어")
	reverseMarkLeads = leadBytes(reverseMarksNoSpace)
	percentRE = regexp.MustCompile(`(?:%[0-9a-fA-F]{2}){4,}`)
	uEscapeRE = regexp.MustCompile(`(?:\\u[0-9a-fA-F]{4}){4,}`)
	commonWords = map[string]bool{"the": true, "and": true, "to": true, "of": true, "all": true, "you": true, "your": true,
		"a": true, "is": true, "for": true, "this": true, "in": true, "send": true, "ignore": true, "previous": true,
		"instructions": true, "customer": true, "customers": true, "data": true, "list": true, "rules": true, "now": true,
		"reveal": true, "export": true, "forward": true, "password": true, "system": true, "prompt": true, "it": true}
	commonStart = new([26 * 26]bool)
	for w := range commonWords {
		if strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			continue // never looked up: rotN's words are letters
		}
		if len(w) == 1 {
			commonOne[w[0]-'a'] = true
		} else {
			commonStart[int(w[0]-'a')*26+int(w[1]-'a')] = true
		}
	}
	morseTable = map[string]byte{
		".-": 'a', "-...": 'b', "-.-.": 'c', "-..": 'd', ".": 'e', "..-.": 'f', "--.": 'g', "....": 'h', "..": 'i', ".---": 'j',
		"-.-": 'k', ".-..": 'l', "--": 'm', "-.": 'n', "---": 'o', ".--.": 'p', "--.-": 'q', ".-.": 'r', "...": 's', "-": 't',
		"..-": 'u', "...-": 'v', ".--": 'w', "-..-": 'x', "-.--": 'y', "--..": 'z', "-----": '0', ".----": '1', "..---": '2',
		"...--": '3', "....-": '4', ".....": '5', "-....": '6', "--...": '7', "---..": '8', "----.": '9',
	}
	for c := 0; c < 256; c++ {
		if isB64Byte(byte(c)) {
			decodeClass[c] |= classB64
		}
		if isHexByte(byte(c)) || strings.IndexByte(` :,-\xX`, byte(c)) >= 0 {
			decodeClass[c] |= classHex
		}
		if b := byte(c); b >= '0' && b <= '9' || b == '@' || b == '$' {
			decodeClass[c] |= classLeetDigit
		}
		if b := byte(c); b|0x20 >= 'a' && b|0x20 <= 'z' || b >= utf8.RuneSelf {
			decodeClass[c] |= classLeetLetter
		}
		if !isSpaceByte(byte(c)) {
			decodeClass[c] |= classNonSpace
		}
	}
	morseDots = strings.NewReplacer("·", ".", "•", ".", "−", "-", "–", "-", "—", "-", "_", "-")
}

// leetCounts returns the number of words of text (runs of bytes other
// than white space) and of those among them that mix letters (ASCII, or
// any byte of a non-ASCII rune) with digits, '@' or '$': what deLeet's
// test needs. One pass without a branch per byte (decodeClass), made
// with longRuns' (classRuns): deLeet runs on every text, and a loop per
// word with a test per class of byte mispredicted at every word's end
// and at its digits (TestLeetCounts compares it with that loop).
func leetCounts(text string) (words, mixed int) {
	r := classRuns(text)
	return r.words, r.mixed
}

// minLeetWords is how many words deLeet must change: a text with an
// ordinal ("2nd") or a code ("A4") is not leetspeak.
const minLeetWords = 3

// deLeet returns text with every word that mixes letters with digits,
// '@' or '$' undone as leetWord does ("1gn0r3 y0ur pr3v10u5" → "ignore
// your previous"; "ru135" stays, read as an identifier), lower-cased, when at least minLeetWords words and a quarter
// of the words change; else "". The rules read leetspeak in the folded
// copies already; as a decoded variant the learned model reads it too
// (digits read 0 to the model, and a word with a digit is no word to
// TooFewWords: it did not judge such texts). Linear; no allocation
// unless the text is leetspeak.
func deLeet(text string) string {
	return deLeetCounted(text, classRuns(text))
}

// deLeetCounted is deLeet with the words of text counted (classRuns).
func deLeetCounted(text string, r textRuns) string {
	if r.mixed < minLeetWords || 4*r.mixed < r.words {
		return ""
	}
	var b strings.Builder
	b.Grow(len(text))
	changed := 0
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && !isSpaceByte(text[j]) {
			j++
		}
		if j == i {
			b.WriteByte(text[i])
			i++
			continue
		}
		w := strings.ToLower(text[i:j])
		l := leetWord(w)
		if l != w {
			changed++
		}
		b.WriteString(l)
		i = j
	}
	if changed < minLeetWords {
		return ""
	}
	return b.String()
}

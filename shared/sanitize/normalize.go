package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsInvisible reports whether r is a character that Text always removes:
// control characters other than '\n' and '\t', the Unicode tag block,
// zero-width and bidi controls, variation selectors, invisible fillers and
// every other format (Cf) character. No such rune survives in Result.Text.
func IsInvisible(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\n' && r != '\t'
	case r < 0x7f:
		return false
	case r <= 0x9f: // DEL and C1 controls
		return true
	case r < 0xad:
		return false
	}
	switch r {
	case 0x00ad, // soft hyphen
		0x034f,         // combining grapheme joiner
		0x061c,         // Arabic letter mark
		0x115f, 0x1160, // Hangul choseong/jungseong fillers
		0x17b4, 0x17b5, // Khmer inherent vowels (render as nothing)
		0x180e,         // Mongolian vowel separator
		0x3164, 0xffa0, // Hangul fillers
		0xfeff, // BOM / zero-width no-break space
		0x2028, 0x2029:
		return true
	}
	switch {
	case r >= 0x180b && r <= 0x180f: // Mongolian free variation selectors
		return true
	case r >= 0x200b && r <= 0x200f: // ZWSP, ZWNJ, ZWJ, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // bidi embeddings and overrides
		return true
	case r >= 0x2060 && r <= 0x206f: // word joiner, invisible operators, bidi isolates, deprecated format
		return true
	case r >= 0xfe00 && r <= 0xfe0f: // variation selectors 1-16
		return true
	case r >= 0xfff0 && r <= 0xfffb: // specials incl. interlinear annotation
		return true
	case r >= 0x1d173 && r <= 0x1d17a: // musical formatting controls
		return true
	case r >= 0xe0000 && r <= 0xe0fff: // tags, variation selectors 17-256, reserved
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// normResult is the outcome of steps 1 and 2: the cleaned text and what the
// removed characters carried.
type normResult struct {
	text    string
	removed int
	// tagText is ASCII decoded from Unicode tag characters; runs are
	// separated by '\n'. tagLoose counts decoded tag characters that were
	// not part of an emoji flag sequence (black flag + tags + cancel tag).
	tagText  string
	tagLoose int
	// vsText holds the bytes decoded from runs of at least four variation
	// selectors (the "emoji smuggling" encoding); vsRun is the longest run.
	vsText string
	vsRun  int
	// zwRun is the longest run of consecutive zero-width characters.
	zwRun int
	// reversed holds text that followed a right-to-left override, reversed
	// into the order a reader sees it.
	reversed []string
	nonASCII bool
	// kept is set when legitimate format characters were kept (joiners
	// in words and emoji, single variation selectors, subdivision flags,
	// LRM/RLM, soft hyphens): detection strips them from its input.
	kept bool
	// controls counts terminal escape sequences and bidi embeddings,
	// overrides and unbalanced isolates removed: text they hid or
	// reordered is revealed by removing them.
	controls int
}

// plainASCII reports whether s holds only printable ASCII, '\n' and '\t':
// then normalization has nothing to do.
func plainASCII(s string) bool { return asciiPrefix(s) == len(s) }

// asciiPrefix returns the length of the longest prefix of s that holds
// only printable ASCII, '\n' and '\t'.
func asciiPrefix(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x7f || (c < 0x20 && c != '\n' && c != '\t') {
			return i
		}
	}
	return len(s)
}

// normalize performs steps 1 and 2: invalid UTF-8 becomes U+FFFD, control
// characters and terminal escape sequences go, CRLF and lone CR become LF,
// and invisible characters are removed while what they smuggled is decoded
// for the detector.
func normalize(s string) normResult {
	i := asciiPrefix(s)
	if i == len(s) {
		return normResult{text: s}
	}
	// s[:i] is printable ASCII, '\n' and '\t', which quietText passes
	// over as it is: it starts at s[i], a rune's first byte.
	if quietText(s[i:]) {
		// The loop below would write every rune as it is and note
		// nothing but the non-ASCII: most non-ASCII text keeps its
		// string (TestQuietText compares the two).
		return normResult{text: s, nonASCII: true}
	}
	return normalizeRunes(s)
}

// quietText reports whether normalize leaves s as it is: s holds no
// control character but '\n' and '\t', no invalid UTF-8, no invisible
// rune (IsInvisible: what the loop removes, keeps as format characters or
// decodes) and no waving black flag (which may start a flag sequence
// whose tags are kept). Every other rune is written unchanged.
func quietText(s string) bool { return quietTextLeads(s, true) }

// quietTextLeads is quietText; without leads it decodes and tests every
// non-ASCII rune, as quietText did before quietLead2 and quietLead3
// (TestQuietLeads compares the two).
func quietTextLeads(s string, leads bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		// A rune of two or three bytes whose first bytes no invisible
		// rune starts with (quietLeads) is valid and kept: most
		// non-ASCII text is of such runes, which IsInvisible's search
		// of the format characters (unicode.Cf) tested one by one.
		if !leads {
			// the rune is decoded and tested below
		} else if i+1 < len(s) && c&0xe0 == 0xc0 && s[i+1]&0xc0 == 0x80 && quietLead2[c&31] {
			i += 2
			continue
		} else if i+2 < len(s) && c&0xf0 == 0xe0 && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80 && quietLead3[int(c&15)<<6|int(s[i+1]&63)] {
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == 0x1f3f4 || IsInvisible(r) {
			return false
		}
		i += size
	}
	return true
}

// quietLead2 is set for the lead bytes 0xc0 to 0xdf (by their low five
// bits) that start valid two-byte runes none of which is invisible, and
// quietLead3 for the lead bytes 0xe0 to 0xef and second bytes (by their
// low four and six bits) that start valid three-byte runes none of which
// is invisible or U+FFFD (overlong forms and surrogates are not set).
// Filled by initNormalizeTables; unset they send every rune to the test
// they replace. TestQuietLeads checks every rune they pass against it.
var (
	quietLead2 [32]bool
	quietLead3 [16 << 6]bool
)

// initNormalizeTables fills quietLead2 and quietLead3 from IsInvisible,
// over the runes of two and three bytes.
func initNormalizeTables() {
	var bad2 [32]bool
	var seen3, bad3 [16 << 6]bool
	var b [utf8.UTFMax]byte
	for r := rune(0x80); r <= 0xffff; r++ {
		n := utf8.EncodeRune(b[:], r)
		bad := !utf8.ValidRune(r) || r == utf8.RuneError || IsInvisible(r)
		switch n {
		case 2:
			bad2[b[0]&31] = bad2[b[0]&31] || bad
		case 3:
			k := int(b[0]&15)<<6 | int(b[1]&63)
			seen3[k] = true
			bad3[k] = bad3[k] || bad
		}
	}
	for k := range quietLead2 {
		quietLead2[k] = k >= 2 && !bad2[k] // 0xc0 and 0xc1 start overlong forms
	}
	for k := range quietLead3 {
		quietLead3[k] = seen3[k] && !bad3[k]
	}
}

// normalizeRunes is normalize for text that is not plain ASCII.
func normalizeRunes(s string) normResult {
	var (
		res      normResult
		b        strings.Builder
		tags     []byte
		vs       []byte
		vsBuf    []byte
		zw       int
		inFlag   bool // inside an emoji tag sequence (after U+1F3F4)
		flagTags int
		rloStart = -1
	)
	b.Grow(len(s))
	flushVS := func() {
		if len(vsBuf) > res.vsRun {
			res.vsRun = len(vsBuf)
		}
		if len(vsBuf) >= 4 {
			vs = append(vs, vsBuf...)
			vs = append(vs, '\n')
		}
		vsBuf = vsBuf[:0]
	}
	endRLO := func() {
		if rloStart >= 0 {
			seg := b.String()[rloStart:]
			if strings.TrimSpace(seg) != "" {
				res.reversed = append(res.reversed, reverseRunes(seg))
			}
			rloStart = -1
		}
	}
	// prevKept: the previous input rune was written and is not white
	// space; prevRune is that rune. They decide whether a joiner,
	// variation selector or soft hyphen belongs to the text around it.
	prevKept, prevRune, prevRemoved := false, rune(0), false
	isoOpen, embOpen := 0, 0 // kept bidi isolates and embeddings not yet closed
	bidiKeep := balancedBidi(s)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			prevKept, prevRune = c > ' ' && c != 0x7f, rune(c)
			prevRemoved = c < 0x20 && c != '\n' && c != '\t' || c == 0x7f
			if len(vsBuf) > 0 {
				flushVS()
			}
			zw = 0
			switch {
			case c == '\n' || c == '\t':
				if c == '\n' {
					endRLO()
					isoOpen, embOpen = 0, 0
				}
				b.WriteByte(c)
			case c == '\r':
				if i+1 < len(s) && s[i+1] == '\n' {
					res.removed++
				} else {
					endRLO()
					b.WriteByte('\n')
				}
			case c == 0x1b:
				res.controls++
				j := skipEscape(s, i)
				res.removed += utf8.RuneCountInString(s[i:j])
				i = j
				continue
			case c < 0x20 || c == 0x7f:
				res.removed++
			default:
				b.WriteByte(c)
			}
			inFlag = false
			i++
			continue
		}
		res.nonASCII = true
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
			inFlag = false
			// What follows follows U+FFFD, not the character before the
			// invalid byte (an ideographic variation selector after it is
			// not kept).
			prevKept, prevRune, prevRemoved = true, utf8.RuneError, false
			continue
		}
		isVS := (r >= 0xfe00 && r <= 0xfe0f) || (r >= 0xe0100 && r <= 0xe01ef)
		if !isVS && len(vsBuf) > 0 {
			flushVS()
		}
		if !IsInvisible(r) {
			zw = 0
			// A waving black flag starts a subdivision flag sequence: a
			// valid one (England, Scotland, Wales) is kept whole.
			inFlag, flagTags = r == 0x1f3f4, 0
			b.WriteRune(r)
			prevKept, prevRune, prevRemoved = !unicode.IsSpace(r), r, false
			if r == 0x1f3f4 {
				if e := flagEnd(s, i); e > i {
					b.WriteString(s[i:e])
					i = e
					inFlag = false
					res.kept = true
				}
			}
			continue
		}
		if (r >= 0x2066 && r <= 0x2068 || r == 0x202a || r == 0x202b) && bidiKeep[i-size] || r == 0x2069 && isoOpen > 0 || r == 0x202c && embOpen > 0 {
			// A balanced bidi isolate or embedding on one line (an order
			// number in Hebrew or Arabic text) is kept; overrides never are.
			switch r {
			case 0x2069:
				isoOpen--
			case 0x202c:
				embOpen--
			case 0x202a, 0x202b:
				embOpen++
			default:
				isoOpen++
			}
			b.WriteRune(r)
			res.kept = true
			continue
		}
		if isMark(r) && markRun(s, i-size, i) <= 2 || !isMark(r) && !prevRemoved && keepFormat(r, prevKept, prevRune, s[i:]) {
			b.WriteRune(r)
			res.kept = true
			prevRune = r
			continue
		}
		prevKept, prevRemoved = false, true
		res.removed++
		switch {
		case r == 0x9b: // C1 CSI: skip its parameters like ESC [
			j := i
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
				j++
			}
			if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
				j++
			}
			res.removed += j - i
			i = j
		case r == 0x2028 || r == 0x2029:
			res.removed--
			endRLO()
			b.WriteByte('\n')
		case r >= 0xe0000 && r <= 0xe007f:
			if r >= 0xe0020 && r <= 0xe007e {
				tags = append(tags, byte(r-0xe0000))
				switch {
				case !inFlag:
					res.tagLoose++
				case flagTags == 7: // real subdivision flags are short
					res.tagLoose += 8
				case flagTags > 7:
					res.tagLoose++
				}
				flagTags++
			} else if r == 0xe007f { // cancel tag ends a flag sequence
				inFlag = false
				tags = append(tags, '\n')
			}
		case isVS:
			if r <= 0xfe0f {
				vsBuf = append(vsBuf, byte(r-0xfe00))
			} else {
				vsBuf = append(vsBuf, byte(r-0xe0100+16))
			}
		case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			res.controls++
			if r == 0x202e { // RLO: what follows is shown reversed
				endRLO()
				rloStart = b.Len()
			} else {
				endRLO()
			}
		case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff, r == 0x00ad, r == 0x180e:
			zw++
			if zw > res.zwRun {
				res.zwRun = zw
			}
		}
	}
	if len(vsBuf) > 0 {
		flushVS()
	}
	endRLO()
	res.text = b.String()
	if len(tags) > 0 {
		res.tagText = string(tags)
	}
	if len(vs) > 0 {
		res.vsText = strings.ToValidUTF8(string(vs), "")
	}
	return res
}

// skipEscape returns the index just past the terminal escape sequence that
// starts with ESC at s[i] (ECMA-48: CSI, OSC/DCS/SOS/PM/APC strings, nF and
// two-byte sequences). String sequences end at BEL, ST or a newline.
func skipEscape(s string, i int) int {
	if i+1 >= len(s) {
		return i + 1
	}
	c := s[i+1]
	switch {
	case c == '[':
		j := i + 2
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
			j++
		}
		if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
			j++
		}
		return j
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		j := i + 2
		for j < len(s) {
			switch {
			case s[j] == 0x07:
				return j + 1
			case s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\':
				return j + 2
			case s[j] == '\n':
				return j
			}
			j++
		}
		return j
	case c >= 0x20 && c <= 0x2f:
		j := i + 1
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
			j++
		}
		return j
	case c >= 0x30 && c <= 0x7e:
		return i + 2
	}
	return i + 1
}

func reverseRunes(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// flagEnd returns the index just past a valid emoji subdivision flag's tag
// sequence starting at s[i] (after U+1F3F4): two to seven tag letters or
// digits and a cancel tag. It returns i when there is none.
func flagEnd(s string, i int) int {
	j, n := i, 0
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case r >= 0xe0061 && r <= 0xe007a || r >= 0xe0030 && r <= 0xe0039:
			n++
			j += size
			continue
		case r == 0xe007f && n >= 2 && n <= 7:
			return j + size
		}
		break
	}
	return i
}

func isVariationSelector(r rune) bool {
	return r >= 0xfe00 && r <= 0xfe0f || r >= 0xe0100 && r <= 0xe01ef
}

// keepFormat reports whether the format character r belongs to the text
// around it and is kept: ZWJ/ZWNJ between two visible characters (not
// both ASCII: Persian, Indic scripts, emoji sequences), a single VS15/VS16
// after an emoji-capable character, a single other variation selector
// after a non-ASCII character (VS17+ after an ideograph only), a soft
// hyphen inside a word, LRM/RLM/ALM. rest is the input after r. Runs of
// them, and the same characters anywhere else, are removed (the caller
// never keeps one right after a removed character).
func keepFormat(r rune, prevKept bool, prev rune, rest string) bool {
	next, _ := utf8.DecodeRuneInString(rest)
	if rest == "" {
		next = 0
	}
	switch {
	case r == 0x200c || r == 0x200d:
		if !prevKept || isVariationSelector(prev) && prev > 0xfe0f || prev == 0x200c || prev == 0x200d {
			return false
		}
		if isVirama(prev) {
			// Indic conjuncts and chillus: the joiner may end the word.
			return true
		}
		if next <= ' ' || IsInvisible(next) || unicode.IsSpace(next) {
			return false
		}
		return prev >= utf8.RuneSelf || next >= utf8.RuneSelf
	case r == 0x00ad:
		return prevKept && unicode.IsLetter(prev) && unicode.IsLetter(next)
	case r == 0x200b:
		// Thai, Lao, Khmer and Myanmar mark word boundaries with ZWSP.
		return prevKept && noSpaceSEA(prev) && noSpaceSEA(next)
	case r == 0xfe0e || r == 0xfe0f:
		if !prevKept || isVariationSelector(next) || isVariationSelector(prev) || prev == 0x200d || prev == 0x200c {
			return false
		}
		return prev >= 0x80 && !unicode.IsLetter(prev) || prev >= '0' && prev <= '9' || prev == '#' || prev == '*' || unicode.Is(unicode.Han, prev)
	case r >= 0xfe00 && r <= 0xfe0d:
		return prevKept && prev >= 0x80 && !isVariationSelector(prev) && prev != 0x200d && prev != 0x200c && !isVariationSelector(next)
	case r >= 0xe0100 && r <= 0xe01ef:
		return prevKept && unicode.Is(unicode.Han, prev) && !isVariationSelector(next)
	}
	return false
}

// isMark reports whether r is LRM, RLM or ALM.
func isMark(r rune) bool { return r == 0x200e || r == 0x200f || r == 0x061c }

// markRun returns the length (up to 5) of the run of LRM/RLM/ALM marks
// around the one at s[start:end]. Text keeps a mark or two ("\u200f\u200e"
// where a number meets right-to-left text); longer runs carry bits.
func markRun(s string, start, end int) int {
	n := 1
	for j := start; j > 0 && n < 5; {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		if !isMark(r) {
			break
		}
		n++
		j -= size
	}
	for j := end; j < len(s) && n < 5; {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isMark(r) {
			break
		}
		n++
		j += size
	}
	return n
}

// stripKept removes the format characters normalize keeps (keepFormat,
// subdivision flag tags) from the detector's input, so that a joiner or a
// soft hyphen cannot split a keyword.
func stripKept(s string) string {
	return strings.Map(func(r rune) rune {
		if IsInvisible(r) {
			return -1
		}
		return r
	}, s)
}

// isVirama reports whether r is an Indic virama (halant), which a ZWJ or
// ZWNJ may follow to choose a conjunct form.
func isVirama(r rune) bool {
	switch r {
	case 0x094d, 0x09cd, 0x0a4d, 0x0acd, 0x0b4d, 0x0bcd, 0x0c4d, 0x0ccd, 0x0d4d, 0x0dca, 0x0e3a, 0x1039, 0x17d2:
		return true
	}
	return false
}

// balancedBidi returns the byte offsets of bidi isolate openers
// (U+2066-2068) and embedding openers (U+202A, U+202B) that are closed by
// their matching closer (U+2069, U+202C) on the same line within 256
// bytes, with no override (U+202D, U+202E) in between. One pass with a
// stack; nil when s holds none.
func balancedBidi(s string) map[int]bool {
	if !strings.Contains(s, "\u2066") && !strings.Contains(s, "\u2067") && !strings.Contains(s, "\u2068") &&
		!strings.Contains(s, "\u202a") && !strings.Contains(s, "\u202b") {
		return nil
	}
	keep := map[int]bool{}
	type open struct {
		pos    int
		closer rune
	}
	var stack []open
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029 || r == 0x202d || r == 0x202e:
			stack = stack[:0]
		case r >= 0x2066 && r <= 0x2068:
			stack = append(stack, open{i, 0x2069})
		case r == 0x202a || r == 0x202b:
			stack = append(stack, open{i, 0x202c})
		case r == 0x2069 || r == 0x202c:
			if n := len(stack); n > 0 && stack[n-1].closer == r {
				if i-stack[n-1].pos <= 256 {
					keep[stack[n-1].pos] = true
				}
				stack = stack[:n-1]
			} else {
				stack = stack[:0] // a closer out of order: what is open stays unbalanced
			}
		}
		i += size
	}
	return keep
}

// noSpaceSEA reports whether r is a letter or mark of a South-East Asian
// script written without spaces (Thai, Lao, Myanmar, Khmer).
func noSpaceSEA(r rune) bool {
	return r >= 0x0e01 && r <= 0x0eff || r >= 0x1000 && r <= 0x109f || r >= 0x1780 && r <= 0x17ff
}

// Package learned is the small learned model of the prompt-injection
// detector (shared/sanitize): hashed text features, a logistic regression
// over them, a second stage with a small hidden layer, its compact binary
// form and its trainer. It knows nothing of
// the sanitizer: shared/sanitize feeds it the detector's text and the rule
// scores, cmd/injtrain trains it (see shared/sanitize/README.md, "Learned
// model").
//
// Features of a text, in one pass over it (linear, fixed memory):
//
//   - the text is lower-cased; letters and combining marks stay, every
//     digit becomes 0 (order numbers and dates do not matter), everything
//     else is a word boundary (one space); the same for every script, so
//     the features work for any language;
//   - character n-grams of 3 to 5 runes over that text with a space at
//     both ends (word starts and ends are part of the n-grams; Chinese,
//     Japanese and Thai, written without spaces, are covered by them);
//   - word unigrams and bigrams.
//
// Every feature is hashed (FNV-1a over runes, then a 32-bit mix) into
// 1<<Bits buckets with a sign taken from the hash (signed hashing, so
// collisions cancel rather than add up). A text's feature vector is the
// sum of its signed features divided by the square root of their count.
package learned

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// Feature layout. Changing any of these changes every weight: the model
// file records Version and refuses another.
const (
	Version  = 2
	MinGram  = 3
	MaxGram  = 5
	fnvOff   = 2166136261
	fnvPrime = 16777619
	// salts separate the kinds of features in the hash space.
	saltWord   = 0x9e3779b9
	saltBigram = 0x85ebca6b
	saltPart   = 0x27d4eb2f
)

// mix spreads the FNV hash over all bits (a multiply and an xorshift).
func mix(h uint32) uint32 {
	h *= 0x9e3779b1
	return h ^ h>>15
}

// normRune maps one rune of the text to the rune the features see, or ' '.
func normRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case r >= 'a' && r <= 'z':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		case r >= '0' && r <= '9':
			return '0'
		}
		return ' '
	case unicode.IsLetter(r):
		return unicode.ToLower(r)
	case unicode.IsMark(r):
		return r
	case unicode.IsDigit(r):
		return '0'
	}
	return ' '
}

// normLow holds normRune of every rune below len(normLow), filled on
// first use (normFast): for the scripts of most non-English text (Latin,
// Greek, Cyrillic, Hebrew, Arabic, the Indic scripts, Thai) normRune's
// unicode.IsLetter and unicode.ToLower search range tables at every rune.
// Every result fits 16 bits (TestNormFast checks every rune).
var (
	normLow     [0x3000]uint16
	normLowOnce sync.Once
)

// normFast is normRune, from normLow below 0x3000 and for the CJK
// ideographs (U+4E00-U+9FFF) and Hangul syllables (U+AC00-U+D7A3),
// letters without case that normRune returns as they are.
func normFast(r rune) rune {
	switch {
	case r < rune(len(normLow)):
		return rune(normLow[r])
	case r >= 0x4e00 && r <= 0x9fff, r >= 0xac00 && r <= 0xd7a3:
		return r
	}
	return normRune(r)
}

func fillNormLow() {
	for r := range normLow {
		normLow[r] = uint16(normRune(rune(r)))
	}
}

// Extractor computes features with a fixed amount of memory; it is not
// safe for concurrent use. The zero value is ready.
type Extractor struct {
	block [1024]uint32
	rep   counter
	bound bound     // LogitJudged's bound of rep
	hacc  []int32   // the hidden layer's sums over a segment
	hval  []float64 // its pooled unit values
	// Lo, Hi and NoWords change the features for the trainer's
	// experiments (0 means MinGram, MaxGram); models are trained and
	// used with the zero values.
	Lo, Hi  int
	NoWords bool
}

// Features calls fn once per feature occurrence of text with the feature's
// 32-bit hash (see Bucket) and returns how many there were.
func (e *Extractor) Features(text string, fn func(h uint32)) int {
	return e.PartFeatures([]string{text}, fn)
}

// PartFeatures is Features over the parts of one text: the features of
// part k live in their own hash space (part 0 in that of Features), so
// that the same words weigh differently there (the detector passes the
// text outside quotations and the quoted text).
func (e *Extractor) PartFeatures(parts []string, fn func(h uint32)) int {
	n := 0
	for k, p := range parts {
		n += e.Blocks(p, uint32(k)*saltPart, func(hs []uint32) {
			for _, h := range hs {
				fn(h)
			}
		})
	}
	return n
}

// blocksGeneral, set by tests, makes Blocks take its general loop only.
var blocksGeneral bool

// Blocks streams the hashes of every feature occurrence of text, XORed
// with salt, to fn in blocks of up to 1024 (the slice is reused after fn
// returns) and returns how many there were. One pass over text, no
// allocation.
func (e *Extractor) Blocks(text string, salt uint32, fn func(hs []uint32)) int {
	lo, hi := MinGram, MaxGram
	if e.Lo > 0 {
		lo, hi = e.Lo, e.Hi
	}
	words := !e.NoWords
	normLowOnce.Do(fillNormLow)
	out, n := e.block[:0], 0
	var prevs [MaxGram - 1]rune // the runes before r, newest first
	prevs[0] = ' '
	seen := 1 // runes in prevs
	hi = min(hi, MaxGram)
	var word, prev uint32 = fnvOff, 0
	inWord, havePrev := false, false
	last := ' '
	for i := 0; ; {
		var r rune
		if i < len(text) {
			c := text[i]
			if c < utf8.RuneSelf {
				// normRune's ASCII cases, from its table without a branch
				// per class of byte (prose mixes them unpredictably).
				r = rune(normLow[c])
				i++
			} else {
				var size int
				r, size = utf8.DecodeRuneInString(text[i:])
				r = normFast(r)
				i += size
			}
			if r == ' ' && last == ' ' {
				continue
			}
		} else if last != ' ' {
			r, i = ' ', i+1 // close the last word
		} else {
			break
		}
		last = r
		if len(out) > len(e.block)-MaxGram-2 {
			// At most MaxGram+1 hashes per rune: flush before the block fills.
			fn(out)
			n += len(out)
			out = out[:0]
		}
		// Character n-grams ending at r, hashed backwards from r.
		h := (uint32(fnvOff) ^ uint32(r)) * fnvPrime
		if lo == 3 && hi == 5 && seen >= 4 && !blocksGeneral {
			// The loop below for the default grams once four runes are
			// seen (j = 1 to 4, appending from j = 2), unrolled: one
			// append of three hashes.
			h1 := (h ^ uint32(prevs[0])) * fnvPrime
			h2 := (h1 ^ uint32(prevs[1])) * fnvPrime
			h3 := (h2 ^ uint32(prevs[2])) * fnvPrime
			h4 := (h3 ^ uint32(prevs[3])) * fnvPrime
			out = append(out, mix(h2+2)^salt, mix(h3+3)^salt, mix(h4+4)^salt)
		} else {
			if lo <= 1 {
				out = append(out, mix(h)^salt)
			}
			for j := 1; j < hi && j <= seen; j++ {
				h = (h ^ uint32(prevs[j-1])) * fnvPrime
				if j+1 >= lo {
					out = append(out, mix(h+uint32(j))^salt)
				}
			}
		}
		copy(prevs[1:], prevs[:len(prevs)-1])
		prevs[0] = r
		if seen < len(prevs) {
			seen++
		}
		if !words {
			continue
		}
		if r != ' ' {
			word = (word ^ uint32(r)) * fnvPrime
			inWord = true
			continue
		}
		if inWord {
			out = append(out, mix(word^saltWord)^salt)
			if havePrev {
				out = append(out, mix((prev*31+word)^saltBigram)^salt)
			}
			prev, havePrev = word, true
			word, inWord = fnvOff, false
		}
	}
	if len(out) > 0 {
		fn(out)
		n += len(out)
	}
	return n
}

// MaxRepetition bounds Repetition for text the model can judge: the
// training texts are natural prose (99% under 2.6, encoded payloads up to
// 55), and on text more repetitive than this (a run of one letter, a table
// of numbers, whose digits all read 0) a linear score over counts says
// nothing: the detector lets the rules decide.
const MaxRepetition = 16

// Repetition returns Σc²/Σc over the counts c of the distinct features of
// the parts: 1 when no feature repeats, large for repetitive text. Linear
// (a hash table of the distinct features, cleared after use).
func (e *Extractor) Repetition(parts []string) float64 {
	return e.RepetitionSegments(parts, false)
}

// counter counts distinct hashes with open addressing. A hash and its
// count share a slot (one cache line per probe), and the hashes, mixed
// already, index the table as they are.
type counter struct {
	slots []slot
	used  []int32
	ss, n int // Σ count², Σ count
}

type slot struct{ key, cnt uint32 }

// bound counts hashes in a few buckets, each hash in one (a count-min
// sketch of one row), and keeps ss, the sum of the squares of the
// buckets' counts, as counter does of the features'. A bucket's count B
// is the sum of the counts c of its hashes, and B² ≥ Σc² (the counts are
// not negative), so ss ≥ Σc² of the exact count while n, the number of
// hashes, is the same Σc: when ss ≤ MaxRepetition·n, the Repetition
// Σc²/Σc is at most MaxRepetition too (integers; float64 division, which
// counter's answer uses, is monotone and exact at MaxRepetition·n/n).
// This bounds the average, not the largest count: a long prose text,
// whose common n-grams (" the") occur more than MaxRepetition times,
// still passes, with collisions adding about n/len(cnt) to ss/n.
type bound struct {
	cnt   []uint16
	ss, n int
}

// reset empties the sketch for a text of size bytes: about two buckets
// per byte, a text of n bytes having at most about 5n features.
func (b *bound) reset(size int) {
	n := 256
	for n < 2*size {
		n *= 2
	}
	if cap(b.cnt) < n {
		b.cnt = make([]uint16, n)
	}
	b.cnt = b.cnt[:n]
	clear(b.cnt)
	b.ss, b.n = 0, 0
}

// addAll counts hs (Model.logit does the same in its loop over the
// weights). A count cannot wrap: LogitJudged bounds texts of at
// most boundMaxBytes, which have fewer than 1<<16 hashes in all.
func (b *bound) addAll(hs []uint32) {
	mask := uint32(len(b.cnt) - 1)
	ss := b.ss
	for _, h := range hs {
		p := &b.cnt[h&mask]
		c := *p
		*p = c + 1
		ss += 2*int(c) + 1 // (c+1)² - c²
	}
	b.ss = ss
	b.n += len(hs)
}

// judged reports whether the bound proves the Repetition of what was
// counted at most MaxRepetition.
func (b *bound) judged() bool { return b.ss <= MaxRepetition*b.n }

func (c *counter) reset() {
	for _, i := range c.used {
		c.slots[i].cnt = 0
	}
	c.used, c.ss, c.n = c.used[:0], 0, 0
	if len(c.slots) > 1<<16 {
		c.slots = nil // do not keep a table grown by a long text
	}
}

func (c *counter) add(h uint32) { c.addAll([]uint32{h}) }

// addAll adds every hash of hs: add without a call and a size check
// per hash.
func (c *counter) addAll(hs []uint32) {
	for 2*(len(c.used)+len(hs)) > len(c.slots) {
		c.grow()
	}
	mask := uint32(len(c.slots) - 1)
	for _, h := range hs {
		for i := h & mask; ; i = (i + 1) & mask {
			s := &c.slots[i]
			if s.cnt == 0 {
				s.key, s.cnt = h, 1
				c.used = append(c.used, int32(i))
				c.ss++
				break
			}
			if s.key == h {
				c.ss += 2*int(s.cnt) + 1
				s.cnt++
				break
			}
		}
	}
	c.n += len(hs)
}

func (c *counter) grow() {
	size := max(1<<12, 2*len(c.slots))
	slots, used := c.slots, c.used
	c.slots, c.used = make([]slot, size), make([]int32, 0, size/2)
	mask := uint32(size - 1)
	for _, j := range used {
		i := slots[j].key & mask
		for c.slots[i].cnt != 0 {
			i = (i + 1) & mask
		}
		c.slots[i] = slots[j]
		c.used = append(c.used, int32(i))
	}
}

// Bucket returns the bucket of hash h among 1<<bits and its sign (+1 or -1).
func Bucket(h uint32, bits uint) (int, float64) {
	b := int(h & (1<<bits - 1))
	if h>>31 != 0 {
		return b, -1
	}
	return b, 1
}

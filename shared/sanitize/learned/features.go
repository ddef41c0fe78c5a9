// Package learned is the small learned model of the prompt-injection
// detector (shared/sanitize): hashed text features, a logistic regression
// over them, its compact binary form and its trainer. It knows nothing of
// the sanitizer: shared/sanitize feeds it the detector's text and the rule
// scores, cmd/injtrain trains it (see shared/sanitize/README.md, "Learned
// model").
//
// Features of a text, in one pass over it (linear, no allocation beyond a
// reused rune buffer):
//
//   - the text is lower-cased; letters and combining marks stay, every
//     digit becomes 0 (order numbers and dates do not matter), everything
//     else is a word boundary (one space); the same for every script, so
//     the features work for any language;
//   - character n-grams of 2 to 5 runes over that text with a space at
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
	"unicode"
	"unicode/utf8"
)

// Feature layout. Changing any of these changes every weight: the model
// file records Version and refuses another.
const (
	Version  = 1
	MinGram  = 2
	MaxGram  = 5
	fnvOff   = 2166136261
	fnvPrime = 16777619
	// salts separate the kinds of features in the hash space.
	saltWord   = 0x9e3779b9
	saltBigram = 0x85ebca6b
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

// Extractor computes features; it reuses its buffer and is not safe for
// concurrent use. The zero value is ready.
type Extractor struct {
	runes  []rune
	hashes []uint32
	// Lo, Hi and NoWords change the features for the trainer's
	// experiments (0 means MinGram, MaxGram); models are trained and
	// used with the zero values.
	Lo, Hi  int
	NoWords bool
}

// Features calls fn once per feature occurrence of text with the feature's
// 32-bit hash (see Bucket) and returns how many there were.
func (e *Extractor) Features(text string, fn func(h uint32)) int {
	hs := e.Hashes(text)
	for _, h := range hs {
		fn(h)
	}
	return len(hs)
}

// Hashes returns the hashes of every feature occurrence of text, in a
// buffer reused by the next call.
func (e *Extractor) Hashes(text string) []uint32 {
	rs := e.runes[:0]
	rs = append(rs, ' ')
	for _, r := range text {
		r = normRune(r)
		if r == ' ' && rs[len(rs)-1] == ' ' {
			continue
		}
		rs = append(rs, r)
	}
	if rs[len(rs)-1] != ' ' {
		rs = append(rs, ' ')
	}
	if cap(rs) <= 1<<16 {
		e.runes = rs
	}
	lo, hi := MinGram, MaxGram
	if e.Lo > 0 {
		lo, hi = e.Lo, e.Hi
	}
	out := e.hashes[:0]
	// Character n-grams ending at i, hashed backwards from i.
	for i := 1; i < len(rs); i++ {
		h := uint32(fnvOff)
		h = (h ^ uint32(rs[i])) * fnvPrime
		if lo <= 1 {
			out = append(out, mix(h))
		}
		for k := 1; k < hi && i-k >= 0; k++ {
			h = (h ^ uint32(rs[i-k])) * fnvPrime
			if k+1 >= lo {
				out = append(out, mix(h+uint32(k)))
			}
		}
	}
	if e.NoWords {
		return e.keep(out)
	}
	// Words and bigrams.
	var prev uint32
	havePrev := false
	h := uint32(fnvOff)
	inWord := false
	for i := 1; i < len(rs); i++ {
		if rs[i] != ' ' {
			h = (h ^ uint32(rs[i])) * fnvPrime
			inWord = true
			continue
		}
		if !inWord {
			continue
		}
		out = append(out, mix(h^saltWord))
		if havePrev {
			out = append(out, mix((prev*31+h)^saltBigram))
		}
		prev, havePrev = h, true
		h, inWord = fnvOff, false
	}
	return e.keep(out)
}

// keep stores the buffer for reuse unless it grew large.
func (e *Extractor) keep(out []uint32) []uint32 {
	if cap(out) <= 1<<18 {
		e.hashes = out
	}
	return out
}

// Bucket returns the bucket of hash h among 1<<bits and its sign (+1 or -1).
func Bucket(h uint32, bits uint) (int, float64) {
	b := int(h & (1<<bits - 1))
	if h>>31 != 0 {
		return b, -1
	}
	return b, 1
}

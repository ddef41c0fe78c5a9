package learned

import (
	"math"
	"slices"
	"unicode/utf8"
)

// The hidden layer. Besides the linear weights over the hashed features,
// a model may have Hidden units: each unit's activation in a segment of
// the text is
//
//	a[j] = HBias[j] + HScale·Σ sign·HQ[hb·Hidden+j] / √count
//
// over the feature occurrences of the segment (hb: HBits bits of the
// feature's hash taken just under its sign bit, so the hidden layer
// buckets features apart from the linear weights), and the unit's value
// for the text is the largest max(a[j], 0) over the segments (max-pooled:
// an instruction is often one sentence inside benign prose). The
// first-stage logit adds Σ HOut[j]·value[j]. With Sentences the segments
// are the text's sentences (Segments), otherwise the whole text (each
// part) is one segment; the linear weights read the same features either
// way (with Sentences, no n-gram spans two sentences).

// hiddenBucket returns the hidden-layer bucket of hash h among 1<<bits.
func hiddenBucket(h uint32, bits uint) int {
	return int(h>>(31-bits)) & (1<<bits - 1)
}

// minSegment is the shortest sentence that is a segment of its own; a
// shorter one ("Hi.", "Thanks!") joins the next.
const minSegment = 24

// Segments calls fn with the sentences of text, in order, covering it: a
// sentence ends at a line break or after '.', '!', '?', ';' followed by
// white space, or after a full stop or question/exclamation mark of
// Chinese, Japanese, Arabic, Urdu or Devanagari text; sentences shorter
// than minSegment bytes join the next. Linear, no allocation.
func Segments(text string, fn func(seg string)) {
	start := 0
	for i := 0; i < len(text); {
		c := text[i]
		end := -1
		if c < utf8.RuneSelf {
			switch c {
			case '\n':
				end = i + 1
			case '.', '!', '?', ';':
				if i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n' || text[i+1] == '\t' {
					end = i + 1
				}
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(text[i:])
			i += size
			switch r {
			case '。', '！', '？', '؟', '।', '۔', '．':
				end = i
			}
		}
		if end > 0 && end-start >= minSegment {
			fn(text[start:end])
			start = end
		}
	}
	if start < len(text) {
		fn(text[start:])
	}
}

// segmentsOf returns the segments of the parts for the hidden layer:
// each part's sentences, or each part whole.
func segmentsOf(parts []string, sentences bool, fn func(k int, seg string)) {
	for k, p := range parts {
		if !sentences {
			fn(k, p)
			continue
		}
		Segments(p, func(s string) { fn(k, s) })
	}
}

// Seg is one segment of a text in the hidden layer's bucket space.
type Seg struct {
	Idx []int32
	Val []float32
}

// VectorizeHidden returns the sparse feature vector of the parts (as
// Vectorize, but with n-grams cut at the segments when sentences is set)
// among 1<<bits buckets, and the vectors of the segments among 1<<hbits
// hidden-layer buckets (each divided by the square root of its count).
func VectorizeHidden(e *Extractor, parts []string, bits, hbits uint, sentences bool) (idx []int32, val []float32, segs, sents []Seg) {
	acc := map[int32]float64{}
	n := 0
	segmentsOf(parts, sentences, func(k int, s string) {
		sacc, lacc := map[int32]float64{}, map[int32]float64{}
		ns := e.Blocks(s, uint32(k)*saltPart, func(hs []uint32) {
			for _, h := range hs {
				b, sg := Bucket(h, bits)
				acc[int32(b)] += sg
				lacc[int32(b)] += sg
				sacc[int32(hiddenBucket(h, hbits))] += sg
			}
		})
		n += ns
		if ns == 0 {
			return
		}
		var sg, sl Seg
		sg.Idx, sg.Val = sparse(sacc, 1/math.Sqrt(float64(ns)))
		sl.Idx, sl.Val = sparse(lacc, 1/math.Sqrt(float64(ns)))
		segs, sents = append(segs, sg), append(sents, sl)
	})
	if n == 0 {
		return nil, nil, nil, nil
	}
	idx, val = sparse(acc, 1/math.Sqrt(float64(n)))
	return idx, val, segs, sents
}

func sparse(acc map[int32]float64, norm float64) (idx []int32, val []float32) {
	for b, v := range acc {
		if v != 0 {
			idx = append(idx, b)
		}
	}
	slices.Sort(idx)
	val = make([]float32, len(idx))
	for i, b := range idx {
		val[i] = float32(acc[b] * norm)
	}
	return idx, val
}

// hiddenFloat computes the pooled unit values of segs with float weights
// E (len H<<hbits), biases hb; arg receives the segment each unit's value
// came from (-1: none positive).
func hiddenFloat(segs []Seg, E, hb []float64, H int, val []float64, arg []int) {
	act := make([]float64, H)
	for j := range val {
		val[j], arg[j] = 0, -1
	}
	for s, sg := range segs {
		copy(act, hb)
		for i, b := range sg.Idx {
			v := float64(sg.Val[i])
			row := E[int(b)*H : int(b)*H+H]
			for j := range act {
				act[j] += row[j] * v
			}
		}
		for j, a := range act {
			if a > val[j] {
				val[j], arg[j] = a, s
			}
		}
	}
}

// RepetitionSegments is Repetition over the features a model with
// Sentences reads (n-grams cut at sentence ends) when sentences is set:
// what Model.LogitRep returns for such a model.
func (e *Extractor) RepetitionSegments(parts []string, sentences bool) float64 {
	e.rep.reset()
	segmentsOf(parts, sentences, func(k int, s string) {
		e.Blocks(s, uint32(k)*saltPart, func(hs []uint32) {
			for _, h := range hs {
				e.rep.add(h)
			}
		})
	})
	if e.rep.n == 0 {
		return 1
	}
	return float64(e.rep.ss) / float64(e.rep.n)
}

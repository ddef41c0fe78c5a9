package learned

import (
	"math/rand"
	"strings"
	"testing"
)

// TestBoundSumOfSquares: the sketch's Σ(bucket count)² is at least the
// exact Σc² of counter over the same hashes, with the same number of
// hashes, so that bound.judged implies Repetition ≤ MaxRepetition; on
// random hash multisets, few distinct hashes (many collisions and repeats)
// to many.
func TestBoundSumOfSquares(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var b bound
	var c counter
	for trial := 0; trial < 2000; trial++ {
		size := rng.Intn(boundMaxBytes + 1)
		n := rng.Intn(4*size + 1)
		distinct := 1 + rng.Intn(n+1)
		keys := make([]uint32, distinct)
		for i := range keys {
			keys[i] = rng.Uint32()
		}
		hs := make([]uint32, n)
		for i := range hs {
			hs[i] = keys[rng.Intn(distinct)]
		}
		b.reset(size)
		c.reset()
		for len(hs) > 0 { // in blocks, as Blocks gives them
			k := min(len(hs), 1+rng.Intn(1024))
			b.addAll(hs[:k])
			c.addAll(hs[:k])
			hs = hs[k:]
		}
		if b.n != c.n || b.ss < c.ss {
			t.Fatalf("size %d, %d hashes (%d keys): bound ss %d n %d, counter ss %d n %d", size, n, distinct, b.ss, b.n, c.ss, c.n)
		}
		if b.judged() && c.n > 0 && float64(c.ss)/float64(c.n) > MaxRepetition {
			t.Fatalf("judged with repetition %v", float64(c.ss)/float64(c.n))
		}
	}
}

// TestLogitJudgedLong is TestLogitJudged on texts of up to and over
// boundMaxBytes: prose whose common words occur more than MaxRepetition
// times (judged by the sketch's sum), repetitive runs (counted exactly
// after the sketch), and mixes of both near the limit.
func TestLogitJudgedLong(t *testing.T) {
	var e Extractor
	x, on := []float64{1, 0.5}, []int32{2}
	prose := strings.Join(texts, " ")
	var cases []string
	for _, n := range []int{520, 1000, 2048, 4000, 4096, 4097, 6000} {
		cases = append(cases, strings.Repeat(prose+" ", n/len(prose)+1)[:n], strings.Repeat("ab ", n/3),
			strings.Repeat("the cat ", n/16)+prose[:min(len(prose), n/2)])
		for k := 1; k < 40; k += 7 {
			cases = append(cases, strings.Repeat("b", k*n/40)+" "+prose[:min(len(prose), n-k*n/40)])
		}
	}
	judged, total := 0, 0
	m := testModel()
	for _, s := range cases {
		for _, parts := range [][]string{{s}, {s[:len(s)/2], s[len(s)/2:]}} {
			z, rep := m.LogitRep(&e, parts, x, on)
			zj, ok := m.LogitJudged(&e, parts, x, on)
			if zj != z || ok != (rep <= MaxRepetition) {
				t.Errorf("%d bytes: LogitJudged %v, %v; LogitRep %v, repetition %v", len(s), zj, ok, z, rep)
			}
			if ok {
				judged++
			}
			total++
		}
	}
	if judged == 0 || judged == total {
		t.Errorf("%d of %d judged: the cases do not cover both answers", judged, total)
	}
}

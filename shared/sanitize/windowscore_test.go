package sanitize

import (
	"math/rand"
	"testing"
)

// windowScoreRef is windowScore as a pass over each window: the
// categories and non-English tokens of the sigWindow tokens ending at
// each token with bits, judged every time.
func windowScoreRef(bits []uint32, multi []bool, envSecret bool, f *findings) sigScore {
	var sc sigScore
	for k := range bits {
		if bits[k] == 0 {
			continue
		}
		var have uint32
		nMulti := 0
		for j := max(0, k-sigWindow+1); j <= k; j++ {
			have |= bits[j]
			if multi[j] {
				nMulti++
			}
		}
		have = windowFlags(have, envSecret, &sc, f)
		judge(have, nMulti > 0, &sc)
		if multi[k] && sc.total() > 0 {
			sc.multi = 1
		}
	}
	return sc
}

// TestWindowScore compares windowScore (counts kept from token to token,
// judge skipped for the arguments of its last call) with windowScoreRef
// on the corpus texts' token bits and on random ones.
func TestWindowScore(t *testing.T) {
	ensureRules()
	check := func(name string, bits []uint32, multi []bool, env bool) {
		f1, f2 := newFindings(), newFindings()
		got := windowScore(bits, multi, env, f1)
		want := windowScoreRef(bits, multi, env, f2)
		if got != want || f1.protective != f2.protective || f1.meta != f2.meta {
			t.Fatalf("%s (env %v): windowScore %+v %v %v, want %+v %v %v", name, env, got, f1.protective, f1.meta, want, f2.protective, f2.meta)
		}
	}
	for _, s := range corpusTexts(t) {
		c := makeCopies(s)
		multi := make([]bool, len(c.nativeToks))
		bits := tokenBits(s, c, multi, nil)
		check(s, bits, multi, false)
		check(s, bits, multi, true)
		c.release()
	}
	rng := rand.New(rand.NewSource(15))
	for i := 0; i < 200000; i++ {
		n := rng.Intn(120)
		bits, multi := make([]uint32, n), make([]bool, n)
		for k := range bits {
			if rng.Intn(3) == 0 {
				for j := rng.Intn(4); j >= 0; j-- {
					bits[k] |= 1 << rng.Intn(22)
				}
			}
			multi[k] = rng.Intn(8) == 0
		}
		check("random", bits, multi, rng.Intn(4) == 0)
	}
}

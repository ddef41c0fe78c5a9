package sanitize

import (
	"math/rand"
	"strings"
	"testing"
)

// checkStrTable fails unless t answers every string of probe as a Go map
// lookup in m does.
func checkStrTable[V comparable](tb testing.TB, t *strTable[V], m map[string]V, probe func(func(string))) {
	tb.Helper()
	bad := 0
	probe(func(k string) {
		v, ok := t.get(k)
		w, wok := m[k]
		if (v != w || ok != wok) && bad < 10 {
			bad++
			tb.Errorf("get(%q) = %v, %v; the map says %v, %v", k, v, ok, w, wok)
		}
	})
}

// strProbes calls f with every key of keys, their prefixes and
// one-byte changes, and random strings of every length up to 40 that
// share a key's first or last bytes (the inline words' edges).
func strProbes(keys []string, seed int64) func(func(string)) {
	return func(f func(string)) {
		rng := rand.New(rand.NewSource(seed))
		f("")
		for _, k := range keys {
			f(k)
			for i := 0; i < len(k); i++ {
				f(k[:i])
				b := []byte(k)
				b[i] ^= 1 << uint(rng.Intn(8))
				f(string(b))
			}
			f(k + "s")
			f(k + k)
			f(" " + k)
		}
		const abc = "abcdefghijklmnopqrstuvwxyz éü"
		for i := 0; i < 20000; i++ {
			n := rng.Intn(41)
			b := make([]byte, n)
			for j := range b {
				b[j] = abc[rng.Intn(len(abc))]
			}
			if n > 0 && len(keys) > 0 {
				k := keys[rng.Intn(len(keys))]
				copy(b, k) // a key's first bytes, the rest random
				if rng.Intn(2) == 0 && len(k) <= n {
					copy(b[n-len(k):], k)
				}
			}
			f(string(b))
		}
	}
}

// TestStrTable compares strTable with the map it copies: the signal
// lexicon's keys, the vocabulary's, and small tables of keys of every
// length from 0 to 40, probed with the keys, their prefixes, one-byte
// changes, random strings and the corpus texts' words.
func TestStrTable(t *testing.T) {
	ensureTables()
	ensureRules()
	sigOnce.Do(func() { sig = buildSigLex() })
	var words []string
	for i, text := range corpusTexts(t) {
		if i%7 != 0 {
			continue
		}
		c := makeCopies(text)
		for _, tk := range c.nativeToks {
			words = append(words, c.native[tk.start:tk.end])
		}
		for _, w := range strings.Fields(c.lines) {
			words = append(words, w)
		}
		c.release()
	}
	corpus := func(f func(string)) {
		for _, w := range words {
			f(w)
		}
	}
	keys := func(m map[string]lexInfo) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		return ks
	}(sig.info)
	checkStrTable(t, sig.infoTab, sig.info, strProbes(keys, 1))
	checkStrTable(t, sig.infoTab, sig.info, corpus)
	var vks []string
	for k := range vocab {
		vks = append(vks, k)
	}
	checkStrTable(t, vocabTab, vocab, strProbes(vks, 2))
	checkStrTable(t, vocabTab, vocab, corpus)
	// The cjk table's values are slices: compare their lengths.
	cjkLens := map[string]int{}
	for k, v := range sig.cjk {
		cjkLens[k] = len(v)
	}
	var cks []string
	for k := range sig.cjk {
		cks = append(cks, k)
	}
	probeCJK := strProbes(cks, 3)
	probeCJK(func(k string) {
		v, ok := sig.cjkTab.get(k)
		n, nok := cjkLens[k]
		if ok != nok || len(v) != n {
			t.Fatalf("cjk get(%q) = %d entries, %v; the map says %d, %v", k, len(v), ok, n, nok)
		}
	})
	rng := rand.New(rand.NewSource(4))
	for size := 0; size < 300; size += 1 + size/4 {
		m := map[string]int32{}
		var ks []string
		for len(m) < size {
			b := make([]byte, rng.Intn(41))
			for j := range b {
				b[j] = "ab\x00\xff"[rng.Intn(4)]
			}
			if _, ok := m[string(b)]; !ok {
				m[string(b)] = int32(len(m))
				ks = append(ks, string(b))
			}
		}
		checkStrTable(t, newStrTable(m), m, strProbes(ks, int64(size)))
	}
}

// TestStrTableKeyIs checks the key comparison apart from the hash, whose
// 32-bit tags make a false match too rare to find by probing: a slot of
// one key against strings of the same length that differ from it in
// one byte (at every position) or in several.
func TestStrTableKeyIs(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for n := 0; n <= 40; n++ {
		for trial := 0; trial < 200; trial++ {
			a := make([]byte, n)
			for j := range a {
				a[j] = "ab\x00\xff"[rng.Intn(4)]
			}
			tab := newStrTable(map[string]int32{"other key of some length": 0, string(a): 1})
			var slot *strSlot[int32]
			for i := range tab.slots {
				if s := &tab.slots[i]; s.ctrl != 0 && s.val == 1 {
					slot = s
				}
			}
			probe := func(b []byte) {
				k0, k1, _ := strKey(tab.seed, string(b))
				if got := tab.keyIs(slot, string(b), k0, k1); got != (string(a) == string(b)) {
					t.Fatalf("keyIs(%q) for key %q = %v", b, a, got)
				}
			}
			probe(a)
			for i := 0; i < n; i++ {
				b := append([]byte(nil), a...)
				b[i] ^= 1 << uint(rng.Intn(8))
				probe(b)
			}
			b := append([]byte(nil), a...)
			for j := rng.Intn(4); j >= 0 && n > 0; j-- {
				b[rng.Intn(n)] = "ab\x00\xff"[rng.Intn(4)]
			}
			probe(b)
		}
	}
}

// TestGenFoldTable checks that genFoldTable answers as genFold, its
// binary search, for every raw entry, its prefixes and one-byte changes,
// random strings and the corpus texts' words.
func TestGenFoldTable(t *testing.T) {
	var raws []string
	for _, g := range genFolds {
		raws = append(raws, g.raw)
	}
	var words []string
	for i, text := range corpusTexts(t) {
		if i%5 == 0 {
			words = append(words, strings.Fields(strings.ToLower(text))...)
		}
	}
	tab := genFoldTable()
	check := func(k string) {
		i, ok := tab.get(k)
		f := ""
		if ok {
			f = genFolds[i].folded
		}
		g, gok := genFold(k)
		if f != g || ok != gok {
			t.Fatalf("genFoldTable().get(%q) = %q, %v; genFold: %q, %v", k, f, ok, g, gok)
		}
	}
	strProbes(raws, 6)(check)
	for _, w := range words {
		check(w)
	}
}

// FuzzStrTable compares the signal lexicon's, the vocabulary's and
// genFolds' strTables with the maps they copy on fuzzed strings (and
// each string's prefixes, where lexicon keys hide).
func FuzzStrTable(f *testing.F) {
	for _, s := range []string{"", "a", "ignore", "ignore previous instructions", "assistente", "東京", "xxxxxxxxxxxxxxxxy"} {
		f.Add(s)
	}
	ensureTables()
	ensureRules()
	sigOnce.Do(func() { sig = buildSigLex() })
	gm := map[string]int32{}
	for i, g := range genFolds {
		if _, ok := gm[g.raw]; !ok {
			gm[g.raw] = int32(i)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i <= len(s) && i <= 96; i++ {
			k := s[:i]
			checkStrTable(t, sig.infoTab, sig.info, func(f func(string)) { f(k) })
			checkStrTable(t, vocabTab, vocab, func(f func(string)) { f(k) })
			checkStrTable(t, genFoldTable(), gm, func(f func(string)) { f(k) })
		}
	})
}

package sanitize

import (
	"math/rand"
	"testing"
)

// TestQuietLeads checks quietText against quietTextLeads without the lead tables on every rune of
// one to three bytes (alone and between letters), on every pair of a
// lead byte and any byte, on the corpus texts and their suffixes from
// each non-ASCII byte (where normalize starts it), and on random bytes
// biased towards UTF-8 lead and continuation bytes.
func TestQuietLeads(t *testing.T) {
	ensureTables()
	check := func(s string) {
		t.Helper()
		if got, want := quietText(s), quietTextLeads(s, false); got != want {
			t.Fatalf("quietText(%q) = %v, want %v", s, got, want)
		}
	}
	for r := rune(0); r <= 0xffff; r++ {
		s := string(r)
		check(s)
		check("a" + s + "b")
	}
	for c := 0x80; c < 0x100; c++ {
		for d := 0; d < 0x100; d++ {
			check(string([]byte{byte(c), byte(d)}))
			check(string([]byte{byte(c), byte(d), 0xbf}))
			check(string([]byte{byte(c), 0xa0, byte(d)}))
		}
	}
	for _, tx := range corpusTexts(t) {
		check(tx)
		i := asciiPrefix(tx)
		if plainASCII(tx) != (i == len(tx)) {
			t.Fatalf("%q: plainASCII and asciiPrefix disagree", tx)
		}
		if i < len(tx) {
			check(tx[i:])
		}
	}
	rng := rand.New(rand.NewSource(2))
	alpha := []byte{'a', ' ', '\n', 0x7f, 0x1b, 0x80, 0x8f, 0xad, 0xbf, 0xc0, 0xc2, 0xcd, 0xd0, 0xd8, 0xdf, 0xe0, 0xe2, 0xe3, 0xed, 0xef, 0xf0, 0xf4, 0xff}
	b := make([]byte, 12)
	for range 300000 {
		for j := range b {
			if rng.Intn(3) == 0 {
				b[j] = byte(rng.Intn(256))
			} else {
				b[j] = alpha[rng.Intn(len(alpha))]
			}
		}
		check(string(b[:1+rng.Intn(len(b))]))
	}
}

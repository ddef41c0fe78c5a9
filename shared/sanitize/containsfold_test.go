package sanitize

import (
	"math/rand"
	"strings"
	"testing"
)

// containsFoldRef is containsFold as it was before it passed over blocks
// of eight bytes: each byte tested against the first letters.
func containsFoldRef(s string, subs ...string) bool {
	var first [8]uint32
	for _, sub := range subs {
		if c := sub[0]; c&0x20 != 0 {
			first[c>>5] |= 1 << (c & 31)
			c &^= 0x20
			first[c>>5] |= 1 << (c & 31)
		}
	}
	for i := 0; i+1 < len(s); i++ {
		if b := s[i]; first[b>>5]&(1<<(b&31)) == 0 {
			continue
		}
		c, d := s[i]|0x20, s[i+1]|0x20
		for _, sub := range subs {
			if c == sub[0] && d == sub[1] && i+len(sub) <= len(s) && strings.EqualFold(s[i:i+len(sub)], sub) {
				return true
			}
		}
	}
	return false
}

// TestContainsFoldBlocks compares containsFold with containsFoldRef on
// the corpus texts (with the fence words put in at every offset modulo
// 8) and on random texts of the words' letters in any case, their bytes
// xor 0x20 (which or-ed with 0x20 look like them) and other bytes, for
// escapeFences' two words, for one word, and for more first letters than
// the blocks' test takes.
func TestContainsFoldBlocks(t *testing.T) {
	sets := [][]string{{"untrusted", "backend"}, {"backend"}, {"ab", "cd", "ef", "gh", "ij"}, {"untrusted", "0x", "backend"}}
	check := func(s string) {
		t.Helper()
		for _, subs := range sets {
			if got, want := containsFold(s, subs...), containsFoldRef(s, subs...); got != want {
				t.Fatalf("containsFold(%q, %q) = %v, want %v", s, subs, got, want)
			}
		}
	}
	for _, tx := range corpusTexts(t) {
		check(tx)
		for k := range 9 {
			if k < len(tx) {
				check(tx[:k] + "BackEnd" + tx[k:])
				check(tx[:len(tx)-k] + "untrusteD")
			}
		}
	}
	rng := rand.New(rand.NewSource(3))
	alpha := []byte("untrsedbackUNTRSEDBACK0x \n\x15\x02\xd5\xf5\x42\x62ghij")
	b := make([]byte, 40)
	for range 500000 {
		n := rng.Intn(len(b) + 1)
		for j := range n {
			if rng.Intn(8) == 0 {
				b[j] = byte(rng.Intn(256))
			} else {
				b[j] = alpha[rng.Intn(len(alpha))]
			}
		}
		check(string(b[:n]))
	}
}

package sanitize

import (
	"math/rand"
	"strings"
	"testing"
)

// containsFoldRef is containsFold by another road: s with its ASCII
// letters lower-cased, searched for each word. (containsFold's
// strings.EqualFold could only tell more than ASCII case if a rune of
// more than one byte folded to an ASCII letter and its window of the
// word's length in bytes still held as many runes as the word: it
// cannot.)
func containsFoldRef(s string, subs ...string) bool {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	for _, sub := range subs {
		if strings.Contains(string(b), sub) {
			return true
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

package sanitize

import (
	"math/rand"
	"testing"
	"unicode/utf8"
)

// leetCountsRef is deLeet's first pass as it was: a loop per word.
func leetCountsRef(text string) (words, mixed int) {
	for i := 0; i < len(text); {
		for i < len(text) && isSpaceByte(text[i]) {
			i++
		}
		if i == len(text) {
			break
		}
		j, digit, letter := i, false, false
		for j < len(text) && !isSpaceByte(text[j]) {
			c := text[j]
			digit = digit || c >= '0' && c <= '9' || c == '@' || c == '$'
			letter = letter || c|0x20 >= 'a' && c|0x20 <= 'z' || c >= utf8.RuneSelf
			j++
		}
		words++
		if digit && letter {
			mixed++
		}
		i = j
	}
	return words, mixed
}

// randomBytes returns n texts of random bytes drawn from alphabet (and,
// one time in eight, any byte).
func randomBytes(rng *rand.Rand, n int, alphabet string) []string {
	var out []string
	for k := 0; k < n; k++ {
		b := make([]byte, rng.Intn(80))
		for i := range b {
			if rng.Intn(8) == 0 {
				b[i] = byte(rng.Intn(256))
			} else {
				b[i] = alphabet[rng.Intn(len(alphabet))]
			}
		}
		out = append(out, string(b))
	}
	return out
}

// TestLeetCounts compares leetCounts with the loop it replaces on the
// corpus texts and random ones.
func TestLeetCounts(t *testing.T) {
	ensureTables()
	rng := rand.New(rand.NewSource(3))
	texts := append(corpusTexts(t), "", " ", "a1", "a1 ", " a1", "1 a", "h3ll0 w0rld y0u", "\t\r\n", "é1", "@x $y", "...")
	texts = append(texts, randomBytes(rng, 200000, "a1 @$\t\n\r.Zé9")...)
	for _, s := range texts {
		w, m := leetCounts(s)
		if rw, rm := leetCountsRef(s); w != rw || m != rm {
			t.Fatalf("leetCounts(%q) = %d, %d; want %d, %d", s, w, m, rw, rm)
		}
	}
}

// TestB64Bits checks isB64Byte's bit set at every byte against the
// comparisons it replaces.
func TestB64Bits(t *testing.T) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		want := b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=' || b == '-' || b == '_'
		if isB64Byte(b) != want {
			t.Errorf("isB64Byte(%q) = %v", b, !want)
		}
	}
}

package sanitize

import (
	"math/rand"
	"strings"
	"testing"
)

// TestLongRuns checks that decodePass may skip a scan longRuns rules out:
// without a long base64 class run no base64 run reaches 16 bytes, and
// without a long hex class run hexRuns finds nothing.
func TestLongRuns(t *testing.T) {
	ensureTables()
	rng := rand.New(rand.NewSource(1))
	const alphabet = "0123456789abcdefxX\\ :,-=+/_ghz.\n"
	texts := []string{"", "de ad be ef ca fe ba be", `\x41\x42\x43\x44\x45\x46\x47\x48`, "0x41 0x42 0x43 0x44 0x45 0x46 0x47 0x48", "aGVsbG8gd29ybGQgaGVsbG8="}
	for n := 0; n < 20000; n++ {
		b := make([]byte, rng.Intn(60))
		for i := range b {
			b[i] = alphabet[rng.Intn(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		b64, hex := longRuns(s)
		if !hex && hexRuns(s) != nil {
			t.Errorf("longRuns(%q): no hex run, but hexRuns finds %q", s, hexRuns(s))
		}
		if !b64 {
			for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r >= 0x80 || !isB64Byte(byte(r)) }) {
				if len(f) >= 16 {
					t.Errorf("longRuns(%q): no base64 run, but %q", s, f)
				}
			}
		}
	}
}

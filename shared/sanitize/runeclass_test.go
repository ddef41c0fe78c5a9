package sanitize

import (
	"testing"
	"unicode"
)

// TestRuneClasses checks the BMP rune-class table against unicode's
// functions for every rune it covers, and runeIs above it.
func TestRuneClasses(t *testing.T) {
	ensureTables()
	for r := rune(0); r < 0x10400; r++ {
		for _, c := range []struct {
			bit  uint8
			want bool
		}{
			{rcLetter, unicode.IsLetter(r)},
			{rcDigit, unicode.IsDigit(r)},
			{rcMn, unicode.Is(unicode.Mn, r)},
			{rcMc, unicode.Is(unicode.Mc, r)},
		} {
			if got := runeIs(r, c.bit); got != c.want {
				t.Fatalf("runeIs(%U, %d) = %v, unicode says %v", r, c.bit, got, c.want)
			}
		}
	}
}

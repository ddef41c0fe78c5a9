package sanitize

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// TestCallMacros checks callMacros against its pattern's own
// FindAllStringIndex over the corpus and random call-like strings (verbs,
// '_', parentheses, newlines, invalid bytes, arguments around the
// 120-rune bound), for every limit the count can reach.
func TestCallMacros(t *testing.T) {
	ensureTables()
	// The pattern callMacros matches by hand (compiled here: the
	// package's initialisation does no work, TestInitDoesNoWork).
	callMacroPattern := regexp.MustCompile(`\b(?:` + strings.Join(callMacroVerbs[:], "|") + `)_[a-z0-9_]+\s*\([^)\n]{0,120}\)`)
	texts := corpusTexts(t)
	rng := rand.New(rand.NewSource(1))
	alpha := []string{"_", "send_order", "pay_", "refund_all(", "(x)", "_2", " (", "send", "cancel", "pay", "set", "email", "disable", "xsend", "Send", "(", ")", "\n", " ", "\t", "\r", "\f", "\v",
		"a", "Z", "1", "é", "\xff", "\xe2\x82", "…", "order", "_all", "-", ".", strings.Repeat("x", 30), strings.Repeat("é", 30), strings.Repeat("·", 13)}
	for i := 0; i < 200000; i++ {
		texts = append(texts, randomText(rng, alpha, 24))
	}
	for _, fill := range []string{"x", "é", "\xff", "\xe2\x82"} {
		for k := 118; k <= 122; k++ {
			texts = append(texts, "send_x ("+strings.Repeat(fill, k)+") pay_y("+strings.Repeat(fill, k)+")")
		}
	}
	matched := 0
	for _, x := range texts {
		all := len(callMacroPattern.FindAllStringIndex(x, -1))
		for n := 1; n <= all+1; n++ {
			want := len(callMacroPattern.FindAllStringIndex(x, n))
			if got := callMacros(x, n); got != want {
				t.Fatalf("%q, n=%d: callMacros %d, regexp %d", x, n, got, want)
			}
		}
		if all > 0 {
			matched++
		}
	}
	if matched < 10000 {
		t.Fatalf("only %d texts matched", matched)
	}
	t.Logf("%d of %d texts matched", matched, len(texts))
}

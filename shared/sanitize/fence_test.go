package sanitize

import (
	"math/rand"
	"strings"
	"testing"
)

// TestHasFenceBracket checks hasFenceBracket against strings.ContainsAny
// over the corpus and random strings of the brackets, their neighbours,
// their bytes alone and invalid UTF-8.
func TestHasFenceBracket(t *testing.T) {
	texts := corpusTexts(t)
	rng := rand.New(rand.NewSource(1))
	alpha := []string{"⟦", "⟧", "〚", "〛", "⟥", "⟨", "〙", "〜", "、", "—", "’", "a", " ", "\xe2", "\x9f", "\xa6", "\xe3", "\x80", "\x9a", "\xe2\x9f", "\xe3\x80", "\xff", "é"}
	for i := 0; i < 200000; i++ {
		texts = append(texts, randomText(rng, alpha, 12))
	}
	found := agreeOn(t, texts, "hasFenceBracket", hasFenceBracket, func(x string) bool { return strings.ContainsAny(x, "⟦⟧〚〛") })
	if found < 1000 {
		t.Fatalf("only %d texts hold a bracket", found)
	}
}

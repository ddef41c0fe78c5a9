package sanitize

import (
	"slices"
	"strings"
	"testing"
)

// TestTokenBitsVocabIDs checks that tokenBits finds the same bits and
// non-English marks with the rules' vocabulary ids (vocabSig) as by
// looking every token up, over the corpus and its upper-case forms.
func TestTokenBitsVocabIDs(t *testing.T) {
	ensureRules()
	texts := corpusTexts(t)
	withIDs := 0
	for _, s := range texts[:len(texts):len(texts)] {
		texts = append(texts, strings.ToUpper(s))
	}
	for _, s := range texts {
		c := makeCopies(s)
		f := newFindings()
		runRules(c, f)
		multi := make([]bool, len(c.nativeToks))
		bits := slices.Clone(tokenBits(s, c, multi, nil))
		if slices.ContainsFunc(c.nid, func(id int32) bool { return id >= 0 }) {
			withIDs++
		}
		c.nid = nil
		multi2 := make([]bool, len(c.nativeToks))
		bits2 := tokenBits(s, c, multi2, nil)
		if !slices.Equal(bits, bits2) || !slices.Equal(multi, multi2) {
			t.Fatalf("%q: with ids %v %v, looked up %v %v", s, bits, multi, bits2, multi2)
		}
		f.release()
		c.release()
	}
	if withIDs < len(texts)/2 {
		t.Fatalf("only %d of %d texts have vocabulary ids", withIDs, len(texts))
	}
}

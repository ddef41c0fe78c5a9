package sanitize

import "testing"

// TestAdjustAtMostOne checks, over the tune, holdout and training texts,
// that no adjust function weighs a match above maxAdjust: runRules stops
// trying a rule once its best match weighs maxWeight.
func TestAdjustAtMostOne(t *testing.T) {
	texts := corpusTexts(t)
	seen, bad := 0, 0
	adjustSeen = func(r *rule, w float64) {
		seen++
		if w > maxAdjust && bad < 10 {
			bad++
			t.Errorf("rule %s: adjust weight %v > %v", r.name, w, maxAdjust)
		}
	}
	defer func() { adjustSeen = nil }()
	s := New(Options{Nonce: "x"})
	for _, text := range texts {
		s.Text(text)
	}
	if seen < 1000 {
		t.Errorf("only %d adjusted matches seen", seen)
	}
}

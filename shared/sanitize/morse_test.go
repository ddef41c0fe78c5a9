package sanitize

import (
	"math/rand"
	"regexp"
	"testing"
)

// TestMorseLike checks morseLike against a regexp of what it looks for
// (eight letters in a row: runs of one to six dots and dashes, each
// standing alone between spaces, slashes or the text's ends, with only
// spaces and slashes between them) over the corpus and random strings of
// dots, dashes, separators and letters.
func TestMorseLike(t *testing.T) {
	letters := regexp.MustCompile(`(?:^|[ /])[.-]{1,6}(?:[ /]+[.-]{1,6}){7}(?:[ /]|$)`)
	texts := corpusTexts(t)
	rng := rand.New(rand.NewSource(1))
	alpha := []string{".", "-", " ", "/", "a", ".- ", "-.. ", "... / ", "--- ", "..", "-.-", "......", ".......", " / ", "\\n", "é", "x.", "-x"}
	morse := []string{".- ", "-.. ", "... ", "- ", " / ", "/", " ", ".......", "a", "-"}
	for i := 0; i < 200000; i++ {
		set := alpha
		if i%2 == 0 {
			set = morse
		}
		texts = append(texts, randomText(rng, set, 40))
	}
	found := agreeOn(t, texts, "morseLike", morseLike, letters.MatchString)
	if found < 1000 {
		t.Fatalf("only %d texts Morse-like", found)
	}
}

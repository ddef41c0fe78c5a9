package sanitize

import (
	"math/rand"
	"strings"
	"testing"
)

// morseLikeLoop is morseLike as a loop over every byte, the reference
// for TestMorseLike.
func morseLikeLoop(text string) bool {
	if strings.Count(text, ".")+strings.Count(text, "-") < 8 {
		return false
	}
	run := 0
	for i := 0; i < len(text); {
		c := text[i]
		if c != '.' && c != '-' {
			if c != ' ' && c != '/' {
				run = 0
			}
			i++
			continue
		}
		j := i
		for j < len(text) && (text[j] == '.' || text[j] == '-') {
			j++
		}
		if j-i <= 6 && (i == 0 || text[i-1] == ' ' || text[i-1] == '/') && (j == len(text) || text[j] == ' ' || text[j] == '/') {
			run++
			if run >= 8 {
				return true
			}
		} else {
			run = 0
		}
		i = j
	}
	return false
}

// TestMorseLike checks morseLike against morseLikeLoop over the corpus
// and random strings of dots, dashes, separators and letters.
func TestMorseLike(t *testing.T) {
	texts := corpusTexts(t)
	rng := rand.New(rand.NewSource(1))
	alpha := []string{".", "-", " ", "/", "a", ".- ", "-.. ", "... / ", "--- ", "..", "-.-", "......", ".......", " / ", "\\n", "é", "x.", "-x"}
	morse := []string{".- ", "-.. ", "... ", "- ", " / ", "/", " ", ".......", "a", "-"}
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		set := alpha
		if i%2 == 0 {
			set = morse
		}
		for k := rng.Intn(40); k > 0; k-- {
			b.WriteString(set[rng.Intn(len(set))])
		}
		texts = append(texts, b.String())
	}
	found := 0
	for _, x := range texts {
		want := morseLikeLoop(x)
		if got := morseLike(x); got != want {
			t.Fatalf("%q: morseLike %v, loop %v", x, got, want)
		}
		if want {
			found++
		}
	}
	if found < 1000 {
		t.Fatalf("only %d texts Morse-like", found)
	}
}

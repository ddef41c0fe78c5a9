package sanitize_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/sanitize/evalcorpus"
)

// TestTrainingTextsNotEvaluated: no training text (testdata/train) is also
// a holdout, blind or fresh text, nor twice in the training texts. Writers
// of common boilerplate (a confidentiality footer) can produce the same
// text independently; trained on, such a text would no longer be unseen
// where it is evaluated, and a text in two folds flatters
// cross-validation. Texts compare after trimming white space.
func TestTrainingTextsNotEvaluated(t *testing.T) {
	files, err := filepath.Glob("testdata/train/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("training files: %v (%d)", err, len(files))
	}
	train, err := evalcorpus.LoadFiles(files, "train")
	if err != nil {
		t.Fatal(err)
	}
	eval := map[string]string{}
	for _, dir := range []string{"testdata/corpus", "testdata/fresh"} {
		cases, err := evalcorpus.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if c.Split != "tune" { // tune is training data too
				eval[strings.TrimSpace(c.Text)] = c.Split + " " + c.ID
			}
		}
	}
	if len(eval) < 1000 {
		t.Fatalf("only %d holdout, blind and fresh texts read", len(eval))
	}
	seen := map[string]string{}
	for _, c := range train {
		k := strings.TrimSpace(c.Text)
		if where, ok := eval[k]; ok {
			t.Errorf("training text %s is also %s: remove it from testdata/train", c.ID, where)
		}
		if id, ok := seen[k]; ok {
			t.Errorf("training texts %s and %s are the same: remove one", id, c.ID)
		}
		seen[k] = c.ID
	}
}

package sanitize_test

import (
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/sanitize/evalcorpus"
)

// TestCorpusTargets runs the labelled corpus (testdata/corpus) through the
// same evaluation as cmd/injeval and fails when the whole corpus misses a
// target: at least 95% of attacks flagged or neutralized, at most 2% of
// benign cases flagged, every invisible character and every
// off-allow-list link removed.
func TestCorpusTargets(t *testing.T) {
	cases, err := evalcorpus.Load("testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	var attacks, benign, holdout int
	langs := map[string]int{}
	for _, c := range cases {
		switch c.Label {
		case "attack":
			attacks++
			if c.Class == "multilingual" {
				langs[c.Lang]++
			}
		case "benign":
			benign++
		}
		if c.Split == "holdout" {
			holdout++
		}
	}
	if len(cases) < 450 || attacks < 200 || benign < 200 {
		t.Errorf("corpus too small: %d cases, %d attacks, %d benign", len(cases), attacks, benign)
	}
	for _, l := range []string{"fr", "de", "es", "pt", "zh", "ja", "ru"} {
		if langs[l] < 8 {
			t.Errorf("only %d multilingual attacks in %s", langs[l], l)
		}
	}
	if share := float64(holdout) / float64(len(cases)); share < 0.25 || share > 0.35 {
		t.Errorf("holdout share %.0f%%, want about 30%%", 100*share)
	}
	rep := evalcorpus.Evaluate(evalcorpus.NewSanitizer(), cases)
	for _, name := range []string{"tune", "holdout", "all"} {
		sp := rep.Split(name)
		t.Logf("%-7s attacks detected %d/%d (%.1f%%), benign flagged %d/%d (%.1f%%), invisible leaks %d, link leaks %d",
			name, sp.AttackDetected, sp.AttackN, 100*sp.AttackRate(), sp.BenignFlagged, sp.BenignN, 100*sp.BenignFPRate(), sp.InvisibleLeaks, sp.LinkLeaks)
	}
	if f := rep.Failures(); len(f) > 0 {
		a := rep.Split("all")
		t.Errorf("corpus targets missed: %s\nmissed: %v\nfalse positives: %v\nleaks: %v",
			strings.Join(f, "; "), a.Missed, a.FalsePositives, a.Leaks)
	}
}

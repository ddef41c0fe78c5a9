package sanitize

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestAdjustAtMostOne checks, over the tune, holdout and training texts,
// that no adjust function weighs a match above maxAdjust: runRules stops
// trying a rule once its best match weighs maxWeight.
func TestAdjustAtMostOne(t *testing.T) {
	var files []string
	for _, g := range []string{"testdata/corpus/tune-*.jsonl", "testdata/corpus/holdout-*.jsonl", "testdata/train/*.jsonl"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no corpus files")
	}
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
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var c struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &c) == nil {
				s.Text(c.Text)
			}
		}
		fh.Close()
	}
	if seen < 1000 {
		t.Errorf("only %d adjusted matches seen", seen)
	}
}

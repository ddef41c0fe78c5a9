package sanitize_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/bizmcp/bizmcp/shared/sanitize/evalcorpus"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden-results.txt from the current Sanitizer.Text")

const goldenFile = "testdata/golden-results.txt"

// goldenSources are the corpus files whose results are pinned: the tune,
// holdout and training texts. The blind and fresh sets are not read.
func goldenSources(t testing.TB) []string {
	var files []string
	for _, g := range []string{"testdata/corpus/tune-*.jsonl", "testdata/corpus/holdout-*.jsonl", "testdata/train/*.jsonl"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no corpus files")
	}
	return files
}

// goldenTexts returns every text of goldenSources, keyed
// "file:n:id" (n counts the file's cases from 1).
func goldenTexts(t testing.TB) (keys, texts []string) {
	for _, f := range goldenSources(t) {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(fh)
		for n := 1; dec.More(); n++ {
			var c evalcorpus.Case
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("%s: case %d: %v", f, n, err)
			}
			keys = append(keys, fmt.Sprintf("%s:%d:%s", filepath.Base(f), n, c.ID))
			texts = append(texts, c.Text)
		}
		fh.Close()
	}
	return keys, texts
}

// goldenVariants are the inputs checked for one corpus text: the text,
// its upper-case form (case folding and prefilters), its first half and
// its second half cut at rune boundaries (rules cut at the edges), and
// the text twice (repeated rules, longer inputs past the result cache).
func goldenVariants(s string) []string {
	h := len(s) / 2
	for h > 0 && !utf8.RuneStart(s[h]) {
		h--
	}
	return []string{s, strings.ToUpper(s), s[:h], s[h:], s + "\n" + s}
}

// digestResult hashes every field of r.
func digestResult(h interface{ Write([]byte) (int, error) }, r sanitize.Result) {
	fmt.Fprintf(h, "%d:%s|%t|%s|%d|%d\x00", len(r.Text), r.Text, r.Flagged, strings.Join(r.Classes, ","), r.Removed, r.Neutralized)
}

// TestGoldenResults checks that Sanitizer.Text gives, for every tune,
// holdout and training text (and the variants of goldenVariants), the
// same result (Text, Flagged, Classes, Removed, Neutralized) as recorded
// in testdata/golden-results.txt. It pins the detector's behaviour while
// its internals change (for speed); a change meant to alter results
// regenerates the file with
//
//	go test ./shared/sanitize -run TestGoldenResults -update-golden
//
// and the diff of the file shows which texts changed.
func TestGoldenResults(t *testing.T) {
	keys, texts := goldenTexts(t)
	s := evalcorpus.NewSanitizer()
	var out strings.Builder
	got := map[string]string{}
	for i, text := range texts {
		h := sha256.New()
		var flags []string
		for _, v := range goldenVariants(text) {
			r := s.Text(v)
			digestResult(h, r)
			flags = append(flags, fmt.Sprintf("%t", r.Flagged)[:1])
		}
		d := hex.EncodeToString(h.Sum(nil))[:20] + " " + strings.Join(flags, "")
		got[keys[i]] = d
		fmt.Fprintf(&out, "%s %s\n", keys[i], d)
	}
	if *updateGolden {
		if err := os.WriteFile(goldenFile, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d texts)", goldenFile, len(keys))
		return
	}
	data, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run with -update-golden to create it)", err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		k, v, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad line %q in %s", line, goldenFile)
		}
		want[k] = v
	}
	bad := 0
	for _, k := range keys {
		w, ok := want[k]
		switch {
		case !ok:
			t.Errorf("%s: not in %s", k, goldenFile)
			bad++
		case got[k] != w:
			t.Errorf("%s: result digest %s, want %s", k, got[k], w)
			bad++
		}
		if bad >= 20 {
			t.Fatal("too many differences")
		}
	}
	if len(want) != len(keys) {
		t.Errorf("%s holds %d texts, the corpus %d", goldenFile, len(want), len(keys))
	}
}

// TestConcurrentCold runs corpus texts through new sanitizers (empty
// result caches) from several goroutines at once, from a fresh start of
// the lazily built rule programs where it is the first test to run, and
// checks each result against a sequential run: the rule searches share
// compiled programs and pooled search state.
func TestConcurrentCold(t *testing.T) {
	keys, texts := goldenTexts(t)
	var sample []string
	for i, k := range keys {
		if i%7 == 0 || strings.HasPrefix(k, "tune-attacks") {
			sample = append(sample, texts[i])
		}
	}
	if testing.Short() {
		sample = sample[:min(len(sample), 200)]
	}
	var wg sync.WaitGroup
	got := make([][]sanitize.Result, 4)
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := evalcorpus.NewSanitizer()
			for i := range sample {
				// Each goroutine starts at a different text.
				k := (i + g*len(sample)/len(got)) % len(sample)
				if got[g] == nil {
					got[g] = make([]sanitize.Result, len(sample))
				}
				got[g][k] = s.Text(sample[k])
			}
		}()
	}
	wg.Wait()
	s := evalcorpus.NewSanitizer()
	for k, text := range sample {
		want := s.Text(text)
		for g := range got {
			r := got[g][k]
			if r.Text != want.Text || r.Flagged != want.Flagged || strings.Join(r.Classes, ",") != strings.Join(want.Classes, ",") {
				t.Fatalf("goroutine %d, text %d: concurrent result differs", g, k)
			}
		}
	}
}

// Command injeval evaluates the prompt-injection sanitizer
// (shared/sanitize) against labelled corpora and prints, per split (tune,
// holdout, blind, any other set named by its files, and all): the
// detection rate of each attack class (flagged or neutralized) and of each
// language, the benign false-positive rate, with 95% Wilson intervals,
// whether benign texts kept their must_keep substrings, whether every
// smuggled character and every off-allow-list link was neutralized, and
// the throughput of Sanitizer.Text.
//
//	go run ./cmd/injeval [--corpus DIR] [--name SPLIT] [--split all|NAME] [--json] [-v]
//
// Each *.jsonl file under DIR is read; its split is the file name up to
// the first '-' ("fresh-attacks.jsonl" is "fresh"), or --name. -v explains
// the misses of the tune and holdout splits only: other sets are reported
// in aggregate, never case by case.
//
// It exits with status 1 when a split misses a target: at least 90% of
// attacks flagged or neutralized, at most 2% of benign cases flagged, 100%
// smuggled-character and link neutralization, every must_keep kept.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/bizmcp/bizmcp/shared/sanitize/evalcorpus"
)

const corpusRel = "shared/sanitize/testdata/corpus"

func main() { os.Exit(run(os.Stdout, os.Stderr, os.Args[1:])) }

// findCorpus looks for the corpus under the current directory and its
// parents (the module root).
func findCorpus() string {
	dir, err := os.Getwd()
	if err != nil {
		return corpusRel
	}
	for {
		c := filepath.Join(dir, corpusRel)
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return corpusRel
		}
		dir = parent
	}
}

func run(stdout, stderr io.Writer, args []string) int {
	fs := flag.NewFlagSet("injeval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpus := fs.String("corpus", "", "corpus directory (default: "+corpusRel+" under the module root)")
	name := fs.String("name", "", "report every case of --corpus under this split name (default: from the file names)")
	split := fs.String("split", "all", "split to show: all (every split, then all cases together) or one split's name")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	verbose := fs.Bool("v", false, "explain missed attacks and false positives of the shown splits")
	rounds := fs.Int("rounds", 20, "at most this many timed passes over the corpus for the throughput figure")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: injeval [--corpus DIR] [--name SPLIT] [--split all|NAME] [--json] [-v]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	dir := *corpus
	if dir == "" {
		dir = findCorpus()
	}
	cases, err := evalcorpus.LoadAs(dir, *name)
	if err != nil {
		fmt.Fprintf(stderr, "injeval: %v\n", err)
		return 2
	}
	names := evalcorpus.SplitNames(cases)
	var show []string
	switch {
	case *split == "all":
		show = append(names, "all")
	case slices.Contains(names, *split):
		show = []string{*split}
	default:
		fmt.Fprintf(stderr, "injeval: --split must be all or one of %s\n", strings.Join(names, ", "))
		return 2
	}
	cold, initCost := evalcorpus.ColdThroughput(cases)
	s := evalcorpus.NewSanitizer()
	rep := evalcorpus.Evaluate(s, cases)
	rep.Bytes, rep.MBps = evalcorpus.Throughput(s, cases, max(1, *rounds), 2*time.Second)
	rep.ColdMBps, rep.InitMs = cold, float64(initCost.Microseconds())/1000
	var failures []string
	for _, sh := range show {
		if sh != "all" || len(show) == 1 {
			failures = append(failures, rep.Split(sh).SplitFailures()...)
		}
	}
	if *asJSON {
		out := struct {
			*evalcorpus.Report
			Failures []string `json:"failures"`
		}{rep, failures}
		if *split != "all" {
			out.Report = &evalcorpus.Report{Splits: []*evalcorpus.SplitReport{rep.Split(*split)}, Bytes: rep.Bytes, MBps: rep.MBps, ColdMBps: rep.ColdMBps, InitMs: rep.InitMs}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "injeval: %v\n", err)
			return 2
		}
	} else {
		fmt.Fprintf(stdout, "corpus: %s (%d cases), allow-list: %s\n%s\n\n", dir, len(cases), strings.Join(evalcorpus.AllowedHosts, ","), sanitize.ModelInfo())
		rep.WriteTable(stdout, show...)
		if *verbose {
			explain(stdout, s, cases, show)
		}
		if len(failures) == 0 {
			fmt.Fprintln(stdout, "targets: met")
		} else {
			fmt.Fprintf(stdout, "targets: MISSED:\n  %s\n", strings.Join(failures, "\n  "))
		}
	}
	if len(failures) > 0 {
		return 1
	}
	return 0
}

// explain prints the rules behind each miss and false positive.
func explain(w io.Writer, s interface {
	Explain(string) ([]string, float64)
}, cases []evalcorpus.Case, show []string) {
	want := map[string]bool{}
	for _, sp := range show {
		want[sp] = true
	}
	ss := evalcorpus.NewSanitizer()
	for _, c := range cases {
		// Blind and fresh sets are never explained case by case.
		if !evalcorpus.Own(c.Split) || !want[c.Split] && !want["all"] {
			continue
		}
		o := evalcorpus.Run(ss, c)
		bad := c.Label == "attack" && !o.Detected() || c.Label == "benign" && o.Result.Flagged
		if !bad {
			continue
		}
		rules, score := s.Explain(c.Text)
		text := c.Text
		if len(text) > 300 {
			text = text[:300] + "…"
		}
		fmt.Fprintf(w, "%s [%s/%s] score=%.2f rules=%v\n    %q\n", c.ID, c.Label, c.Class, score, rules, text)
	}
	fmt.Fprintln(w)
}

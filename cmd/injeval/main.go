// Command injeval evaluates the prompt-injection sanitizer
// (shared/sanitize) against its labelled corpus and prints, per split
// (tune, holdout, all): the detection rate of each attack class (flagged
// or neutralized), the benign false-positive rate, whether every invisible
// character and every off-allow-list link was removed from the outputs,
// and the throughput of Sanitizer.Text.
//
//	go run ./cmd/injeval [--corpus DIR] [--split all|tune|holdout] [--json] [-v]
//
// It exits with status 1 when the whole corpus misses a target: at least
// 95% of attacks flagged or neutralized, at most 2% of benign cases
// flagged, and 100% invisible-character and link removal.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

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
	split := fs.String("split", "all", "split to show: all (tune, holdout and all), tune or holdout")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	verbose := fs.Bool("v", false, "explain missed attacks and false positives of the shown splits")
	rounds := fs.Int("rounds", 20, "at most this many timed passes over the corpus for the throughput figure")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: injeval [--corpus DIR] [--split all|tune|holdout] [--json] [-v]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var show []string
	switch *split {
	case "all":
		show = []string{"tune", "holdout", "all"}
	case "tune", "holdout":
		show = []string{*split}
	default:
		fmt.Fprintf(stderr, "injeval: --split must be all, tune or holdout\n")
		return 2
	}
	dir := *corpus
	if dir == "" {
		dir = findCorpus()
	}
	cases, err := evalcorpus.Load(dir)
	if err != nil {
		fmt.Fprintf(stderr, "injeval: %v\n", err)
		return 2
	}
	s := evalcorpus.NewSanitizer()
	rep := evalcorpus.Evaluate(s, cases)
	rep.Bytes, rep.MBps = evalcorpus.Throughput(s, cases, max(1, *rounds), 2*time.Second)
	failures := rep.Failures()
	if *asJSON {
		out := struct {
			*evalcorpus.Report
			Failures []string `json:"failures"`
		}{rep, failures}
		if *split != "all" {
			out.Report = &evalcorpus.Report{Splits: []*evalcorpus.SplitReport{rep.Split(*split)}, Bytes: rep.Bytes, MBps: rep.MBps}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "injeval: %v\n", err)
			return 2
		}
	} else {
		fmt.Fprintf(stdout, "corpus: %s (%d cases), allow-list: %s\n\n", dir, len(cases), strings.Join(evalcorpus.AllowedHosts, ","))
		rep.WriteTable(stdout, show...)
		if *verbose {
			explain(stdout, s, cases, show)
		}
		if len(failures) == 0 {
			fmt.Fprintln(stdout, "targets (whole corpus): met")
		} else {
			fmt.Fprintf(stdout, "targets (whole corpus): MISSED: %s\n", strings.Join(failures, "; "))
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
		if !want[c.Split] && !want["all"] {
			continue
		}
		o := evalcorpus.Run(ss, c)
		bad := c.Label == "attack" && !o.Detected() || c.Label == "benign" && o.Result.Flagged
		if !bad {
			continue
		}
		names, score := s.Explain(c.Text)
		text := c.Text
		if len(text) > 300 {
			text = text[:300] + "…"
		}
		fmt.Fprintf(w, "%s [%s/%s] score=%.2f rules=%v\n    %q\n", c.ID, c.Label, c.Class, score, names, text)
	}
	fmt.Fprintln(w)
}

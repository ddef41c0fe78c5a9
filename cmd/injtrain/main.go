// Command injtrain trains the learned model of the prompt-injection
// detector (shared/sanitize/learned) and writes its weights to
// shared/sanitize/model_weights.bin, which the sanitizer embeds.
//
//	go run ./cmd/injtrain [-check] [-cv] [-out FILE] [-extra DIR]...
//
// Training data: shared/sanitize/testdata/corpus/tune-*.jsonl and every
// shared/sanitize/testdata/train/*.jsonl. Validation: stratified k-fold
// cross-validation over the training data (out-of-fold scores choose the
// threshold) and shared/sanitize/testdata/corpus/holdout-*.jsonl. The
// blind set (testdata/corpus/blind) and the fresh set (testdata/fresh)
// are never read.
//
// Everything is deterministic: the files and cases are read in sorted
// order, the folds and the order of the training steps come from fixed
// seeds, so the same data give the same bytes. -check trains and compares
// with the checked-in file instead of writing it (exit status 1 when they
// differ).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/bizmcp/bizmcp/shared/sanitize/evalcorpus"
	"github.com/bizmcp/bizmcp/shared/sanitize/learned"
)

const (
	pkgRel     = "shared/sanitize"
	weightsRel = pkgRel + "/model_weights.bin"
)

func main() { os.Exit(run(os.Stdout, os.Stderr, os.Args[1:])) }

// options are the trainer's settings; the defaults are what the checked-in
// weights were trained with.
type options struct {
	bits        uint
	epochs      int
	l2          float64
	rate        float64
	folds       int
	mode        int     // sanitize.ModeModel, ModeOr, ModeHard
	rules       bool    // rule scores as dense features of the first stage
	calibAll    bool    // calibrate the threshold on every training text, not only the train files'
	stack       bool    // a second stage combines the first's logit with the rule scores
	l2Stack     float64 // L2 penalty of the second stage
	sig         bool    // signal categories as binary features of the first stage
	fpTarget    float64 // out-of-fold benign flag rate the threshold aims at
	nb          float64 // NB-LR: scale features by their naive-Bayes log-count ratio with this smoothing (0: off)
	trust       int     // trusted rules: full-weight rules with at least this many attack hits and no benign hit (0: none)
	veto        float64 // probability under which the model overrules the rules (-1: chosen by cross-validation)
	trustRatio  int     // a trusted rule may fire on one benign text per this many attacks (0: never)
	trustSig    bool    // the signal layer's verdicts (sig_* rules) may be trusted
	ruleStat    bool    // print per-rule statistics
	dumpFP      int     // print this many benign training texts with the highest out-of-fold scores
	tuneW       float64 // weight of the tune texts in the first stage (experiments; 0 means 1)
	lo, hi      int     // character n-gram range (experiments; 0: the package's)
	noWords     bool    // no word features (experiments)
	hidden      int     // hidden units of the first stage (0: none)
	hbits       uint    // log2 of the hidden layer's buckets
	sent        bool    // max-pool the hidden layer over sentences (and cut n-grams at them)
	hinit       float64 // scale of the hidden layer's initial weights (0: the package's)
	sentMax     bool    // the second stage also reads the first stage's best sentence score
	hepochs     int     // > 0: train the hidden layer after the linear part, this many epochs, the linear part fixed
	hrate       float64 // AdaGrad rate of the hidden layer (0: -rate)
	bag         int     // > 1: average the weights of this many first stages trained in different orders
	bagFrac     float64 // each of them on this fraction of the examples (0 or 1: all)
	s2hidden    int     // hidden units of the second stage over its inputs and the signal categories
	s2noSig     bool    // the second stage's hidden layer does not read the signal categories
	s2in        string  // which other inputs the second stage's hidden layer reads: "all", "z" (the first stage's logit), "none"
	s2pos       bool    // the second stage's hidden units can only raise the logit
	s2hepochs   int     // > 0: train the second stage's hidden layer after its linear part, this many epochs
	byLang      int     // > 0: also print out-of-fold figures per language with at least this many attacks
	aug         float64 // synthetic buried texts: this many per training attack (experiments)
	augW        float64 // their weight (0 means 1)
	augNoBenign bool    // no joined benign texts
}

var defaults = options{bits: 19, epochs: 12, l2: 1e-6, rate: 0.1, folds: 5, mode: sanitize.ModeHard, rules: false, stack: true, l2Stack: 1e-2, trust: 3, trustRatio: 0, trustSig: false, veto: -1, sig: true, calibAll: true, fpTarget: 0.02, hbits: 13, s2hidden: 16, s2pos: true, s2in: "all"}

func run(stdout, stderr io.Writer, args []string) int {
	fs := flag.NewFlagSet("injtrain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := defaults
	check := fs.Bool("check", false, "train and compare with the checked-in weights instead of writing them")
	out := fs.String("out", "", "write the weights here (default: "+weightsRel+" under the module root)")
	root := fs.String("root", "", "module root (default: found from the current directory)")
	var extra multi
	fs.Var(&extra, "extra", "also train on the *.jsonl files of this directory (experiments; repeatable)")
	var test multi
	fs.Var(&test, "test", "also report the *.jsonl files of this directory as a validation set (experiments; repeatable)")
	fs.UintVar(&o.bits, "bits", o.bits, "log2 of the hashed feature buckets")
	fs.IntVar(&o.byLang, "bylang", 0, "also print the out-of-fold figures per language and per attack class with at least this many training attacks (0: not)")
	fs.IntVar(&o.epochs, "epochs", o.epochs, "training epochs")
	fs.Float64Var(&o.l2, "l2", o.l2, "L2 penalty")
	fs.Float64Var(&o.rate, "rate", o.rate, "AdaGrad rate")
	fs.IntVar(&o.folds, "folds", o.folds, "cross-validation folds")
	fs.IntVar(&o.mode, "mode", o.mode, "combination: 0 model (rules as features), 1 rules OR model, 2 model OR hard rule classes")
	fs.BoolVar(&o.rules, "rules", o.rules, "give the model the rule scores as features")
	fs.BoolVar(&o.stack, "stack", o.stack, "stack a second logistic regression over the first stage's logit and the rule scores")
	fs.BoolVar(&o.calibAll, "calib-all", o.calibAll, "choose the threshold on the out-of-fold scores of every training text (with -stack the tune texts are out of fold for both stages)")
	fs.Float64Var(&o.l2Stack, "l2stack", o.l2Stack, "L2 penalty of the second stage")
	fs.BoolVar(&o.sig, "sig", o.sig, "give the first stage the signal categories as features")
	fs.Float64Var(&o.nb, "nb", o.nb, "scale the hashed features by their naive-Bayes log-count ratio, smoothing alpha (0: plain logistic regression)")
	fs.Float64Var(&o.veto, "veto", o.veto, "probability under which the model overrules the rules' flag (-1: chosen by cross-validation, 1: the rules never flag alone)")
	fs.IntVar(&o.trustRatio, "trust-ratio", o.trustRatio, "a trusted rule may fire on one benign training text per this many attack texts (0: on none)")
	fs.IntVar(&o.dumpFP, "dump-fp", 0, "print this many benign training texts with the highest out-of-fold scores")
	fs.BoolVar(&o.ruleStat, "rulestats", false, "print how often each rule fired at full weight on attack and benign training texts")
	fs.BoolVar(&o.trustSig, "trust-sig", o.trustSig, "the signal layer's verdicts (rules named sig_*) may be trusted too")
	fs.IntVar(&o.trust, "trust", o.trust, "trust rules that fired at full weight on at least this many attacks and no benign training text (0: none)")
	fs.Float64Var(&o.tuneW, "tunew", 0, "weight of the tune texts in the first stage (experiments)")
	fs.IntVar(&o.lo, "lo", 0, "shortest character n-gram (experiments)")
	fs.IntVar(&o.hi, "hi", 0, "longest character n-gram (experiments)")
	fs.BoolVar(&o.noWords, "nowords", false, "no word unigrams and bigrams (experiments)")
	fs.IntVar(&o.hidden, "hidden", o.hidden, "hidden units of the first stage (0: none)")
	fs.UintVar(&o.hbits, "hbits", o.hbits, "log2 of the hidden layer's hashed buckets")
	fs.BoolVar(&o.sent, "sent", o.sent, "max-pool the hidden layer over sentences (and cut n-grams at sentence ends)")
	fs.BoolVar(&o.sentMax, "sentmax", o.sentMax, "the second stage also reads the first stage's highest sentence score (implies -sent)")
	fs.IntVar(&o.hepochs, "hepochs", o.hepochs, "train the hidden layer after the linear part for this many epochs (0: together)")
	fs.Float64Var(&o.hrate, "hrate", o.hrate, "AdaGrad rate of the hidden layer (0: -rate)")
	fs.IntVar(&o.bag, "bag", o.bag, "average the weights of this many first stages trained in different seeded orders (experiments)")
	fs.Float64Var(&o.bagFrac, "bagfrac", o.bagFrac, "with -bag, train each on this seeded fraction of the examples")
	fs.IntVar(&o.s2hidden, "s2hidden", o.s2hidden, "hidden units of the second stage over its inputs and the signal categories (0: a logistic regression)")
	fs.BoolVar(&o.s2noSig, "s2nosig", o.s2noSig, "the second stage's hidden layer does not read the signal categories")
	fs.StringVar(&o.s2in, "s2in", o.s2in, "besides the signal categories, the second stage's hidden layer reads: all (the first stage's logit and the rule features), z (the logit), none")
	fs.BoolVar(&o.s2pos, "s2pos", o.s2pos, "the second stage's hidden units can only raise the logit (output weights >= 0)")
	fs.IntVar(&o.s2hepochs, "s2hepochs", o.s2hepochs, "train the second stage's hidden layer after its linear part (fixed then) for this many epochs (0: together)")
	fs.Float64Var(&o.hinit, "hinit", o.hinit, "scale of the hidden layer's random initial weights (experiments)")
	fs.Float64Var(&o.aug, "aug", o.aug, "first stage also learns from synthetic buried texts, an attack inserted into a benign text of its language (and as many benign texts joined), this many per attack (experiments)")
	fs.Float64Var(&o.fpTarget, "fp", o.fpTarget, "out-of-fold benign flag rate the threshold is chosen for")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if o.sentMax {
		o.sent = true
	}
	if *root == "" {
		r, err := findRoot()
		if err != nil {
			fmt.Fprintf(stderr, "injtrain: %v\n", err)
			return 2
		}
		*root = r
	}
	if *check && (o != defaults || len(extra) > 0 || len(test) > 0) {
		fmt.Fprintln(stderr, "injtrain: -check trains with the default settings and data only")
		return 2
	}
	res, err := trainAll(*root, extra, test, o, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "injtrain: %v\n", err)
		return 2
	}
	path := *out
	if path == "" {
		path = filepath.Join(*root, weightsRel)
	}
	if *check {
		have, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "injtrain: %v\n", err)
			return 2
		}
		if !bytes.Equal(have, res) {
			fmt.Fprintf(stderr, "injtrain: %s is not what the trainer produces from the data: run go run ./cmd/injtrain (make train-detector)\n", path)
			return 1
		}
		fmt.Fprintf(stdout, "%s matches the trainer's output (%d bytes)\n", path, len(res))
		return 0
	}
	if err := os.WriteFile(path, res, 0o644); err != nil {
		fmt.Fprintf(stderr, "injtrain: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", path, len(res))
	return 0
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, pkgRel)); err == nil && st.IsDir() {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("module root with " + pkgRel + " not found")
		}
		dir = parent
	}
}

// item is one case with what the model reads of it.
type item struct {
	c           evalcorpus.Case
	source      string // tune, train, holdout, extra
	ex          learned.Example
	rulesFlag   bool      // the rules alone flag it
	hard        bool      // a rule class the model cannot see flags it
	neutralized bool      // an attack whose payload the sanitizer removes
	rf          []float64 // rule features
	strong      []string  // rules that fired at full weight
	trusted     bool      // one of them is trusted (set per fold)
	repetitive  bool      // more repetitive than learned.MaxRepetition, or too few words: the detector lets the rules decide
}

// readCases reads the files matching the patterns, in sorted order; it
// refuses the blind and fresh sets.
func readCases(patterns ...string) ([]evalcorpus.Case, error) {
	var files []string
	for _, p := range patterns {
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	for _, f := range files {
		if strings.Contains(filepath.ToSlash(f), "/blind/") || strings.Contains(filepath.ToSlash(f), "/fresh/") {
			return nil, fmt.Errorf("%s: the blind and fresh sets are never read", f)
		}
	}
	if len(files) == 0 {
		return nil, nil
	}
	return evalcorpus.LoadFiles(files, "")
}

func prepare(s *sanitize.Sanitizer, cases []evalcorpus.Case, source string, o options) []item {
	e := learned.Extractor{Lo: o.lo, Hi: o.hi, NoWords: o.noWords}
	items := make([]item, 0, len(cases))
	for _, c := range cases {
		parts, rf, sf, strong := s.ModelInput(c.Text)
		if n := len(strings.Join(parts, " ")); n > sanitize.ModelWholeBytes && source != "holdout" && source != "test" {
			// The detector reads such a text in windows; the trainer
			// learns from it whole.
			fmt.Fprintf(os.Stderr, "injtrain: warning: %s: %d bytes of model text, the detector reads more than %d in windows\n", c.ID, n, sanitize.ModelWholeBytes)
		}
		it := item{c: c, source: source, rulesFlag: rf[0] >= sanitize.Threshold, rf: rf, strong: strong}
		it.hard = sanitize.HardFlag(rf)
		if o.hidden > 0 || o.sent {
			it.ex.Idx, it.ex.Val, it.ex.Segs, it.ex.Sents = learned.VectorizeHidden(&e, parts, o.bits, o.hbits, o.sent)
			if o.hidden == 0 {
				it.ex.Segs = nil
			}
			if !o.sentMax {
				it.ex.Sents = nil
			}
		} else {
			it.ex.Idx, it.ex.Val = learned.Vectorize(&e, parts, o.bits)
		}
		it.repetitive = e.RepetitionSegments(parts, o.sent) > learned.MaxRepetition || len(parts) == 1 && len(parts[0]) <= sanitize.ModelWholeBytes && sanitize.TooFewWords(parts[0])
		if o.rules {
			it.ex.Dense = rf
		}
		if o.sig {
			it.ex.On = sf
		}
		if source == "tune" {
			it.ex.W = o.tuneW
		}
		if c.Label == "attack" {
			it.ex.Y = 1
			it.neutralized = evalcorpus.Neutralized(s, c, s.Text(c.Text).Text)
		}
		items = append(items, it)
	}
	return items
}

// veto is the probability under which the model overrules the rules'
// flag (ModeHard; 1: the rules alone never flag), chosen by
// cross-validation in trainAll.
var veto = 1.0

// flagged is the combined verdict for one item at threshold t.
func flagged(it *item, p, t float64, mode int) bool {
	if it.repetitive {
		// As the detector: the model does not judge it, the rules do.
		return it.hard || it.trusted || it.rulesFlag
	}
	m := p >= t
	switch mode {
	case sanitize.ModeOr:
		return m || it.rulesFlag
	case sanitize.ModeHard:
		return m || it.hard || it.trusted || it.rulesFlag && p >= veto
	}
	return m
}

func trainAll(root string, extra, test []string, o options, w io.Writer) ([]byte, error) {
	corpus := filepath.Join(root, pkgRel, "testdata", "corpus")
	tune, err := readCases(filepath.Join(corpus, "tune-*.jsonl"))
	if err != nil {
		return nil, err
	}
	train, err := readCases(filepath.Join(root, pkgRel, "testdata", "train", "*.jsonl"))
	if err != nil {
		return nil, err
	}
	hold, err := readCases(filepath.Join(corpus, "holdout-*.jsonl"))
	if err != nil {
		return nil, err
	}
	var more []evalcorpus.Case
	for _, d := range extra {
		m, err := readCases(filepath.Join(d, "*.jsonl"))
		if err != nil {
			return nil, err
		}
		more = append(more, m...)
	}
	var tc []evalcorpus.Case
	for _, d := range test {
		m, err := readCases(filepath.Join(d, "*.jsonl"))
		if err != nil {
			return nil, err
		}
		tc = append(tc, m...)
	}
	s := evalcorpus.NewSanitizer()
	items := prepare(s, tune, "tune", o)
	items = append(items, prepare(s, train, "train", o)...)
	items = append(items, prepare(s, more, "extra", o)...)
	holdout := prepare(s, hold, "holdout", o)
	if len(items) < 2*o.folds {
		return nil, errors.New("too little training data")
	}
	nd := sanitize.NumDenseFeatures
	cfg := learned.Config{Bits: o.bits, L2: o.l2, Epochs: o.epochs, Rate: o.rate, Seed: 17, Hidden: o.hidden, HBits: o.hbits, HInit: o.hinit, HEpochs: o.hepochs, HRate: o.hrate}
	fmt.Fprintf(w, "training data: %s; holdout: %s\n", counts(items), counts(holdout))
	fmt.Fprintf(w, "settings: bits=%d epochs=%d l2=%g rate=%g folds=%d mode=%d rule-features=%v signal-features=%v calibrate-on-all=%v fp-target=%.3f hidden=%d hbits=%d sentences=%v stage2: l2=%g hidden=%d inputs=%s signals=%v only-raise=%v\n",
		o.bits, o.epochs, o.l2, o.rate, o.folds, o.mode, o.rules, o.sig, o.calibAll, o.fpTarget, o.hidden, o.hbits, o.sent, o.l2Stack, o.s2hidden, o.s2in, !o.s2noSig, o.s2pos)

	// Stratified folds: each label's cases in a seeded shuffled order,
	// dealt round robin.
	fold := make([]int, len(items))
	rng := rand.New(rand.NewPCG(7, 11))
	for _, y := range []float64{0, 1} {
		var idx []int
		for i := range items {
			if items[i].ex.Y == y {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for k, i := range idx {
			fold[i] = k % o.folds
		}
	}
	augs := augment(s, items, o)
	ruleReport(w, items)
	if o.ruleStat {
		ruleStats(w, items)
	}
	// First stage, out of fold.
	oof1 := make([]float64, len(items))
	oofS := make([]float64, len(items)) // the best sentence's score (-sentmax)
	for k := 0; k < o.folds; k++ {
		if o.trust > 0 {
			// Trusted rules chosen without the held-out fold.
			tr := trustedRules(items, func(i int) bool { return fold[i] != k }, o.trust, o.trustRatio, o.trustSig)
			markTrusted(items, func(i int) bool { return fold[i] == k }, tr)
		}
		var tr []learned.Example
		for i := range items {
			if fold[i] != k {
				tr = append(tr, items[i].ex)
			}
		}
		for _, a := range augs {
			if fold[a.a] != k && fold[a.b] != k {
				tr = append(tr, a.ex)
			}
		}
		wk := trainStage1(tr, nd, cfg, o)
		m := wk.Quantize(o.bits, 0.5)
		for i := range items {
			if fold[i] == k {
				oof1[i] = m.QLogit(&items[i].ex, nil)
				oofS[i] = m.QSentMax(&items[i].ex)
				if os.Getenv("INJTRAIN_FLOAT") != "" {
					oof1[i] = wk.Logit(&items[i].ex)
				}
			}
		}
	}
	// Second stage: fitted on the first stage's out-of-fold logits and
	// the rule scores of the calibration texts (other authors than the
	// rules'), itself cross-validated on them; the tune texts get the
	// second stage fitted on all calibration texts (never on them).
	use := calib(items)
	cfg2 := learned.Config{Bits: 0, L2: o.l2Stack, Epochs: 30, Rate: 0.1, Seed: 23}
	nStack := 1 + len(sanitize.RuleFeatureNames())
	if o.sentMax {
		nStack++
	}
	stackEx := func(i int) learned.Example {
		d := append([]float64{oof1[i]}, items[i].rf...)
		if o.sentMax {
			d = append(d, oofS[i])
		}
		ex := learned.Example{Dense: d, Y: items[i].ex.Y}
		if o.s2hidden > 0 {
			var u [learned.MaxStackInputs]float64
			on := items[i].ex.On
			if o.s2noSig {
				on = nil
			}
			z1, rf := oof1[i], items[i].rf
			if o.s2in != "all" {
				rf = make([]float64, len(rf))
				if o.s2in != "z" {
					z1 = 0
				}
			}
			learned.StackInputs(u[:], z1, rf, oofS[i], o.sentMax, on)
			var sg learned.Seg
			for j, v := range u {
				if v != 0 {
					sg.Idx = append(sg.Idx, int32(j))
					sg.Val = append(sg.Val, float32(v))
				}
			}
			ex.Segs = []learned.Seg{sg}
		}
		return ex
	}
	// fitStack returns a model holding only the second stage.
	fitStack := func(pick func(i int) bool) *learned.Model {
		var ex []learned.Example
		for i := range items {
			if pick(i) {
				ex = append(ex, stackEx(i))
			}
		}
		c2 := cfg2
		if o.s2hidden > 0 {
			c2.Hidden, c2.HBits, c2.HInit, c2.HEpochs, c2.HPos = o.s2hidden, 6, 0.3, o.s2hepochs, o.s2pos
		}
		wt := learned.Train(ex, nStack, c2)
		m := &learned.Model{Stack: []float32{float32(wt.Bias)}}
		for _, d := range wt.Dense {
			m.Stack = append(m.Stack, float32(d))
		}
		if wt.H > 0 {
			m.S2H, m.S2N = wt.H, learned.MaxStackInputs
			for i := range wt.E {
				m.S2W = append(m.S2W, float32(wt.E[i]))
			}
			// Inputs the hidden layer did not read in training get no
			// weight (theirs stayed at the random start).
			skip := 0
			switch o.s2in {
			case "z":
				skip = 1 + len(sanitize.RuleFeatureNames())
			case "none":
				skip = 1 + len(sanitize.RuleFeatureNames())
			}
			for in := 0; in < skip; in++ {
				if o.s2in == "z" && in == 0 {
					continue
				}
				for j := 0; j < wt.H; j++ {
					m.S2W[in*wt.H+j] = 0
				}
			}
			for j := range wt.HB {
				m.S2B = append(m.S2B, float32(wt.HB[j]))
				m.S2V = append(m.S2V, float32(wt.HV[j]))
			}
		}
		return m
	}
	applyStack := func(st *learned.Model, i int) float64 {
		return st.QLogitDense(oof1[i], items[i].rf, oofS[i], items[i].ex.On)
	}
	oof := make([]float64, len(items))
	stack := &learned.Model{}
	if o.stack {
		stack = fitStack(func(i int) bool { return use(&items[i]) })
		for k := 0; k < o.folds; k++ {
			st := fitStack(func(i int) bool { return use(&items[i]) && fold[i] != k })
			for i := range items {
				if use(&items[i]) && fold[i] == k {
					oof[i] = learned.Prob(applyStack(st, i))
				}
			}
		}
		for i := range items {
			if !use(&items[i]) {
				oof[i] = learned.Prob(applyStack(stack, i))
			}
		}
	} else {
		for i := range items {
			oof[i] = learned.Prob(oof1[i])
		}
	}
	if o.dumpFP > 0 {
		var ben []int
		for i := range items {
			if items[i].ex.Y == 0 {
				ben = append(ben, i)
			}
		}
		sort.SliceStable(ben, func(a, b int) bool { return oof[ben[a]] > oof[ben[b]] })
		fmt.Fprintln(w, "highest out-of-fold scores of benign training texts:")
		for _, i := range ben[:min(o.dumpFP, len(ben))] {
			txt := items[i].c.Text
			if len(txt) > 160 {
				txt = txt[:160]
			}
			fmt.Fprintf(w, "  %.3f %s [%s] %q\n", oof[i], items[i].c.ID, items[i].c.Class, txt)
		}
	}
	thrItems := items
	if o.calibAll {
		// chooseThreshold uses the train files' texts when there are any:
		// relabel every source for it.
		thrItems = make([]item, len(items))
		copy(thrItems, items)
		for i := range thrItems {
			thrItems[i].source = "all"
		}
	}
	// The veto: among those whose threshold meets the target, the lowest
	// (the one that keeps most of the rules' verdicts) whose out-of-fold
	// detection is within one standard error of the best (the
	// one-standard-error rule of model selection).
	type cand struct {
		v   float64
		det int
	}
	var cands []cand
	bestDet, nAtt := -1, len(items)-countBenign(items)
	for _, v := range []float64{1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0} {
		if o.mode != sanitize.ModeHard && v < 1 {
			continue
		}
		veto = v
		t, ok := chooseThreshold(thrItems, oof, o.mode, o.fpTarget)
		if !ok {
			fmt.Fprintf(w, "veto %.1f: the rules alone flag more benign texts than the target\n", v)
			continue
		}
		det := 0
		for i := range items {
			if items[i].ex.Y == 1 && (flagged(&items[i], oof[i], t, o.mode) || items[i].neutralized) {
				det++
			}
		}
		fmt.Fprintf(w, "veto %.1f: threshold %.3f, out-of-fold attacks detected %d/%d\n", v, t, det, nAtt)
		cands = append(cands, cand{v, det})
		bestDet = max(bestDet, det)
	}
	best := 1.0
	if bestDet >= 0 {
		pr := float64(bestDet) / float64(nAtt)
		se := math.Sqrt(pr*(1-pr)/float64(nAtt)) * float64(nAtt)
		for _, c := range cands {
			if float64(c.det) >= float64(bestDet)-se {
				best = c.v // candidates run from high to low veto
			}
		}
	}
	if o.veto >= 0 {
		best = o.veto
	}
	veto = best
	t, _ := chooseThreshold(thrItems, oof, o.mode, o.fpTarget)
	which := "all training texts"
	if !o.calibAll {
		which = "the train files' texts (all when there are none)"
	}
	fmt.Fprintf(w, "threshold (out-of-fold benign flagged <= %.1f%% of %s): %.3f\n", 100*o.fpTarget, which, t)
	fmt.Fprintf(w, "cross-validation, out of fold (%d folds):\n", o.folds)
	report(w, items, oof, t, o.mode, true)
	curve(w, thrItems, oof, o.mode)
	if o.byLang > 0 {
		reportBy(w, items, oof, t, o.mode, o.byLang, "language", func(it *item) string { return it.c.Lang })
		reportBy(w, items, oof, t, o.mode, o.byLang, "attack class", func(it *item) string {
			if it.ex.Y == 1 {
				return it.c.Class
			}
			return ""
		})
	}

	all := make([]learned.Example, len(items))
	for i := range items {
		all[i] = items[i].ex
	}
	for _, a := range augs {
		all = append(all, a.ex)
	}
	m := trainStage1(all, nd, cfg, o).Quantize(o.bits, t)
	m.Mode = uint8(o.mode)
	m.Sentences = o.sent
	m.Stack = stack.Stack
	m.S2H, m.S2N, m.S2W, m.S2B, m.S2V = stack.S2H, stack.S2N, stack.S2W, stack.S2B, stack.S2V
	m.Veto = float32(veto)
	if o.trust > 0 {
		m.Rules = trustedRules(items, func(int) bool { return true }, o.trust, o.trustRatio, o.trustSig)
		all := func(int) bool { return true }
		markTrusted(items, all, m.Rules)
		markTrusted(holdout, all, m.Rules)
		benign := "on no benign text"
		if o.trustRatio > 0 {
			benign = fmt.Sprintf("on at most one benign text per %d of them", o.trustRatio)
		}
		fmt.Fprintf(w, "trusted rules (fired at full weight on >= %d attack texts and %s): %s\n", o.trust, benign, strings.Join(m.Rules, " "))
	}
	score := func(it *item) float64 { return learned.Prob(m.QLogit(&it.ex, it.rf)) }
	hp := make([]float64, len(holdout))
	for i := range holdout {
		hp[i] = score(&holdout[i])
	}
	fmt.Fprintln(w, "holdout (trained on all training data):")
	report(w, holdout, hp, t, o.mode, false)
	if len(tc) > 0 {
		ti := prepare(s, tc, "test", o)
		markTrusted(ti, func(int) bool { return true }, m.Rules)
		tp := make([]float64, len(ti))
		for i := range ti {
			tp[i] = score(&ti[i])
		}
		fmt.Fprintf(w, "test set (%s):\n", counts(ti))
		report(w, ti, tp, t, o.mode, false)
	}
	ip := make([]float64, len(items))
	for i := range items {
		ip[i] = score(&items[i])
	}
	fmt.Fprintln(w, "training data, in sample:")
	report(w, items, ip, t, o.mode, false)
	nz := 0
	for _, q := range m.Q {
		if q != 0 {
			nz++
		}
	}
	fmt.Fprintf(w, "model: %d buckets, %d non-zero after quantization, scale %.4g, bias %.3f\n", len(m.Q), nz, m.Scale, m.Bias)
	if o.rules {
		var parts []string
		for j, n := range sanitize.RuleFeatureNames() {
			parts = append(parts, fmt.Sprintf("%s=%.2f", n, m.Dense[j]))
		}
		fmt.Fprintf(w, "rule feature weights (first stage): %s\n", strings.Join(parts, " "))
	}
	if st := stack.Stack; len(st) > 0 {
		parts := []string{fmt.Sprintf("bias=%.2f", st[0]), fmt.Sprintf("first-stage=%.2f", st[1])}
		for j, n := range sanitize.RuleFeatureNames() {
			parts = append(parts, fmt.Sprintf("%s=%.2f", n, st[2+j]))
		}
		if o.sentMax {
			parts = append(parts, fmt.Sprintf("best-sentence=%.2f", st[len(st)-1]))
		}
		if stack.S2H > 0 {
			parts = append(parts, fmt.Sprintf("and %d hidden units over the first stage's logit, the rule features and the signal categories", stack.S2H))
		}
		fmt.Fprintf(w, "second stage: %s\n", strings.Join(parts, " "))
	}
	return m.MarshalBinary()
}

func counts(items []item) string {
	a := 0
	for _, it := range items {
		if it.ex.Y == 1 {
			a++
		}
	}
	return fmt.Sprintf("%d attacks, %d benign", a, len(items)-a)
}

// calib reports whether an item's out-of-fold score calibrates the
// threshold: texts by other authors than the rules' (the train files)
// when there are any, since the rules and the lexicon were tuned on the
// tune split and look better there than on new text.
func calib(items []item) func(*item) bool {
	for i := range items {
		if items[i].source != "tune" {
			return func(it *item) bool { return it.source != "tune" }
		}
	}
	return func(*item) bool { return true }
}

// chooseThreshold returns the lowest threshold (at least 0.5, rounded up
// to 0.001) at which the out-of-fold benign flag rate of the combined
// verdict on the calibration items is at most fp, and whether there is
// one (when the rules alone flag too many, there is none: 1, false).
func chooseThreshold(items []item, p []float64, mode int, fp float64) (float64, bool) {
	use := calib(items)
	var cands []float64
	for i := range items {
		if items[i].ex.Y == 0 && use(&items[i]) {
			cands = append(cands, math.Ceil(math.Nextafter(p[i], 2)*1000)/1000)
		}
	}
	slices.Sort(cands)
	cands = slices.Compact(cands)
	fpAt := func(t float64) bool {
		nfp, n := 0, 0
		for i := range items {
			if items[i].ex.Y == 0 && use(&items[i]) {
				n++
				if flagged(&items[i], p[i], t, mode) {
					nfp++
				}
			}
		}
		return float64(nfp) <= fp*float64(n)
	}
	if !fpAt(1.001) {
		return 1, false
	}
	best := 1.0
	for k := len(cands) - 1; k >= 0; k-- {
		t := cands[k]
		if t < 0.5 || !fpAt(t) {
			break
		}
		best = t
	}
	return best, true
}

// curve prints the out-of-fold detection of the calibration items at
// several benign flag rates.
func curve(w io.Writer, items []item, p []float64, mode int) {
	use := calib(items)
	var parts []string
	for _, fp := range []float64{0.005, 0.01, 0.02, 0.03, 0.05, 0.1} {
		t, _ := chooseThreshold(items, p, mode, fp)
		var a, d, b, f int
		for i := range items {
			it := &items[i]
			if !use(it) {
				continue
			}
			fl := flagged(it, p[i], t, mode)
			if it.ex.Y == 1 {
				a++
				if fl || it.neutralized {
					d++
				}
			} else {
				b++
				if fl {
					f++
				}
			}
		}
		parts = append(parts, fmt.Sprintf("t=%.3f: %.1f%%/%.1f%%", t, 100*float64(d)/float64(max(a, 1)), 100*float64(f)/float64(max(b, 1))))
	}
	fmt.Fprintf(w, "  out-of-fold trade-off on the calibration texts (detected/flagged): %s\n", strings.Join(parts, ", "))
}

// report prints detection and false positives of the combined verdict,
// of the rules alone and of the model alone, per source.
func report(w io.Writer, items []item, p []float64, t float64, mode int, perSource bool) {
	groups := map[string][]int{"all": nil}
	for i := range items {
		groups["all"] = append(groups["all"], i)
		if perSource {
			groups[items[i].source] = append(groups[items[i].source], i)
		}
	}
	var names []string
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var a, b, det, fp, rdet, rfp, mdet, mfp int
		for _, i := range groups[n] {
			it := &items[i]
			f := flagged(it, p[i], t, mode)
			if it.ex.Y == 1 {
				a++
				if f || it.neutralized {
					det++
				}
				if it.rulesFlag || it.neutralized {
					rdet++
				}
				if p[i] >= t {
					mdet++
				}
			} else {
				b++
				if f {
					fp++
				}
				if it.rulesFlag {
					rfp++
				}
				if p[i] >= t {
					mfp++
				}
			}
		}
		fmt.Fprintf(w, "  %-8s combined: detected %s flagged %s | rules alone: %s, %s | model alone: %s, %s\n", n,
			pct(det, a), pct(fp, b), pct(rdet, a), pct(rfp, b), pct(mdet, a), pct(mfp, b))
	}
}

// reportBy prints the combined verdict's detection and false positives
// per key (a language, an attack class) with at least minAttacks attack
// texts, lowest detection first: where the signal lexicon or the training
// texts are thin. Items whose key is "" count nowhere.
func reportBy(w io.Writer, items []item, p []float64, t float64, mode, minAttacks int, what string, key func(*item) string) {
	type count struct{ a, det, b, fp int }
	by := map[string]*count{}
	for i := range items {
		it := &items[i]
		k := key(it)
		if k == "" {
			continue
		}
		c := by[k]
		if c == nil {
			c = &count{}
			by[k] = c
		}
		f := flagged(it, p[i], t, mode)
		if it.ex.Y == 1 {
			c.a++
			if f || it.neutralized {
				c.det++
			}
		} else {
			c.b++
			if f {
				c.fp++
			}
		}
	}
	var langs []string
	for l, c := range by {
		if c.a >= minAttacks {
			langs = append(langs, l)
		}
	}
	rate := func(l string) float64 { return float64(by[l].det) / float64(by[l].a) }
	sort.Slice(langs, func(i, j int) bool {
		if ri, rj := rate(langs[i]), rate(langs[j]); ri != rj {
			return ri < rj
		}
		return langs[i] < langs[j]
	})
	fmt.Fprintf(w, "  out of fold per %s (at least %d attacks; detected, flagged):\n", what, minAttacks)
	for _, l := range langs {
		c := by[l]
		fmt.Fprintf(w, "    %-8s %s  %s\n", l, pct(c.det, c.a), pct(c.fp, c.b))
	}
}

func pct(k, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d=%.1f%%", k, n, 100*float64(k)/float64(n))
}

// trainStage1 trains the first stage. With o.nb > 0 the hashed features
// are first scaled by their naive-Bayes log-count ratio r (Wang and
// Manning's NB-SVM, with logistic regression): the model is trained on
// r·x and its weights are stored as w·r, so the detector scores the same.
func trainStage1(ex []learned.Example, nd int, cfg learned.Config, o options) *learned.Weights {
	if o.bag > 1 {
		var avg *learned.Weights
		for b := 0; b < o.bag; b++ {
			c := cfg
			c.Seed = cfg.Seed + uint64(b)*1000003
			sub := ex
			if o.bagFrac > 0 && o.bagFrac < 1 {
				rng := rand.New(rand.NewPCG(c.Seed, 99))
				sub = nil
				for i := range ex {
					if rng.Float64() < o.bagFrac {
						sub = append(sub, ex[i])
					}
				}
			}
			o1 := o
			o1.bag = 0
			w := trainStage1(sub, nd, c, o1)
			if avg == nil {
				avg = w
				continue
			}
			avg.Bias += w.Bias
			for i := range w.W {
				avg.W[i] += w.W[i]
			}
			for i := range w.Dense {
				avg.Dense[i] += w.Dense[i]
			}
		}
		k := float64(o.bag)
		avg.Bias /= k
		for i := range avg.W {
			avg.W[i] /= k
		}
		for i := range avg.Dense {
			avg.Dense[i] /= k
		}
		return avg
	}
	if o.nb <= 0 {
		return learned.Train(ex, nd, cfg)
	}
	n := 1 << cfg.Bits
	p, q := make([]float64, n), make([]float64, n)
	var sp, sq float64
	for i := range ex {
		for k, b := range ex[i].Idx {
			v := math.Abs(float64(ex[i].Val[k]))
			if ex[i].Y == 1 {
				p[b] += v
				sp += v
			} else {
				q[b] += v
				sq += v
			}
		}
	}
	r := make([]float64, n)
	for b := range r {
		r[b] = math.Log(((p[b] + o.nb) / (sp + o.nb*float64(n))) / ((q[b] + o.nb) / (sq + o.nb*float64(n))))
	}
	scaled := make([]learned.Example, len(ex))
	for i := range ex {
		e := ex[i]
		e.Val = make([]float32, len(ex[i].Val))
		for k, b := range e.Idx {
			e.Val[k] = float32(float64(ex[i].Val[k]) * math.Abs(r[b]))
		}
		scaled[i] = e
	}
	w := learned.Train(scaled, nd, cfg)
	for b := range w.W {
		w.W[b] *= math.Abs(r[b])
	}
	return w
}

// ruleReport prints, for the train files' texts (other authors than the
// rules'), how many attacks and benign texts each rule class flags on its
// own (score >= Threshold): which rule findings can be trusted without
// the model.
func ruleReport(w io.Writer, items []item) {
	names := sanitize.RuleFeatureNames()
	var parts []string
	for j, n := range names {
		var a, b, na, nb int
		for i := range items {
			it := &items[i]
			if it.source == "tune" {
				continue
			}
			if it.ex.Y == 1 {
				na++
			} else {
				nb++
			}
			if it.rf[j] >= sanitize.Threshold {
				if it.ex.Y == 1 {
					a++
				} else {
					b++
				}
			}
		}
		if na+nb > 0 {
			parts = append(parts, fmt.Sprintf("%s %d/%d attacks, %d/%d benign", n, a, na, b, nb))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "rule classes alone on the train files (score >= 1): %s\n", strings.Join(parts, "; "))
	}
}

// trustedRules returns the rules that fired at full weight on at least
// minHits attack texts among the picked items and on benign ones at most
// once per ratio attack hits (never, with ratio 0), in sorted order.
func trustedRules(items []item, pick func(i int) bool, minHits, ratio int, sig bool) []string {
	att, ben := map[string]int{}, map[string]int{}
	for i := range items {
		if !pick(i) {
			continue
		}
		seen := map[string]bool{}
		for _, n := range items[i].strong {
			if seen[n] {
				continue
			}
			seen[n] = true
			if items[i].ex.Y == 1 {
				att[n]++
			} else {
				ben[n]++
			}
		}
	}
	var out []string
	for n, a := range att {
		if !sig && strings.HasPrefix(n, "sig_") {
			continue // the signal layer's verdicts: the model reads them
		}
		if a >= minHits && (ben[n] == 0 || ratio > 0 && ben[n]*ratio <= a) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// markTrusted sets it.trusted for the items that pick selects.
func markTrusted(items []item, pick func(i int) bool, rules []string) {
	for i := range items {
		if !pick(i) {
			continue
		}
		items[i].trusted = false
		for _, n := range items[i].strong {
			if slices.Contains(rules, n) {
				items[i].trusted = true
				break
			}
		}
	}
}

// ruleStats prints, per rule that fired at full weight, on how many
// attack and benign training texts it did (-rulestats).
func ruleStats(w io.Writer, items []item) {
	type st struct{ a, b, ta, tb int }
	m := map[string]*st{}
	for i := range items {
		seen := map[string]bool{}
		for _, n := range items[i].strong {
			if seen[n] {
				continue
			}
			seen[n] = true
			if m[n] == nil {
				m[n] = &st{}
			}
			x := m[n]
			tune := items[i].source == "tune"
			switch {
			case items[i].ex.Y == 1 && tune:
				x.ta++
			case items[i].ex.Y == 1:
				x.a++
			case tune:
				x.tb++
			default:
				x.b++
			}
		}
	}
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "rules at full weight: attacks/benign in tune, attacks/benign in the train files")
	for _, n := range names {
		x := m[n]
		fmt.Fprintf(w, "  %-32s %4d/%-3d %4d/%-3d\n", n, x.ta, x.tb, x.a, x.b)
	}
}

func countBenign(items []item) int {
	n := 0
	for i := range items {
		if items[i].ex.Y == 0 {
			n++
		}
	}
	return n
}

// augItem is a synthetic training text made of two training items a and
// b: it trains a fold only when neither is held out in it.
type augItem struct {
	a, b int
	ex   learned.Example
}

// augment builds o.aug synthetic texts per training attack: the attack
// inserted at a line break of a benign text of the same language (a
// buried attack), and as many benign texts joined to another (so that
// length alone says nothing).
func augment(s *sanitize.Sanitizer, items []item, o options) []augItem {
	if o.aug <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(31, 37))
	byLang := map[string][]int{}
	var benign []int
	for i := range items {
		if items[i].ex.Y == 0 && items[i].source == "train" {
			byLang[items[i].c.Lang] = append(byLang[items[i].c.Lang], i)
			benign = append(benign, i)
		}
	}
	join := func(host, guest string) string {
		var cuts []int
		for i := 0; i < len(host); i++ {
			if host[i] == '\n' {
				cuts = append(cuts, i+1)
			}
		}
		if len(cuts) == 0 {
			if rng.IntN(2) == 0 {
				return guest + "\n\n" + host
			}
			return host + "\n\n" + guest
		}
		c := cuts[rng.IntN(len(cuts))]
		return host[:c] + guest + "\n" + host[c:]
	}
	var out []augItem
	var cases []evalcorpus.Case
	var pairs [][2]int
	for i := range items {
		if items[i].ex.Y != 1 || items[i].source != "train" {
			continue
		}
		n := int(o.aug)
		if rng.Float64() < o.aug-float64(n) {
			n++
		}
		for range n {
			pool := byLang[items[i].c.Lang]
			if len(pool) == 0 {
				pool = benign
			}
			b := pool[rng.IntN(len(pool))]
			t := join(items[b].c.Text, items[i].c.Text)
			if len(t) > sanitize.ModelWholeBytes {
				continue
			}
			c := items[i].c
			c.Text = t
			cases, pairs = append(cases, c), append(pairs, [2]int{i, b})
			b2 := pool[rng.IntN(len(pool))]
			if b2 == b {
				continue
			}
			c2 := items[b].c
			c2.Text = join(items[b].c.Text, items[b2].c.Text)
			if len(c2.Text) > sanitize.ModelWholeBytes {
				continue
			}
			cases, pairs = append(cases, c2), append(pairs, [2]int{b, b2})
		}
	}
	for k, it := range prepare(s, cases, "aug", o) {
		out = append(out, augItem{a: pairs[k][0], b: pairs[k][1], ex: it.ex})
	}
	return out
}

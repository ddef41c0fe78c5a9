package sanitize

import (
	_ "embed"
	"fmt"
	"math"
	mathbits "math/bits"
	"sync"

	"github.com/bizmcp/bizmcp/shared/sanitize/learned"
)

// ClassLearned is reported when the learned model flags a text that the
// rules alone would not flag.
const ClassLearned = "learned"

// modelWeights is the learned model (package learned), written by
// `go run ./cmd/injtrain` (make train-detector); see README.md.
//
//go:embed model_weights.bin
var modelWeights []byte

// How the detector combines the model with the rules (learned.Model.Mode).
const (
	// ModeModel: flagged when the model's probability reaches its
	// threshold; the rule scores are among the model's features.
	ModeModel = 0
	// ModeOr: flagged when the rules flag or the model does.
	ModeOr = 1
	// ModeHard: flagged when the model does, or a rule class the model
	// cannot see (smuggled characters, hidden HTML, encoded payloads,
	// exfiltration links) reaches Threshold on its own.
	ModeHard = 2
)

var (
	modelOnce sync.Once
	model     *learned.Model
	extPool   = sync.Pool{New: func() any { return new(learned.Extractor) }}
)

// loadModel decodes the embedded weights once, on first use. A model that
// does not decode (a build from a broken checkout) leaves the rules alone
// in charge; TestModelWeights catches that.
func loadModel() *learned.Model {
	modelOnce.Do(func() {
		m := new(learned.Model)
		if err := m.UnmarshalBinary(modelWeights); err == nil {
			model = m
		}
	})
	return model
}

// ModelLoadError reports whether the embedded weights decode (for tests
// and cmd/injtrain -check).
func ModelLoadError() error {
	var m learned.Model
	if err := m.UnmarshalBinary(modelWeights); err != nil {
		return fmt.Errorf("embedded model: %w", err)
	}
	return nil
}

// Dense features the model gets from the rules: the total score, the
// score of each class that can flag (clipped), and whether the text talks
// about attacks or warns about secrets.
const numRuleFeatures = 1 + clsMultilingual + 1 + 2

// RuleFeatureNames names the rule features of ModelInput, in order.
func RuleFeatureNames() []string {
	out := []string{"total"}
	for c := 0; c <= clsMultilingual; c++ {
		out = append(out, classNames[c])
	}
	return append(out, "talks_about_attacks", "protective_advice")
}

func ruleFeatures(f *findings) []float64 {
	x := make([]float64, 0, numRuleFeatures)
	x = append(x, math.Min(math.Max(f.total, 0), 3))
	for c := 0; c <= clsMultilingual; c++ {
		x = append(x, math.Min(math.Max(f.class[c], 0), 2))
	}
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	return append(x, b(f.meta), b(f.protective))
}

// ModelInput returns what the learned model reads of in: the detector's
// text (normalized, invisible characters, hidden HTML and kept joiners
// removed) and the rule features (RuleFeatureNames; the first is the
// rules' total score, which flags at Threshold). It is the trainer's
// view of a text (cmd/injtrain).
func (s *Sanitizer) ModelInput(in string) (text string, rules []float64, signals []int32) {
	var res Result
	f, _ := s.analyze(in, &res)
	return f.det, ruleFeatures(f), sigFeatures(f.sigBits)
}

// Binary features of the signal categories (signals.go): which
// categories occur in the text (pairs and triples of categories within a
// window were tried and did worse in cross-validation). They are dense
// weights after the rule features: NumDenseFeatures in all.
const (
	numSigCats = 22 // sigAI … sigClaim
	sigBase    = numRuleFeatures
	// NumDenseFeatures is the number of dense weights of the model.
	NumDenseFeatures = sigBase + numSigCats
)

// sigFeatures returns the indices of the signal features that are on, in
// ascending order.
func sigFeatures(bits []uint32) []int32 {
	var present uint32
	for _, b := range bits {
		present |= b
	}
	present &= 1<<numSigCats - 1
	if present == 0 {
		return nil
	}
	out := make([]int32, 0, mathbits.OnesCount32(present))
	for x := present; x != 0; x &= x - 1 {
		out = append(out, int32(sigBase+bitIndex(x)))
	}
	return out
}

// hardScore is the rules' score from the classes the model cannot see.
func hardScore(f *findings) float64 {
	return f.class[clsSmuggling] + f.class[clsHidden] + f.class[clsEncoded] + f.class[clsExfilLink]
}

// verdict decides whether the findings flag, combining rules and model
// as the model's Mode says. learnedOnly is set when the model flags a
// text that the rules would not.
func verdict(f *findings) (flagged, learnedOnly bool) {
	rules := f.total >= Threshold
	m := loadModel()
	if m == nil {
		return rules, false
	}
	e := extPool.Get().(*learned.Extractor)
	p := learned.Prob(m.Logit(e, f.det, ruleFeatures(f), sigFeatures(f.sigBits)))
	extPool.Put(e)
	f.prob = p
	byModel := p >= float64(m.Threshold)
	switch m.Mode {
	case ModeOr:
		flagged = rules || byModel
	case ModeHard:
		flagged = byModel || hardScore(f) >= Threshold
	default:
		flagged = byModel
	}
	f.names = append(f.names, fmt.Sprintf("learned(p=%.2f,t=%.2f)", p, m.Threshold))
	return flagged, flagged && !rules
}

// addClass inserts c into the sorted list cls (a new slice).
func addClass(cls []string, c string) []string {
	out := make([]string, 0, len(cls)+1)
	i := 0
	for i < len(cls) && cls[i] < c {
		out = append(out, cls[i])
		i++
	}
	out = append(out, c)
	return append(out, cls[i:]...)
}

// ModelInfo describes the embedded model in one line (cmd/injeval).
func ModelInfo() string {
	m := loadModel()
	if m == nil {
		return "learned model: none (the embedded weights do not decode; rules only)"
	}
	mode := map[uint8]string{ModeModel: "the model decides", ModeOr: "rules or model", ModeHard: "the model decides; smuggled, hidden, encoded and exfiltration-link findings flag on their own"}[m.Mode]
	stage := "one stage"
	if len(m.Stack) > 0 {
		stage = "two stages (n-grams and signal categories, then with the rule scores)"
	}
	return fmt.Sprintf("learned model: %d bytes, %d hashed weights, %s, threshold %.3f; %s", len(modelWeights), len(m.Q), stage, m.Threshold, mode)
}

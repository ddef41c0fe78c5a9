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

// Binary features of the signal categories (signals.go): which categories
// occur in the text, and which pairs and triples of them occur within
// sigWindow tokens of each other. They are dense weights after the rule
// features: NumDenseFeatures in all.
const (
	numSigCats = 22 // sigAI … sigClaim
	sigBase    = numRuleFeatures
	pairBase   = sigBase + numSigCats
	tripleBase = pairBase + numSigCats*numSigCats
	// SigPairBase and SigTripleBase are where the pair and triple
	// features start (for the trainer's experiments).
	SigPairBase   = pairBase
	SigTripleBase = tripleBase
	// NumDenseFeatures is the number of dense weights of the model.
	NumDenseFeatures = tripleBase + numSigCats*numSigCats*numSigCats
	// maxSigCombos bounds the windows whose combinations are enumerated
	// (each costs up to numSigCats³/6 steps), keeping the pass linear.
	maxSigCombos = 512
)

// sigFeatures returns the indices of the signal features that are on, in
// ascending order.
func sigFeatures(bits []uint32) []int32 {
	var count [32]int
	var present uint32
	var pairs [(numSigCats*numSigCats + 63) / 64]uint64
	var triples [(numSigCats*numSigCats*numSigCats + 63) / 64]uint64
	var done [64]uint64 // (new bits, window) combinations already enumerated
	combos := 0
	for k, b := range bits {
		for x := b; x != 0; x &= x - 1 {
			count[bitIndex(x)]++
		}
		if k >= sigWindow {
			for x := bits[k-sigWindow]; x != 0; x &= x - 1 {
				count[bitIndex(x)]--
			}
		}
		b &= 1<<numSigCats - 1
		if b == 0 {
			continue
		}
		present |= b
		var have uint32
		for i := 0; i < numSigCats; i++ {
			if count[i] > 0 {
				have |= 1 << i
			}
		}
		key := uint64(b)<<32 | uint64(have)
		slot := (key * 0x9e3779b97f4a7c15) >> 58
		if done[slot] == key+1 || combos >= maxSigCombos {
			continue
		}
		done[slot] = key + 1
		combos++
		for x := b; x != 0; x &= x - 1 {
			a := bitIndex(x)
			rest := have &^ (1 << a)
			for y := rest; y != 0; y &= y - 1 {
				c := bitIndex(y)
				i, j := min(a, c), max(a, c)
				p := i*numSigCats + j
				pairs[p/64] |= 1 << (p % 64)
				for z := rest & (y - 1); z != 0; z &= z - 1 {
					d := bitIndex(z) // d < c
					t := [3]int{a, c, d}
					if t[0] > t[1] {
						t[0], t[1] = t[1], t[0]
					}
					if t[1] > t[2] {
						t[1], t[2] = t[2], t[1]
					}
					if t[0] > t[1] {
						t[0], t[1] = t[1], t[0]
					}
					q := (t[0]*numSigCats+t[1])*numSigCats + t[2]
					triples[q/64] |= 1 << (q % 64)
				}
			}
		}
	}
	if present == 0 {
		return nil
	}
	var out []int32
	for x := present; x != 0; x &= x - 1 {
		out = append(out, int32(sigBase+bitIndex(x)))
	}
	for w, v := range pairs {
		for ; v != 0; v &= v - 1 {
			out = append(out, int32(pairBase+w*64+bits64Index(v)))
		}
	}
	for w, v := range triples {
		for ; v != 0; v &= v - 1 {
			out = append(out, int32(tripleBase+w*64+bits64Index(v)))
		}
	}
	return out
}

func bits64Index(v uint64) int { return mathbits.TrailingZeros64(v) }

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

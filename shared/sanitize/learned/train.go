package learned

import (
	"math"
	"math/rand/v2"
)

// Example is one training text as a sparse vector.
type Example struct {
	Idx   []int32   // buckets, ascending, unique
	Val   []float32 // their values
	Dense []float64 // dense features
	On    []int32   // further dense features that are 1
	Segs  []Seg     // segments in the hidden layer's bucket space (VectorizeHidden)
	Sents []Seg     // segments among the linear weights' buckets (VectorizeHidden)
	Y     float64   // 1 attack, 0 benign
	W     float64   // weight of the example (0 means 1)
}

// Vectorize returns the sparse feature vector of the parts of a text
// among 1<<bits buckets, as Model.Logit sees it: signed counts divided by
// √count.
func Vectorize(e *Extractor, parts []string, bits uint) (idx []int32, val []float32) {
	acc := map[int32]float64{}
	n := e.PartFeatures(parts, func(h uint32) {
		b, s := Bucket(h, bits)
		acc[int32(b)] += s
	})
	if n == 0 {
		return nil, nil
	}
	return sparse(acc, 1/math.Sqrt(float64(n)))
}

// Config sets the trainer.
type Config struct {
	Bits   uint    // log2 of the hashed buckets
	L2     float64 // L2 penalty per example step
	Epochs int
	Rate   float64 // AdaGrad base rate
	Seed   uint64
	Hidden int     // hidden units (0: none)
	HBits  uint    // log2 of the hidden layer's buckets
	HInit  float64 // scale of the hidden layer's random initial weights (0: 0.5)
	// HEpochs > 0: train the linear part alone for Epochs, then the
	// hidden layer alone (the linear part fixed) for HEpochs.
	HEpochs int
	HRate   float64 // AdaGrad rate of the hidden layer (0: Rate)
	HPos    bool    // the hidden units' output weights stay >= 0 (they can only add evidence of an attack)
}

// Weights are trained float weights before quantization.
type Weights struct {
	W     []float64 // hashed, len 1<<Bits
	Dense []float64
	Bias  float64
	// Hidden layer (Config.Hidden units): E[b·H+j] weights of bucket b
	// into unit j, HB biases, HV output weights.
	H      int
	HBits  uint
	E      []float64
	HB, HV []float64
}

// Train fits a logistic regression with AdaGrad over the examples in a
// shuffled order fixed by cfg.Seed; both classes weigh the same in total.
// Deterministic: the same examples in the same order give the same
// weights.
func Train(ex []Example, nd int, cfg Config) *Weights {
	w := &Weights{W: make([]float64, 1<<cfg.Bits), Dense: make([]float64, nd)}
	g2 := make([]float64, 1<<cfg.Bits)
	gd := make([]float64, nd)
	var gb float64
	H := cfg.Hidden
	var gE, gHB, gHV, hval []float64
	var harg []int
	if H > 0 {
		w.H, w.HBits = H, cfg.HBits
		w.E = make([]float64, H<<cfg.HBits)
		w.HB, w.HV = make([]float64, H), make([]float64, H)
		gE, gHB, gHV = make([]float64, len(w.E)), make([]float64, H), make([]float64, H)
		hval, harg = make([]float64, H), make([]int, H)
		r := cfg.HInit
		if r == 0 {
			r = 0.5
		}
		irng := rand.New(rand.NewPCG(cfg.Seed^0x41dd, 0x1234))
		for i := range w.E {
			w.E[i] = r * (2*irng.Float64() - 1)
		}
		for j := range w.HV {
			w.HV[j] = 0.1 * (2*irng.Float64() - 1)
			if cfg.HPos {
				w.HV[j] = math.Abs(w.HV[j])
			}
			w.HB[j] = 0.01
		}
	}
	pos := 0
	for _, e := range ex {
		if e.Y > 0.5 {
			pos++
		}
	}
	neg := len(ex) - pos
	cw := [2]float64{1, 1}
	if pos > 0 && neg > 0 {
		cw[0] = float64(len(ex)) / (2 * float64(neg))
		cw[1] = float64(len(ex)) / (2 * float64(pos))
	}
	order := make([]int, len(ex))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed))
	const eps = 1e-8
	hrate := cfg.HRate
	if hrate == 0 {
		hrate = cfg.Rate
	}
	for ep := 0; ep < cfg.Epochs+cfg.HEpochs; ep++ {
		lin := cfg.HEpochs == 0 || ep < cfg.Epochs
		hid := H > 0 && (cfg.HEpochs == 0 || ep >= cfg.Epochs)
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			e := &ex[k]
			z := w.Bias
			for i, b := range e.Idx {
				z += float64(w.W[b] * float64(e.Val[i]))
			}
			for j, x := range e.Dense {
				z += float64(w.Dense[j] * x)
			}
			for _, j := range e.On {
				z += w.Dense[j]
			}
			if hid {
				hiddenFloat(e.Segs, w.E, w.HB, H, hval, harg)
				for j, v := range hval {
					z += w.HV[j] * v
				}
			}
			c := cw[0]
			if e.Y > 0.5 {
				c = cw[1]
			}
			if e.W > 0 {
				c = float64(c * e.W)
			}
			g := float64(c * (Prob(z) - e.Y))
			if hid {
				w.trainHidden(e, g, hval, harg, gE, gHB, gHV, hrate, cfg.L2)
				if cfg.HPos {
					for j, v := range w.HV {
						w.HV[j] = max(v, 0)
					}
				}
			}
			if !lin {
				continue
			}
			for i, b := range e.Idx {
				gi := float64(g*float64(e.Val[i])) + float64(cfg.L2*w.W[b])
				g2[b] += float64(gi * gi)
				w.W[b] -= float64(cfg.Rate * gi / (math.Sqrt(g2[b]) + eps))
			}
			for j, x := range e.Dense {
				gi := float64(g*x) + float64(cfg.L2*w.Dense[j])
				gd[j] += float64(gi * gi)
				w.Dense[j] -= float64(cfg.Rate * gi / (math.Sqrt(gd[j]) + eps))
			}
			for _, j := range e.On {
				gi := g + float64(cfg.L2*w.Dense[j])
				gd[j] += float64(gi * gi)
				w.Dense[j] -= float64(cfg.Rate * gi / (math.Sqrt(gd[j]) + eps))
			}
			gb += float64(g * g)
			w.Bias -= float64(cfg.Rate * g / (math.Sqrt(gb) + eps))
		}
	}
	return w
}

// Logit scores an example with float weights.
func (w *Weights) Logit(e *Example) float64 {
	z := w.Bias
	for i, b := range e.Idx {
		z += w.W[b] * float64(e.Val[i])
	}
	for j, x := range e.Dense {
		z += w.Dense[j] * x
	}
	for _, j := range e.On {
		z += w.Dense[j]
	}
	if w.H > 0 {
		val, arg := make([]float64, w.H), make([]int, w.H)
		hiddenFloat(e.Segs, w.E, w.HB, w.H, val, arg)
		for j, v := range val {
			z += w.HV[j] * v
		}
	}
	return z
}

// Quantize turns float weights into a Model: hashed weights become int8
// steps of max|w|/127.
func (w *Weights) Quantize(bits uint, threshold float64) *Model {
	var mx float64
	for _, v := range w.W {
		mx = max(mx, math.Abs(v))
	}
	m := &Model{Bits: bits, Bias: float32(w.Bias), Threshold: float32(threshold), Q: make([]int8, len(w.W))}
	if mx > 0 {
		m.Scale = float32(mx / 127)
		for i, v := range w.W {
			m.Q[i] = int8(math.Round(v / float64(m.Scale)))
		}
	}
	for _, d := range w.Dense {
		m.Dense = append(m.Dense, float32(d))
	}
	if w.H > 0 {
		m.H, m.HBits = w.H, w.HBits
		m.HQ = make([]int8, len(w.E))
		var me float64
		for _, v := range w.E {
			me = max(me, math.Abs(v))
		}
		if me > 0 {
			m.HScale = float32(me / 127)
			for i, v := range w.E {
				m.HQ[i] = int8(math.Round(v / float64(m.HScale)))
			}
		}
		for j := range w.HB {
			m.HBias = append(m.HBias, float32(w.HB[j]))
			m.HOut = append(m.HOut, float32(w.HV[j]))
		}
	}
	return m
}

// QLogit scores an example with the quantized model (what Model.Logit
// computes on the text); x are the dense feature values the second stage
// reads (the example's own Dense when nil).
func (m *Model) QLogit(e *Example, x []float64) float64 {
	var sum float64
	for i, b := range e.Idx {
		sum += float64(m.Q[b]) * float64(e.Val[i])
	}
	if x == nil {
		x = e.Dense
	}
	z := float64(m.Bias) + float64(m.Scale)*sum
	if m.H > 0 {
		act, val := make([]float64, m.H), make([]float64, m.H)
		for _, sg := range e.Segs {
			for j := range act {
				act[j] = 0
			}
			for i, b := range sg.Idx {
				v := float64(sg.Val[i])
				row := m.HQ[int(b)*m.H : int(b)*m.H+m.H]
				for j := range act {
					act[j] += float64(row[j]) * v
				}
			}
			for j := range act {
				val[j] = max(val[j], float64(m.HBias[j])+float64(m.HScale)*act[j])
			}
		}
		for j, v := range val {
			z += float64(m.HOut[j]) * v
		}
	}
	return m.finish(z, x, e.On, m.QSentMax(e))
}

// QLogitDense applies the dense part and the second stage of the model to
// a first-stage hashed logit z (for the trainer's stacking).
func (m *Model) QLogitDense(z float64, x []float64, zs float64, on []int32) float64 {
	return m.finish(z, x, on, zs)
}

// QSentMax is the largest hashed part of the first-stage logit over the
// example's sentences (each divided by the square root of its count), 0
// without sentences: what the second stage reads as the sentence score.
func (m *Model) QSentMax(e *Example) float64 {
	best := 0.0
	for k, sg := range e.Sents {
		var sum float64
		for i, b := range sg.Idx {
			sum += float64(m.Q[b]) * float64(sg.Val[i])
		}
		if z := float64(m.Scale) * sum; k == 0 || z > best {
			best = z
		}
	}
	return best
}

// trainHidden makes one AdaGrad step of the hidden layer for example e
// with gradient g at the logit (hval, harg: the forward pass).
func (w *Weights) trainHidden(e *Example, g float64, hval []float64, harg []int, gE, gHB, gHV []float64, rate, l2 float64) {
	const eps = 1e-8
	H := w.H
	for j := 0; j < H; j++ {
		gv := g*hval[j] + l2*w.HV[j]
		gHV[j] += gv * gv
		if s := harg[j]; s >= 0 {
			ga := g * w.HV[j] // gradient at the unit's activation
			gHB[j] += ga * ga
			w.HB[j] -= rate * ga / (math.Sqrt(gHB[j]) + eps)
			sg := &e.Segs[s]
			for i, b := range sg.Idx {
				k := int(b)*H + j
				gi := ga*float64(sg.Val[i]) + l2*w.E[k]
				gE[k] += gi * gi
				w.E[k] -= rate * gi / (math.Sqrt(gE[k]) + eps)
			}
		}
		w.HV[j] -= rate * gv / (math.Sqrt(gHV[j]) + eps)
	}
}

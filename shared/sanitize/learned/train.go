package learned

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Example is one training text as a sparse vector.
type Example struct {
	Idx   []int32   // buckets, ascending, unique
	Val   []float32 // their values
	Dense []float64 // dense features
	On    []int32   // further dense features that are 1
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
	norm := 1 / math.Sqrt(float64(n))
	for b, v := range acc {
		if v != 0 {
			idx = append(idx, b)
		}
	}
	slices.Sort(idx)
	val = make([]float32, len(idx))
	for i, b := range idx {
		val[i] = float32(acc[b] * norm)
	}
	return idx, val
}

// Config sets the trainer.
type Config struct {
	Bits   uint    // log2 of the hashed buckets
	L2     float64 // L2 penalty per example step
	Epochs int
	Rate   float64 // AdaGrad base rate
	Seed   uint64
}

// Weights are trained float weights before quantization.
type Weights struct {
	W     []float64 // hashed, len 1<<Bits
	Dense []float64
	Bias  float64
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
	for ep := 0; ep < cfg.Epochs; ep++ {
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
			c := cw[0]
			if e.Y > 0.5 {
				c = cw[1]
			}
			if e.W > 0 {
				c = float64(c * e.W)
			}
			g := float64(c * (Prob(z) - e.Y))
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
	return m.finish(float64(m.Bias)+float64(m.Scale)*sum, x, e.On)
}

// QLogitDense applies the dense part and the second stage of the model to
// a first-stage hashed logit z (for the trainer's stacking).
func (m *Model) QLogitDense(z float64, x []float64) float64 { return m.finish(z, x, nil) }

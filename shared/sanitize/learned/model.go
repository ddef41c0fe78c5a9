package learned

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
)

// Model is a logistic regression over the hashed features of a text plus
// dense features, optionally stacked with a second logistic regression
// that combines the first one's logit with the rule scores of the
// detector. The first stage's logit is
//
//	z1 = Bias + Scale·Σ sign·Q[bucket] / √count + Σ Dense[j]·x[j] + Σ Dense[on]
//
// (x: dense feature values, on: indices of binary features that are set);
// with a second stage (Stack not empty) the logit is
//
//	z = Stack[0] + Stack[1]·z1 + Σ Stack[2+j]·x[j]
//
// (and Stack[2+len(x)]·zs when Stack has that weight: zs is the highest
// hashed part of z1 over the sentences, with Sentences set)
// plus, when the second stage has a hidden layer (S2H units),
//
//	Σ S2V[j]·max(0, S2B[j] + Σ S2W[i·S2H+j]·u[i])
//
// over the inputs u that StackInputs lays out (z1/4, x, the binary
// features: interactions of the signal categories with each other, with
// z1 and with the rule scores), and the probability of an injection is
// 1/(1+e^-z). Hashed weights are quantized to int8 (Scale is the step);
// the others stay float32. A first-stage hidden layer over the hashed
// features (H, see hidden.go) is supported for the trainer's
// experiments.
type Model struct {
	Bits      uint      // log2 of the number of hashed buckets
	Scale     float32   // weight of one quantization step
	Bias      float32   // intercept
	Threshold float32   // probability at which the detector flags
	Veto      float32   // probability under which the model overrules the rules' flag (the detector decides how)
	Mode      uint8     // how the detector combines model and rules (the detector defines the values)
	Dense     []float32 // first-stage weights of the dense and binary features
	Stack     []float32 // second stage: intercept, weight of z1, weights of x
	Q         []int8    // hashed weights, len 1<<Bits
	Rules     []string  // trusted rules: they flag on their own (the detector decides how)

	// The hidden layer (see hidden.go): H units over 1<<HBits buckets,
	// weights HQ (int8, step HScale, bucket-major), biases HBias and
	// output weights HOut; max-pooled over the sentences of the text when
	// Sentences is set (the linear weights then read no n-gram that spans
	// two sentences), over each part whole otherwise.
	H         int
	HBits     uint
	Sentences bool
	HScale    float32
	HBias     []float32
	HOut      []float32
	HQ        []int8

	// The second stage's hidden layer: S2H units over the S2N inputs
	// that StackInputs lays out (the first stage's logit, the dense
	// features, the sentence score, the binary features), weights S2W
	// (input-major: S2W[i·S2H+j] from input i to unit j), biases S2B,
	// output weights S2V; it adds Σ S2V[j]·max(0, unit j) to the second
	// stage's logit.
	S2H, S2N int
	S2W      []float32
	S2B, S2V []float32
}

// MaxStackInputs bounds S2N.
const MaxStackInputs = 64

// StackInputs writes into u (its length is the number of inputs) the
// inputs of the second stage's hidden layer: the first stage's logit z1
// divided by 4 (to the scale of the others), the dense features x, the
// sentence score zs when sent is set, then 1 at the offset of each binary
// feature in on (an index of a dense weight); what does not fit is left
// out.
func StackInputs(u []float64, z1 float64, x []float64, zs float64, sent bool, on []int32) {
	for i := range u {
		u[i] = 0
	}
	put := func(i int, v float64) {
		if i >= 0 && i < len(u) {
			u[i] = v
		}
	}
	put(0, z1/4)
	for j, v := range x {
		put(1+j, v)
	}
	k := 1 + len(x)
	if sent {
		put(k, zs)
		k++
	}
	for _, j := range on {
		put(k+int(j), 1)
	}
}

const magic = "BZLM"

// header: magic, version, bits, mode, flags (1: Sentences), the number
// of dense and of stack weights (uint32 each), then scale, bias,
// threshold, veto as float32, the dense weights, the stack weights, the
// hashed ones (int8); the hidden layer: H (uint32), HBits (uint32),
// HScale, H biases and H output weights (float32), H<<HBits weights
// (int8); and the trusted rules: their length in bytes (uint32), names
// separated by '\n'.
const headerLen = 4 + 4 + 8 + 4*4

// MarshalBinary encodes the model (little endian).
func (m *Model) MarshalBinary() ([]byte, error) {
	if len(m.Q) != 1<<m.Bits || len(m.Dense) > 1<<16 || len(m.Stack) > 1<<10 ||
		m.H < 0 || m.H > 1<<10 || m.HBits > 20 || len(m.HQ) != m.H<<m.HBits || len(m.HBias) != m.H || len(m.HOut) != m.H ||
		m.S2H < 0 || m.S2H > 1<<10 || m.S2N < 0 || m.S2N > MaxStackInputs || len(m.S2W) != m.S2H*m.S2N || len(m.S2B) != m.S2H || len(m.S2V) != m.S2H {
		return nil, errors.New("learned: inconsistent model")
	}
	var flags byte
	if m.Sentences {
		flags |= 1
	}
	var b bytes.Buffer
	b.WriteString(magic)
	b.Write([]byte{Version, byte(m.Bits), m.Mode, flags})
	binary.Write(&b, binary.LittleEndian, uint32(len(m.Dense)))
	binary.Write(&b, binary.LittleEndian, uint32(len(m.Stack)))
	fs := append([]float32{m.Scale, m.Bias, m.Threshold, m.Veto}, m.Dense...)
	for _, f := range append(fs, m.Stack...) {
		binary.Write(&b, binary.LittleEndian, math.Float32bits(f))
	}
	for _, q := range m.Q {
		b.WriteByte(byte(q))
	}
	binary.Write(&b, binary.LittleEndian, uint32(m.H))
	binary.Write(&b, binary.LittleEndian, uint32(m.HBits))
	for _, f := range append(append([]float32{m.HScale}, m.HBias...), m.HOut...) {
		binary.Write(&b, binary.LittleEndian, math.Float32bits(f))
	}
	for _, q := range m.HQ {
		b.WriteByte(byte(q))
	}
	binary.Write(&b, binary.LittleEndian, uint32(m.S2H))
	binary.Write(&b, binary.LittleEndian, uint32(m.S2N))
	for _, f := range append(append(append([]float32{}, m.S2B...), m.S2V...), m.S2W...) {
		binary.Write(&b, binary.LittleEndian, math.Float32bits(f))
	}
	names := strings.Join(m.Rules, "\n")
	binary.Write(&b, binary.LittleEndian, uint32(len(names)))
	b.WriteString(names)
	return b.Bytes(), nil
}

// UnmarshalBinary decodes a model written by MarshalBinary.
func (m *Model) UnmarshalBinary(data []byte) error {
	if len(data) < headerLen || string(data[:4]) != magic {
		return errors.New("learned: not a model file")
	}
	if data[4] != Version {
		return fmt.Errorf("learned: model version %d, want %d (retrain with go run ./cmd/injtrain)", data[4], Version)
	}
	bits := uint(data[5])
	nd, ns := int(binary.LittleEndian.Uint32(data[8:])), int(binary.LittleEndian.Uint32(data[12:]))
	off := headerLen + 4*(nd+ns)
	if bits < 1 || bits > 24 || nd > 1<<16 || ns > 1<<10 || data[7] > 1 || len(data) < off+1<<bits+12 {
		return errors.New("learned: model file has the wrong size")
	}
	hid := data[off+1<<bits:]
	H, hbits := binary.LittleEndian.Uint32(hid), binary.LittleEndian.Uint32(hid[4:])
	if H > 1<<10 || hbits > 20 || uint64(len(hid)) < 12+8*uint64(H)+uint64(H)<<hbits+4 {
		return errors.New("learned: model file has the wrong size")
	}
	hlen := 12 + 8*int(H) + int(H)<<hbits
	s2 := hid[hlen:]
	if len(s2) < 12 {
		return errors.New("learned: model file has the wrong size")
	}
	s2h, s2n := binary.LittleEndian.Uint32(s2), binary.LittleEndian.Uint32(s2[4:])
	if s2h > 1<<10 || s2n > MaxStackInputs || uint64(len(s2)) < 8+4*uint64(s2h)*(2+uint64(s2n))+4 {
		return errors.New("learned: model file has the wrong size")
	}
	s2len := 8 + 4*int(s2h)*(2+int(s2n))
	tail := s2[s2len:]
	if nr := binary.LittleEndian.Uint32(tail); uint64(len(tail)) != 4+uint64(nr) {
		return errors.New("learned: model file has the wrong size")
	}
	f := func(i int) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(data[16+4*i:])) }
	*m = Model{Bits: bits, Mode: data[6], Scale: f(0), Bias: f(1), Threshold: f(2), Veto: f(3), Dense: make([]float32, nd), Q: make([]int8, 1<<bits)}
	for j := range m.Dense {
		m.Dense[j] = f(4 + j)
	}
	if ns > 0 {
		m.Stack = make([]float32, ns)
		for j := range m.Stack {
			m.Stack[j] = f(4 + nd + j)
		}
	}
	for i := range m.Q {
		m.Q[i] = int8(data[off+i])
	}
	m.Sentences = data[7]&1 != 0
	if s2h > 0 {
		m.S2H, m.S2N = int(s2h), int(s2n)
		sf := func(i int) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(s2[8+4*i:])) }
		m.S2B, m.S2V, m.S2W = make([]float32, s2h), make([]float32, s2h), make([]float32, s2h*s2n)
		for j := range m.S2B {
			m.S2B[j], m.S2V[j] = sf(j), sf(int(s2h)+j)
		}
		for i := range m.S2W {
			m.S2W[i] = sf(2*int(s2h) + i)
		}
	}
	if H > 0 {
		m.H, m.HBits = int(H), uint(hbits)
		hf := func(i int) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(hid[8+4*i:])) }
		m.HScale = hf(0)
		m.HBias, m.HOut = make([]float32, H), make([]float32, H)
		for j := range m.HBias {
			m.HBias[j], m.HOut[j] = hf(1+j), hf(1+int(H)+j)
		}
		m.HQ = make([]int8, int(H)<<hbits)
		for i := range m.HQ {
			m.HQ[i] = int8(hid[12+8*int(H)+i])
		}
	}
	if len(tail) > 4 {
		m.Rules = strings.Split(string(tail[4:]), "\n")
	}
	return nil
}

// Logit scores the parts of a text (PartFeatures), the dense features x
// and the binary features on (indices of dense weights whose feature is
// 1).
func (m *Model) Logit(e *Extractor, parts []string, x []float64, on []int32) float64 {
	z, _ := m.logit(e, parts, x, on, countNone)
	return z
}

// LogitRep is Logit that also returns the parts' Repetition, in the same
// pass.
func (m *Model) LogitRep(e *Extractor, parts []string, x []float64, on []int32) (z, rep float64) {
	return m.logit(e, parts, x, on, countExact)
}

// boundMaxBytes is the longest text (all parts) LogitJudged bounds the
// repetition of instead of counting it: the detector's whole texts
// (up to 2 KiB) and windows (1 KiB) all fit. The bound's counts are
// 16-bit: Blocks gives at most 7 hashes per rune (5 n-grams with Lo = 1,
// a word and a bigram), and a part of b bytes at most b+1 runes (its
// closing space), so 4 KiB of nonempty parts give at most 7·2·4096 =
// 57,344 hashes, fewer than 1<<16.
const boundMaxBytes = 4096

// LogitJudged is Logit that also reports whether the parts are judged:
// whether their Repetition is at most MaxRepetition, as LogitRep's
// answer would say. A text's features go to a small sketch (bound)
// instead of the exact count; only when the sketch's Σ(bucket count)²
// exceeds MaxRepetition times the number of features are they counted
// exactly, in a second pass (the sketch's sum is at least the exact Σc²).
func (m *Model) LogitJudged(e *Extractor, parts []string, x []float64, on []int32) (z float64, judged bool) {
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	if m.H > 0 || m.Sentences || size > boundMaxBytes {
		z, rep := m.logit(e, parts, x, on, countExact)
		return z, rep <= MaxRepetition
	}
	e.bound.reset(size)
	z, _ = m.logit(e, parts, x, on, countBound)
	return z, e.bound.judged() || e.RepetitionSegments(parts, false) <= MaxRepetition
}

// What logit counts besides the logit: nothing, the exact repetition
// (LogitRep) or its bound (LogitJudged).
const (
	countNone = iota
	countExact
	countBound
)

func (m *Model) logit(e *Extractor, parts []string, x []float64, on []int32, count int) (float64, float64) {
	var sum int64
	mask := uint32(1)<<m.Bits - 1
	q := m.Q
	n := 0
	if count == countExact {
		e.rep.reset()
	}
	if m.H == 0 && !m.Sentences {
		// The linear weights alone over each part whole.
		// The closures sum in locals: sum and bss, which they capture,
		// live in memory.
		fn := func(hs []uint32) {
			s := sum
			for _, h := range hs {
				neg := int64(int32(h) >> 31) // -1 when the sign bit is set
				s += (int64(q[h&mask]) ^ neg) - neg
			}
			sum = s
			if count == countExact {
				e.rep.addAll(hs)
			}
		}
		bss := 0 // the sketch's sum of squares (countBound)
		if count == countBound {
			// bound.addAll in the same loop as the weights: one pass
			// over the hashes.
			cnt := e.bound.cnt
			bmask := uint32(len(cnt) - 1)
			fn = func(hs []uint32) {
				s, ss := sum, bss
				for _, h := range hs {
					neg := int64(int32(h) >> 31)
					s += (int64(q[h&mask]) ^ neg) - neg
					p := &cnt[h&bmask]
					c := *p
					*p = c + 1
					ss += 2*int(c) + 1
				}
				sum, bss = s, ss
			}
		}
		for k, text := range parts {
			n += e.Blocks(text, uint32(k)*saltPart, fn)
		}
		if count == countBound {
			e.bound.ss += bss
			e.bound.n += n
		}
		z := float64(m.Bias)
		if n > 0 {
			z += float64(m.Scale) * float64(sum) / math.Sqrt(float64(n))
		}
		rep := 1.0
		if count == countExact && e.rep.n > 0 {
			rep = float64(e.rep.ss) / float64(e.rep.n)
		}
		return m.finish(z, x, on, 0), rep
	}
	H := m.H
	if H > 0 && len(e.hacc) < H {
		e.hacc, e.hval = make([]int32, H), make([]float64, H)
	}
	acc, pooled := e.hacc[:H], e.hval[:H]
	for j := range pooled {
		pooled[j] = 0
	}
	hq, shift, hmask := m.HQ, 31-m.HBits, uint32(1)<<m.HBits-1
	var sum0 int64 // sum before the segment
	zs, haveS := 0.0, false
	segmentsOf(parts, m.Sentences, func(k int, seg string) {
		for j := range acc {
			acc[j] = 0
		}
		ns := e.Blocks(seg, uint32(k)*saltPart, func(hs []uint32) {
			for _, h := range hs {
				neg := int64(int32(h) >> 31) // -1 when the sign bit is set
				sum += (int64(q[h&mask]) ^ neg) - neg
				if H > 0 {
					row := hq[int(h>>shift&hmask)*H:][:H]
					if neg != 0 {
						for j, w := range row {
							acc[j] -= int32(w)
						}
					} else {
						for j, w := range row {
							acc[j] += int32(w)
						}
					}
				}
				if count == countExact {
					e.rep.add(h)
				}
			}
		})
		n += ns
		if ns > 0 {
			v := float64(m.Scale) * float64(sum-sum0) / math.Sqrt(float64(ns))
			if !haveS || v > zs {
				zs, haveS = v, true
			}
		}
		sum0 = sum
		if H > 0 && ns > 0 {
			inv := float64(m.HScale) / math.Sqrt(float64(ns))
			for j, a := range acc {
				pooled[j] = max(pooled[j], float64(m.HBias[j])+inv*float64(a))
			}
		}
	})
	z := float64(m.Bias)
	if n > 0 {
		z += float64(m.Scale) * float64(sum) / math.Sqrt(float64(n))
	}
	for j, v := range pooled {
		z += float64(m.HOut[j]) * v
	}
	rep := 1.0
	if count == countExact && e.rep.n > 0 {
		rep = float64(e.rep.ss) / float64(e.rep.n)
	}
	return m.finish(z, x, on, zs), rep
}

// finish adds the dense and binary features to the hashed part z of the
// first stage and applies the second.
func (m *Model) finish(z float64, x []float64, on []int32, zs float64) float64 {
	for j, w := range m.Dense {
		if j >= len(x) {
			break
		}
		z += float64(w) * x[j]
	}
	for _, j := range on {
		if int(j) < len(m.Dense) {
			z += float64(m.Dense[j])
		}
	}
	if len(m.Stack) < 2 {
		return z
	}
	s := float64(m.Stack[0]) + float64(m.Stack[1])*z
	for j, w := range m.Stack[2:] {
		if j < len(x) {
			s += float64(w) * x[j]
		} else if j == len(x) {
			s += float64(w) * zs // the sentence score
		}
	}
	if m.S2H > 0 {
		// Input-major, as S2W is laid out: each unit's sum adds the same
		// products in the same order (i ascending) as unit by unit, so
		// the result is the same to the bit, and only the inputs that are
		// set are read (most binary features are 0).
		var abuf [64]float64
		a := abuf[:0]
		if m.S2H <= len(abuf) {
			a = abuf[:m.S2H]
		} else {
			a = make([]float64, m.S2H)
		}
		for j, b := range m.S2B {
			a[j] = float64(b)
		}
		sent := len(m.Stack) > 2+len(x)
		if !m.stackDirect(a, z, x, zs, sent, on) {
			var buf [MaxStackInputs]float64
			u := buf[:m.S2N]
			StackInputs(u, z, x, zs, sent, on)
			for i, v := range u {
				m.stackAdd(a, i, v)
			}
		}
		for j, x := range a {
			if x > 0 {
				s += float64(m.S2V[j]) * x
			}
		}
	}
	return s
}

// stackAdd adds input i of value v to the second stage's hidden sums a,
// unless v is 0 or i is not an input.
func (m *Model) stackAdd(a []float64, i int, v float64) {
	if v != 0 && i < m.S2N {
		for j, w := range m.S2W[i*m.S2H : (i+1)*m.S2H] {
			a[j] += float64(w) * v
		}
	}
}

// stackGeneral, set by tests, makes finish lay out StackInputs always.
var stackGeneral bool

// stackDirect adds the inputs StackInputs lays out to a, as finish's
// loop over them does, without laying them out: the same inputs, each
// once, in ascending order (z1/4 at 0, x from 1, zs, then the binary
// features at their offsets), so the same sums to the bit; the loop
// over all S2N inputs tested each for 0 (most are). It reports false,
// and adds nothing, when on is not ascending without repeats or holds a
// negative index: StackInputs' later writes could then overwrite
// earlier ones, and only its layout says what is left.
func (m *Model) stackDirect(a []float64, z1 float64, x []float64, zs float64, sent bool, on []int32) bool {
	prev := int32(-1)
	for _, j := range on {
		if j <= prev || stackGeneral {
			return false
		}
		prev = j
	}
	m.stackAdd(a, 0, z1/4)
	for j, v := range x {
		m.stackAdd(a, 1+j, v)
	}
	k := 1 + len(x)
	if sent {
		m.stackAdd(a, k, zs)
		k++
	}
	for _, j := range on {
		m.stackAdd(a, k+int(j), 1)
	}
	return true
}

// Prob is the logistic function.
func Prob(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

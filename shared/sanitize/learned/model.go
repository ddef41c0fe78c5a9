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
// and the probability of an injection is 1/(1+e^-z). Hashed weights are
// quantized to int8 (Scale is the step); the others stay float32.
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
}

const magic = "BZLM"

// header: magic, version, bits, mode, reserved, the number of dense and
// of stack weights (uint32 each), then scale, bias, threshold, veto as
// float32,
// the dense weights, the stack weights, the hashed ones (int8), and the
// trusted rules: their length in bytes (uint32), names separated by '\n'.
const headerLen = 4 + 4 + 8 + 4*4

// MarshalBinary encodes the model (little endian).
func (m *Model) MarshalBinary() ([]byte, error) {
	if len(m.Q) != 1<<m.Bits || len(m.Dense) > 1<<16 || len(m.Stack) > 1<<10 {
		return nil, errors.New("learned: inconsistent model")
	}
	var b bytes.Buffer
	b.WriteString(magic)
	b.Write([]byte{Version, byte(m.Bits), m.Mode, 0})
	binary.Write(&b, binary.LittleEndian, uint32(len(m.Dense)))
	binary.Write(&b, binary.LittleEndian, uint32(len(m.Stack)))
	fs := append([]float32{m.Scale, m.Bias, m.Threshold, m.Veto}, m.Dense...)
	for _, f := range append(fs, m.Stack...) {
		binary.Write(&b, binary.LittleEndian, math.Float32bits(f))
	}
	for _, q := range m.Q {
		b.WriteByte(byte(q))
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
	if bits < 1 || bits > 24 || nd > 1<<16 || ns > 1<<10 || len(data) < off+1<<bits+4 {
		return errors.New("learned: model file has the wrong size")
	}
	tail := data[off+1<<bits:]
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
	if len(tail) > 4 {
		m.Rules = strings.Split(string(tail[4:]), "\n")
	}
	return nil
}

// Logit scores the parts of a text (PartFeatures), the dense features x
// and the binary features on (indices of dense weights whose feature is
// 1).
func (m *Model) Logit(e *Extractor, parts []string, x []float64, on []int32) float64 {
	z, _ := m.logit(e, parts, x, on, false)
	return z
}

// LogitRep is Logit that also returns the parts' Repetition, in the same
// pass.
func (m *Model) LogitRep(e *Extractor, parts []string, x []float64, on []int32) (z, rep float64) {
	return m.logit(e, parts, x, on, true)
}

func (m *Model) logit(e *Extractor, parts []string, x []float64, on []int32, count bool) (float64, float64) {
	var sum int64
	mask := uint32(1)<<m.Bits - 1
	q := m.Q
	n := 0
	if count {
		e.rep.reset()
	}
	for k, text := range parts {
		n += e.Blocks(text, uint32(k)*saltPart, func(hs []uint32) {
			for _, h := range hs {
				neg := int64(int32(h) >> 31) // -1 when the sign bit is set
				sum += (int64(q[h&mask]) ^ neg) - neg
				if count {
					e.rep.add(h)
				}
			}
		})
	}
	z := float64(m.Bias)
	if n > 0 {
		z += float64(m.Scale) * float64(sum) / math.Sqrt(float64(n))
	}
	rep := 1.0
	if count && e.rep.n > 0 {
		rep = float64(e.rep.ss) / float64(e.rep.n)
	}
	return m.finish(z, x, on), rep
}

// finish adds the dense and binary features to the hashed part z of the
// first stage and applies the second.
func (m *Model) finish(z float64, x []float64, on []int32) float64 {
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
		}
	}
	return s
}

// Prob is the logistic function.
func Prob(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

package learned

import (
	"math"
	"math/rand"
	"testing"
)

// TestStackDirect compares finish with its second-stage inputs added
// directly (stackDirect) and laid out by StackInputs, to the bit, on
// random models and inputs: x of any length (some of it 0), with and
// without the sentence score, binary features ascending, repeated,
// unordered or past the inputs (finish itself reads no negative index).
func TestStackDirect(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	f32 := func() float32 { return float32(rng.NormFloat64()) }
	for trial := 0; trial < 20000; trial++ {
		nx := rng.Intn(20)
		m := &Model{S2H: 1 + rng.Intn(20), S2N: 1 + rng.Intn(MaxStackInputs), Dense: make([]float32, rng.Intn(50))}
		for i := range m.Dense {
			m.Dense[i] = f32()
		}
		m.Stack = make([]float32, 2+nx+rng.Intn(2))
		for i := range m.Stack {
			m.Stack[i] = f32()
		}
		m.S2W, m.S2B, m.S2V = make([]float32, m.S2H*m.S2N), make([]float32, m.S2H), make([]float32, m.S2H)
		for i := range m.S2W {
			m.S2W[i] = f32()
		}
		for j := range m.S2B {
			m.S2B[j], m.S2V[j] = f32(), f32()
		}
		x := make([]float64, nx)
		for i := range x {
			if rng.Intn(3) == 0 {
				x[i] = rng.NormFloat64()
			}
		}
		var on []int32
		for j := int32(0); j < 60; j++ {
			if rng.Intn(6) == 0 {
				on = append(on, j)
			}
		}
		switch rng.Intn(8) {
		case 0:
			rng.Shuffle(len(on), func(i, j int) { on[i], on[j] = on[j], on[i] })
		case 1:
			on = append(on, on...)
		}
		z, zs := rng.NormFloat64()*3, rng.NormFloat64()
		if rng.Intn(10) == 0 {
			z = 0
		}
		got := m.finish(z, x, on, zs)
		stackGeneral = true
		want := m.finish(z, x, on, zs)
		stackGeneral = false
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("trial %d: direct %v, laid out %v", trial, got, want)
		}
	}
}

package sanitize

import (
	"math"
	"math/rand"
	"testing"
)

// TestClipBuiltin checks that the builtin min and max clip the rule
// features as math.Min and math.Max did, to the bit, at NaN, the
// infinities, both zeros and random values.
func TestClipBuiltin(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	vals := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 2, 3, -2, 1e-300, -1e-300, math.MaxFloat64, -math.MaxFloat64}
	for n := 0; n < 100000; n++ {
		vals = append(vals, rng.NormFloat64()*4)
	}
	for _, v := range vals {
		for _, hi := range []float64{2, 3} {
			got, want := min(max(v, 0), hi), math.Min(math.Max(v, 0), hi)
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("clip(%v, %v) = %v, math.Min and math.Max say %v", v, hi, got, want)
			}
		}
	}
}

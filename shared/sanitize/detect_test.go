package sanitize

import (
	"math/rand"
	"slices"
	"testing"
)

// TestGroupHits checks that groupHits orders hit lists of every length
// up to 99 (shorter and longer than its insertion sort takes) by rule,
// then position, keeping every hit.
func TestGroupHits(t *testing.T) {
	ensureRules()
	byRulePos := func(x, y hitPos) int {
		if x.rule != y.rule {
			return x.rule - y.rule
		}
		return x.pos - y.pos
	}
	rng := rand.New(rand.NewSource(2))
	var hits []hitPos
	for size := 0; size < 100; size++ {
		for range 30 {
			hits = hits[:0]
			for len(hits) < size {
				hits = append(hits, hitPos{rng.Intn(len(rules)), rng.Intn(300)})
			}
			want := slices.SortedFunc(slices.Values(hits), byRulePos)
			if got := groupHits(hits); !slices.Equal(got, want) {
				t.Fatalf("groupHits gave %v, want %v", got, want)
			}
		}
	}
}

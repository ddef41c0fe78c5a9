package sanitize

import (
	"hash/maphash"
	"math/rand"
	"strconv"
	"testing"
)

// TestResultCacheTable checks the result cache's shards against what the
// map per shard they replaced held: a key's result once put, until its
// shard reaches cachePerShard entries and drops them all. Keys repeat
// (hits), collide in the slots' tags (many keys per shard) and overflow
// shards, for a sanitizer made by New and for a zero one (shard 0 only).
func TestResultCacheTable(t *testing.T) {
	for _, s := range []*Sanitizer{New(Options{}), {}} {
		var ref [cacheShards]map[string]Result
		rng := rand.New(rand.NewSource(1))
		for i := range 200000 {
			k := strconv.Itoa(rng.Intn(3000 + i/20))
			h := s.cache.hash(k)
			sh := int(h % cacheShards)
			want, wok := ref[sh][k]
			got, gok := s.cache.get(h, k)
			if gok != wok || got.Removed != want.Removed || got.Text != want.Text {
				t.Fatalf("%d: get(%q) = %v %v, want %v %v", i, k, got, gok, want, wok)
			}
			if wok {
				continue
			}
			r := Result{Text: "r" + k, Removed: i}
			if ref[sh] == nil || len(ref[sh]) >= cachePerShard {
				ref[sh] = map[string]Result{}
			}
			ref[sh][k] = r
			s.cache.put(h, k, r)
			if n := len(s.cache.shards[sh].m); n != len(ref[sh]) {
				t.Fatalf("%d: shard %d holds %d entries, want %d", i, sh, n, len(ref[sh]))
			}
		}
		if s.cache.seed == (maphash.Seed{}) {
			for sh := 1; sh < cacheShards; sh++ {
				if len(s.cache.shards[sh].m) > 0 {
					t.Errorf("a zero sanitizer used shard %d", sh)
				}
			}
		}
	}
}

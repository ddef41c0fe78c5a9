package sanitize

// strTable is a read-only copy of a map from words to values, made for
// the lookups of every token of a text: most tokens are in no word list,
// and a lookup that misses reads one 8-byte slot (a 32-bit hash and an
// index) of a compact table, compares no key, and leaves the cache to
// the rest, where a Go map probes a group of a much larger table. A
// lookup that hits compares the key once.
type strTable[V any] struct {
	slots []uint64 // hash<<32 | index+1 into keys and vals; 0 is free
	keys  []string
	vals  []V
}

// strHash is FNV-1a over the bytes, then a mix of the high bits into the
// low ones (the table index).
func strHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h ^ h>>16
}

func newStrTable[V any](m map[string]V) *strTable[V] {
	size := 16
	for size < 2*len(m) {
		size *= 2
	}
	t := &strTable[V]{slots: make([]uint64, size)}
	mask := uint32(size - 1)
	for k, v := range m {
		t.keys = append(t.keys, k)
		t.vals = append(t.vals, v)
		h := strHash(k)
		i := h & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = uint64(h)<<32 | uint64(len(t.keys))
	}
	return t
}

// get returns m[k] and whether k is a key of m.
func (t *strTable[V]) get(k string) (V, bool) {
	h := strHash(k)
	mask := uint32(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		e := t.slots[i]
		if e == 0 {
			var zero V
			return zero, false
		}
		if uint32(e>>32) == h {
			if j := int(uint32(e)) - 1; t.keys[j] == k {
				return t.vals[j], true
			}
		}
	}
}

package sanitize

import "math/bits"

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
	// filter marks the high bits of the keys' hashes, 4 bits per slot (a
	// sixteenth of the slots' bytes; about one bit in nine set): a lookup
	// whose bit is clear misses without reading a slot of a table too
	// large for the cache (the lexicon's 31,000 strings: 512 KB of slots).
	// Measured over the tune texts' tokens, 24-27 -> 21-22 ns a lookup.
	filter []uint64
	fshift uint32
}

// strHash hashes eight bytes at a time (the last eight bytes of a longer
// string overlap the eight before; a string of 4 to 8 bytes is two
// overlapping four-byte loads, a shorter one three bytes) and folds each
// step's 128-bit product: a byte loop (FNV-1a) chained a multiply per
// byte, with a mispredicted exit per word, and cost as much as the rest
// of a lookup. The table index is the low bits.
func strHash(s string) uint32 {
	const k0, k1 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db
	n := len(s)
	h := uint64(k0)
	switch {
	case n > 8:
		for i := 0; i+8 < n; i += 8 {
			h = strMix(h^load64(s[i:]), k1)
		}
		h ^= load64(s[n-8:])
	case n >= 4:
		h ^= uint64(load32(s))<<32 | uint64(load32(s[n-4:]))
	case n > 0:
		h ^= uint64(s[0])<<16 | uint64(s[n>>1])<<8 | uint64(s[n-1])
	}
	// The length goes into the other factor: xored into the bytes' bits
	// it would make "to" and "ton" one hash.
	return uint32(strMix(h, k1^uint64(n)))
}

// strMix folds the 128-bit product of a and b.
func strMix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// load64 and load32 read the first bytes of s little-endian (the
// compiler makes each one load).
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func newStrTable[V any](m map[string]V) *strTable[V] {
	size := 16
	for size < 2*len(m) {
		size *= 2
	}
	t := &strTable[V]{slots: make([]uint64, size), filter: make([]uint64, size/16)}
	t.fshift = uint32(32 - bits.TrailingZeros(uint(4*size)))
	mask := uint32(size - 1)
	for k, v := range m {
		t.keys = append(t.keys, k)
		t.vals = append(t.vals, v)
		h := strHash(k)
		f := h >> t.fshift
		t.filter[f>>6] |= 1 << (f & 63)
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
	if f := h >> t.fshift; t.filter[f>>6]&(1<<(f&63)) == 0 {
		var zero V
		return zero, false
	}
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

package sanitize

import (
	"hash/maphash"
	"math/bits"
)

// strTable is a read-only copy of a map from words to values, made for
// the lookups of every token of a text: most tokens are in no word list,
// and a lookup that misses is mostly answered by a small filter, where a
// Go map probes a group of a much larger table.
//
// A slot holds what a lookup compares inline: a tag of the key's hash,
// its length, its first and last eight bytes and its value (a lexInfo
// slot is 64 bytes, one cache line). A key of up to 16 bytes is known
// from the slot alone, so a lookup that hits reads one line, where the
// slots, entries and key bytes of the earlier layout (hash and index,
// then key and value, then the key's bytes) cost a cache miss each in a
// table too large for the cache (the lexicon's 31,000 strings); only the
// middle of a longer key is read from rest.
type strTable[V any] struct {
	slots []strSlot[V]
	// rest holds the middle bytes (all but the first and last eight) of
	// the keys of more than 16 bytes, one after another.
	rest string
	// filter marks the high bits of the keys' hashes, 4 bits per slot
	// (about one bit in nine set): a lookup whose bit is clear misses
	// without reading a slot.
	filter []uint64
	fshift uint32
	maxLen int // the longest key: a longer string misses unhashed
	seed   maphash.Seed
}

type strSlot[V any] struct {
	ctrl   uint64 // tag<<32 | len(key)+1; 0 is free
	k0, k1 uint64 // strKey(key)
	rest   uint32 // where the key's middle starts in rest (keys of more than 16 bytes)
	val    V
}

func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// strKey returns two words of k that, with len(k), tell k from every
// other string of up to 16 bytes: its first and last eight bytes (they
// overlap for fewer than 16), four for fewer than 8, and the first,
// middle and last byte for fewer than 4, which are all of them (a
// longer key's middle bytes are compared apart: keyIs). And a 32-bit
// hash of k: a multiply of those words for keys of up to 16 bytes, which
// they hold all of, hash/maphash for longer ones. A function, not a
// method of the generic table, so that the loads and the multiply are
// compiled once, in one body.
func strKey(seed maphash.Seed, k string) (k0, k1 uint64, h uint32) {
	n := len(k)
	switch {
	case n > 16:
		return load64(k), load64(k[n-8:]), uint32(maphash.String(seed, k))
	case n >= 8:
		k0, k1 = load64(k), load64(k[n-8:])
	case n >= 4:
		k0, k1 = uint64(load32(k)), uint64(load32(k[n-4:]))
	case n > 0:
		k0 = uint64(k[0]) | uint64(k[n>>1])<<8 | uint64(k[n-1])<<16
	}
	hi, lo := bits.Mul64(k0^0x9e3779b97f4a7c15, k1^uint64(n)*0xbf58476d1ce4e5b9^0x94d049bb133111eb)
	x := hi ^ lo
	return k0, k1, uint32(x ^ x>>32)
}

func newStrTable[V any](m map[string]V) *strTable[V] {
	size := 16
	for size < 2*len(m) {
		size *= 2
	}
	t := &strTable[V]{slots: make([]strSlot[V], size), filter: make([]uint64, size/16), seed: maphash.MakeSeed()}
	t.fshift = uint32(32 - bits.TrailingZeros(uint(4*size)))
	mask := uint32(size - 1)
	var rest []byte
	for k, v := range m {
		k0, k1, h := strKey(t.seed, k)
		f := h >> t.fshift
		t.filter[f>>6] |= 1 << (f & 63)
		i := h & mask
		for t.slots[i].ctrl != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = strSlot[V]{ctrl: uint64(h)<<32 | uint64(len(k)+1), k0: k0, k1: k1, rest: uint32(len(rest)), val: v}
		if len(k) > 16 {
			rest = append(rest, k[8:len(k)-8]...)
		}
		t.maxLen = max(t.maxLen, len(k))
	}
	t.rest = string(rest)
	return t
}

// keyIs reports whether the key of s, of len(k) bytes, is k, whose
// strKey words are k0 and k1 (a tag's match is only likely).
func (t *strTable[V]) keyIs(s *strSlot[V], k string, k0, k1 uint64) bool {
	return s.k0 == k0 && s.k1 == k1 && (len(k) <= 16 || t.rest[s.rest:int(s.rest)+len(k)-16] == k[8:len(k)-8])
}

// get returns m[k] and whether k is a key of m.
func (t *strTable[V]) get(k string) (V, bool) {
	var zero V
	if len(k) > t.maxLen {
		return zero, false
	}
	k0, k1, h := strKey(t.seed, k)
	if f := h >> t.fshift; t.filter[f>>6]&(1<<(f&63)) == 0 {
		return zero, false
	}
	ctrl := uint64(h)<<32 | uint64(len(k)+1)
	mask := uint32(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.ctrl == ctrl && t.keyIs(s, k, k0, k1) {
			return s.val, true
		}
		if s.ctrl == 0 {
			return zero, false
		}
	}
}

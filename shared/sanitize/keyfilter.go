package sanitize

// keyFilter is a Bloom filter over the keys of a word map (two bits of
// 65,536 per key): a string it rules out is not a key, and the map is not
// searched. Most tokens of a text are in no word list, and a search of a
// large map costs a hash, a probe and often a cache miss; the filter's
// 8 KB stay in cache. A false positive only costs the search it saves.
type keyFilter [1024]uint64

func keyHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	h ^= h >> 15
	h *= 0x2c1b3c6d
	return h ^ h>>12
}

func (f *keyFilter) add(s string) {
	h := keyHash(s)
	a, b := h&0xffff, h>>16
	f[a>>6] |= 1 << (a & 63)
	f[b>>6] |= 1 << (b & 63)
}

// may reports whether s may be a key.
func (f *keyFilter) may(s string) bool {
	h := keyHash(s)
	a, b := h&0xffff, h>>16
	return f[a>>6]&(1<<(a&63)) != 0 && f[b>>6]&(1<<(b&63)) != 0
}

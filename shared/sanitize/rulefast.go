package sanitize

import (
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Required literals. Every match of a pattern holds, for each of its
// required sets, at least one literal of the set (a concatenation needs
// what each of its parts needs; an alternation needs one of what its
// branches need). A window or anchored input that lacks every literal of
// one set cannot match, and the regexp is not run on it.

// maxRequired bounds the literals of one set; larger sets are dropped
// (checking them would cost more than it saves).
const maxRequired = 160

type litSet []string

// requiredSets returns the required literal sets of re.
func requiredSets(re *syntax.Regexp) []litSet {
	switch re.Op {
	case syntax.OpLiteral:
		// U+FFFD also matches an invalid byte, which a literal
		// search would not find.
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 || slices.Contains(re.Rune, utf8.RuneError) {
			return nil
		}
		return []litSet{{string(re.Rune)}}
	case syntax.OpCapture, syntax.OpPlus:
		return requiredSets(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredSets(re.Sub[0])
		}
	case syntax.OpConcat:
		var out []litSet
		for _, s := range re.Sub {
			out = append(out, requiredSets(s)...)
		}
		return out
	case syntax.OpAlternate:
		var u litSet
		for _, s := range re.Sub {
			b := bestSet(requiredSets(s))
			if b == nil {
				return nil
			}
			u = append(u, b...)
			if len(u) > maxRequired {
				return nil
			}
		}
		return []litSet{u}
	}
	return nil
}

// minLen is the length of the shortest literal of ls.
func (ls litSet) minLen() int {
	m := -1
	for _, l := range ls {
		if m < 0 || len(l) < m {
			m = len(l)
		}
	}
	return m
}

// bestSet picks the most selective of sets: the longest shortest literal,
// then the fewest literals.
func bestSet(sets []litSet) litSet {
	var best litSet
	for _, s := range sets {
		if best == nil || s.minLen() > best.minLen() || s.minLen() == best.minLen() && len(s) < len(best) {
			best = s
		}
	}
	return best
}

// required holds a rule's required literal sets, derived once.
type required struct {
	once sync.Once
	sets []litSet
}

// sets returns the rule's required sets worth checking: literals of at
// least two bytes, the smallest sets first.
func (r *rule) requiredSets() []litSet {
	q := &r.required
	q.once.Do(func() {
		re, err := syntax.Parse(r.pattern, syntax.Perl)
		if err != nil {
			return
		}
		for _, s := range requiredSets(re) {
			if len(s) <= maxRequired && s.minLen() >= 2 {
				q.sets = append(q.sets, dedupe(s))
			}
		}
		sortSets(q.sets)
	})
	return q.sets
}

func dedupe(s litSet) litSet {
	seen := map[string]bool{}
	var out litSet
	for _, l := range s {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

func sortSets(sets []litSet) {
	for i := 1; i < len(sets); i++ {
		for j := i; j > 0 && len(sets[j]) < len(sets[j-1]); j-- {
			sets[j], sets[j-1] = sets[j-1], sets[j]
		}
	}
}

// mayMatch reports whether s holds a literal of every required set of r:
// when it does not, r's pattern cannot match in s.
func (r *rule) mayMatch(s string) bool {
	for _, set := range r.requiredSets() {
		found := false
		for _, l := range set {
			if strings.Contains(s, l) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// bigrams is a hashed set of the byte pairs of a text: a trigger
// substring with a pair not in the set does not occur in the text, and
// is not searched for.
type bigrams [64]uint64

func bigramHash(a, b byte) uint { return (uint(a)*131 + uint(b)) & 4095 }

func (g *bigrams) add(s string) {
	for i := 0; i+1 < len(s); i++ {
		h := bigramHash(s[i], s[i+1])
		g[h>>6] |= 1 << (h & 63)
	}
}

// mayHold reports whether every byte pair of sub may be in the set.
func (g *bigrams) mayHold(sub string) bool {
	for i := 0; i+1 < len(sub); i++ {
		h := bigramHash(sub[i], sub[i+1])
		if g[h>>6]&(1<<(h&63)) == 0 {
			return false
		}
	}
	return true
}

// maxAdjust is the most an adjust function returns: strong rules weigh 1
// (TestAdjustAtMostOne checks it over the corpus).
const maxAdjust = 1.0

// maxWeight is the most one match of r can weigh. Once a rule's best
// match weighs that much, its later windows and start words are not
// tried: the rule adds its best weight once.
func (r *rule) maxWeight() float64 {
	if r.adjust == nil {
		return r.w
	}
	return maxAdjust
}

// adjustSeen, when set (tests), sees every weight an adjust function
// returns.
var adjustSeen func(r *rule, w float64)

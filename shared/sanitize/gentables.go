package sanitize

import (
	"sort"
	"strings"
)

// The one-time tables cost little because go generate precomputes their
// expensive parts into static data (tables_gen.go, written by
// TestGeneratedTables with SANITIZE_WRITE_TABLES=1; the same test fails when the file
// is stale):
//
//   - genStarts: the words each rule's match can start with (anchor.go's
//     firstWords parses the rule's regexp for them), keyed by rule name
//     and a hash of the expanded pattern, so an edited rule falls back to
//     parsing;
//   - genFolds: every lexicon entry folded like the detector's native copy
//     (foldEntry), so the signal lexicon is built without folding 3,000
//     entries.
//
// Both are sorted arrays of strings: static data, nothing to initialise.

// genStart is one rule's start words ("" with ok = false: none derivable).
type genStart struct {
	name   string
	hash   uint64
	ok     bool
	starts string
}

// genFoldEntry is one lexicon entry and its folded form.
type genFoldEntry struct{ raw, folded string }

// foldRecord, when not nil, records the entries foldEntry folds
// (generation only).
var foldRecord map[string]string

func patternHash(p string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(p); i++ {
		h = (h ^ uint64(p[i])) * 1099511628211
	}
	return h
}

// ruleStarts returns the start words of the rule named name with the
// expanded pattern p: from genStarts when generated for this very
// pattern, else parsed.
func ruleStarts(name, p string) (map[string]bool, bool) {
	k := sort.Search(len(genStarts), func(i int) bool { return genStarts[i].name >= name })
	h := patternHash(p)
	for ; k < len(genStarts) && genStarts[k].name == name; k++ {
		g := &genStarts[k]
		if g.hash != h {
			continue
		}
		if !g.ok {
			return nil, false
		}
		m := map[string]bool{}
		for _, w := range strings.Split(g.starts, " ") {
			m[w] = true
		}
		return m, true
	}
	return firstWords(p)
}

// genFold returns the precomputed folded form of lexicon entry e.
func genFold(e string) (string, bool) {
	k := sort.Search(len(genFolds), func(i int) bool { return genFolds[i].raw >= e })
	if k < len(genFolds) && genFolds[k].raw == e {
		return genFolds[k].folded, true
	}
	return "", false
}

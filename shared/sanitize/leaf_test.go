package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPeek8 checks peek8 against a byte loop at every position of a few
// strings, near and at their ends.
func TestPeek8(t *testing.T) {
	for _, s := range []string{"", "a", "ignore all", "sendé\x00x", "指示を無視して", strings.Repeat("ab", 9)} {
		for pos := 0; pos <= len(s)+1; pos++ {
			var want uint64
			for i := 0; i < 8 && pos+i < len(s); i++ {
				want |= uint64(s[pos+i]) << (8 * i)
			}
			if got := peek8(s, pos); got != want {
				t.Errorf("peek8(%q, %d) = %#x, want %#x", s, pos, got, want)
			}
		}
	}
}

// TestLeafKeys checks, for every alternation branch of every rule's
// programs, that its key is its literal's first bytes: the search leaves
// out a branch whose key differs from the input, so a key that was not
// what the branch itself must read there would lose matches. A branch
// dispatched on a byte must have that byte first.
func TestLeafKeys(t *testing.T) {
	ensureRules()
	lit := func(a *ruleProg, pc int32) string {
		if op := &a.ops[pc]; op.litLen > 0 {
			return a.litText[op.litOff : op.litOff+uint32(op.litLen)]
		}
		if in := &a.prog.Inst[pc]; isPlainRune1(in) {
			return string(in.Rune[0])
		}
		return ""
	}
	check := func(name string, a *ruleProg, l btLeaf) {
		s := lit(a, l.pc)
		if s == "" {
			if l.mask != 0 {
				t.Errorf("%s: branch %d has a key but no literal", name, l.pc)
			}
			return
		}
		if !utf8.ValidString(s) {
			t.Errorf("%s: branch %d: literal %q", name, l.pc, s)
		}
		n := min(8, len(s))
		if want := ^uint64(0) >> (64 - 8*n); l.mask != want {
			t.Errorf("%s: branch %d: mask %#x, want %#x", name, l.pc, l.mask, want)
		}
		// The branch's literal followed by anything passes its key.
		for _, tail := range []string{"", " x", "\xff\xff\xff\xff\xff\xff\xff\xff"} {
			if (peek8(s+tail, 0)^l.key)&l.mask != 0 {
				t.Errorf("%s: branch %d: %q does not pass its key", name, l.pc, s+tail)
			}
		}
	}
	progs := 0
	for _, r := range rules {
		r.compile()
		as := []*ruleProg{r.re}
		if r.starts != nil {
			r.compileAnchored()
			as = append(as, r.anch)
		}
		for _, a := range as {
			progs++
			for _, lv := range a.leafLists {
				for _, l := range lv {
					check(r.name, a, l)
				}
			}
			for _, d := range a.dispatch {
				for c, lv := range d {
					for _, l := range lv {
						check(r.name, a, l)
						if l.mask != 0 && byte(l.key) != byte(c) {
							t.Errorf("%s: branch %d dispatched on %q, literal %q", r.name, l.pc, byte(c), lit(a, l.pc))
						}
					}
				}
			}
		}
	}
	if progs < len(rules) {
		t.Fatalf("%d programs for %d rules", progs, len(rules))
	}
}

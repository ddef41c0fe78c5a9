package sanitize

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestRuneNextExact checks what the search's rune case relies on: for
// every rune instruction of every rule's plain and anchored program
// (btRune), its next-byte set holds exactly the ASCII runes MatchRune
// accepts.
func TestRuneNextExact(t *testing.T) {
	ensureRules()
	n := 0
	for _, r := range rules {
		for _, compile := range []func(string) (*ruleProg, error){compileProg, compileAnchoredProg} {
			p, err := compile(r.pattern)
			if err != nil {
				t.Fatal(err)
			}
			for pc := range p.ops {
				op := &p.ops[pc]
				if op.op != btRune {
					continue
				}
				in := &p.prog.Inst[pc]
				for c := rune(0); c < 0x80; c++ {
					n++
					if got, want := op.next.b[c>>6]&(1<<(c&63)) != 0, in.MatchRune(c); got != want {
						t.Fatalf("rule %s: instruction %d (%v) on %q: next-byte set %v, MatchRune %v", r.name, pc, in.Op, c, got, want)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no rune instructions")
	}
	// The instructions no rule compiles to here: any rune, any but newline.
	for _, pat := range []string{`(?s:.)x`, `.x`, `(?i:k)`, `[^a-c]`} {
		p, err := compileProg(pat)
		if err != nil {
			t.Fatal(err)
		}
		for pc := range p.ops {
			if p.ops[pc].op != btRune {
				continue
			}
			in := &p.prog.Inst[pc]
			for c := rune(0); c < 0x80; c++ {
				if got, want := p.ops[pc].next.b[c>>6]&(1<<(c&63)) != 0, in.MatchRune(c); got != want {
					t.Fatalf("%s: instruction %d (%v) on %q: next-byte set %v, MatchRune %v", pat, pc, in.Op, c, got, want)
				}
			}
		}
	}
}

// refSubHits is the substring trigger search scanSubs replaced: per
// first pair that a hashed set of the text's byte pairs may hold, each
// trigger searched for with strings.Index from where its last
// occurrence ended, up to maxSubCount times. It returns the (trigger,
// position) of each occurrence; keep(t) is asked for the triggers of one
// rule before they are searched for.
func refSubHits(s string, list *subList, keep func(t int) bool) [][2]int {
	var out [][2]int
	var pairs bigrams
	pairs.add(s)
	for _, fs := range list.firsts {
		if len(fs.pre) == 1 && strings.IndexByte(s, fs.pre[0]) < 0 || !pairs.mayHold(fs.pre) {
			continue
		}
		for t := fs.lo; t < fs.hi; t++ {
			st := list.subs[t]
			if !pairs.mayHold(st.sub) {
				continue
			}
			if len(st.rules) == 1 && !keep(t) {
				continue
			}
			from := 0
			for n := 0; n < 32; n++ {
				k := strings.Index(s[from:], st.sub)
				if k < 0 {
					break
				}
				out = append(out, [2]int{t, from + k})
				from += k + len(st.sub)
			}
		}
	}
	return out
}

// newScanSubs is scanSubs as runRules calls it, with keep as the gate.
func newScanSubs(s string, list *subList, keep func(t int) bool) [][2]int {
	var out [][2]int
	list.scanSubs(s, make([]uint8, len(list.subs)), garbage(list.slots), func(t int) bool {
		return len(list.subs[t].rules) != 1 || keep(t)
	}, func(t, i int) { out = append(out, [2]int{t, i}) })
	return out
}

// garbage returns n ints that scanSubs must not read before writing.
func garbage(n int) []int {
	g := make([]int, n)
	for i := range g {
		g[i] = 1 << 40
	}
	return g
}

// cmpHit orders (trigger, position) pairs.
func cmpHit(a, b [2]int) int {
	if a[0] != b[0] {
		return a[0] - b[0]
	}
	return a[1] - b[1]
}

// TestScanSubs compares scanSubs with the search it replaced on the
// lines and native copies of the corpus texts, on random texts made of
// trigger substrings and their pieces, and on a list whose triggers
// overlap themselves and each other (the rules' do not).
func TestScanSubs(t *testing.T) {
	ensureRules()
	keeps := []func(int) bool{
		func(int) bool { return true },
		func(t int) bool { return t%3 != 0 },
	}
	n := 0
	check := func(s string, list *subList) {
		for _, keep := range keeps {
			n++
			checkScanSubs(t, s, list, keep)
		}
	}
	for _, text := range corpusTexts(t) {
		c := makeCopies(text)
		check(c.lines, &trigLines)
		check(c.native, &trigCJK)
		check(strings.ToUpper(c.lines), &trigLines)
		c.release()
	}
	rng := rand.New(rand.NewPCG(14, 1))
	var pieces []string
	for _, l := range []*subList{&trigLines, &trigCJK} {
		for _, st := range l.subs {
			pieces = append(pieces, st.sub, st.sub[:len(st.sub)/2], st.sub[len(st.sub)/2:])
		}
	}
	pieces = append(pieces, " ", "\n", "a", "<", "\xe2", "\x80", "é", "ai", ",", ":")
	for i := 0; i < 100000; i++ {
		var b strings.Builder
		for k := rng.IntN(80); k >= 0; k-- {
			p := pieces[rng.IntN(len(pieces))]
			for r := rng.IntN(3); r >= 0; r-- { // repeats: past maxSubCount
				b.WriteString(p)
			}
		}
		check(b.String(), &trigLines)
		check(b.String(), &trigCJK)
	}
	// Triggers that overlap: occurrences after the one found are
	// searched for from its end.
	var subs []subTrig
	for i, w := range []string{"a", "aa", "aaa", "ab", "aba", "b", "bab", "é", "éé"} {
		subs = append(subs, subTrig{sub: w, rules: make([]int, 1+i%2)})
	}
	slices.SortFunc(subs, func(x, y subTrig) int { return strings.Compare(x.sub, y.sub) })
	l := newSubList(subs)
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.IntN(120))
		for k := range b {
			b[k] = "abé "[rng.IntN(5)%4]
		}
		check(string(b), &l)
	}
	if n < 100000 {
		t.Fatalf("only %d checks", n)
	}
}

// FuzzScanSubs compares scanSubs with the search it replaced on fuzzed
// lines copies.
func FuzzScanSubs(f *testing.F) {
	for _, s := range []string{"", "<", "assistant: hi <system>", "execute execute", "\"tool\"\"tool\"", "ルールール", "[inst]〚x〛@"} {
		f.Add(s)
	}
	ensureRules()
	f.Fuzz(func(t *testing.T, s string) {
		for _, list := range []*subList{&trigLines, &trigCJK} {
			for _, keep := range []func(int) bool{func(int) bool { return true }, func(t int) bool { return t%2 == 0 }} {
				checkScanSubs(t, s, list, keep)
			}
		}
	})
}

// checkScanSubs compares scanSubs' hits on s with refSubHits', in any
// order (groupHits sorts them).
func checkScanSubs(t *testing.T, s string, list *subList, keep func(int) bool) {
	t.Helper()
	want := refSubHits(s, list, keep)
	got := newScanSubs(s, list, keep)
	slices.SortFunc(want, cmpHit)
	slices.SortFunc(got, cmpHit)
	if !slices.Equal(got, want) {
		t.Fatalf("%q: scanSubs %v, want %v", s, got, want)
	}
}

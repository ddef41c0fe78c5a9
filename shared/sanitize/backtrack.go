package sanitize

import (
	mbits "math/bits"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf8"
)

// ruleProg runs a rule's pattern as regexp does (leftmost-first, the
// same matches), by a depth-first search over the compiled program that
// visits each (instruction, position) pair at most once per search. Go's
// regexp runs programs of more than 500 instructions (the large rule
// alternations) on its NFA simulation, which costs some hundred
// nanoseconds per byte with many threads alive, and clears a visited
// bitmap of program × input bits before each backtracking run. This
// search is O(program × input) at worst too, but touches only the states
// an attempt reaches and clears only what it set. TestRuleProg compares
// it with regexp on every attempt runRules makes over the corpus and on
// random inputs.
type ruleProg struct {
	prog *syntax.Prog
	// pattern, and std compiled from it on first use, serve inputs too
	// long for the visited set (maxVisited): merged windows of a text
	// full of trigger words.
	pattern string
	stdOnce sync.Once
	std     *regexp.Regexp
	// ops holds, per instruction, what the search reads of it in one
	// record of 64 bytes (btOp): a state of the search reads one cache
	// line, where separate slices per field (next-byte sets, successors,
	// alternation branches, literal runs) cost a miss each in a program
	// too large for the cache (the largest rules have thousands of
	// instructions).
	ops []btOp
	// leafLists and dispatch are the alternation branches btOp.leaves
	// and btOp.dispatch index.
	leafLists [][]btLeaf
	dispatch  []*[128][]btLeaf
	// litText holds the text of the literal runs btOp.litOff indexes.
	litText string
}

// btOp is one instruction as the search reads it.
type btOp struct {
	// next is what the next input byte can be on a path to a match from
	// here: a search state whose next byte cannot be there (and that
	// cannot match without reading one) is dropped.
	next nextSet
	// out is the instruction after this one; for the start of a literal
	// run, the instruction after the run.
	out uint32
	// arg is the other branch of an alternation, the empty-width
	// condition, or the rune of btRune1.
	arg uint32
	// leaves, for the head of a chain of alternations (a|b|c|…
	// compiles to Alt(a, Alt(b, Alt(c, …)))), indexes leafLists: the
	// chain's branches in priority order, which the search pushes at once
	// (those that can go on) instead of walking the chain one
	// instruction at a time; -1 for none. dispatch indexes, for long
	// chains, the branches by the next byte; -1 for none.
	leaves, dispatch int32
	// litOff and litLen, for an instruction that starts a run of
	// single-rune instructions (a literal), are the run's text in
	// litText (litLen 0: none): the run is compared at once.
	litOff uint32
	litLen uint16
	op     uint8
}

// btLeaf is one branch of an alternation chain as the search reads it:
// its instruction and, when that starts a literal (a literal run or one
// plain rune), the literal's first bytes (up to 8) as a little-endian
// word and the mask of the bytes it holds. A branch whose literal the
// input does not hold where the alternation is is not pushed: from the
// list alone, without reading its instruction's record, which in a large
// program is a cache miss per branch (an anchored attempt at "send"
// dispatches on 's' to some twenty start words).
type btLeaf struct {
	key, mask uint64
	pc        int32
}

// peek8 returns the bytes of s from pos on, up to 8, as a little-endian
// word (the bytes past the end as 0).
func peek8(s string, pos int) uint64 {
	if pos+8 <= len(s) {
		s = s[pos : pos+8]
		return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	}
	var w uint64
	for i := pos; i < len(s); i++ {
		w |= uint64(s[i]) << (8 * (i - pos))
	}
	return w
}

// leaf returns the btLeaf of instruction pc (a.ops and a.litText set).
func (a *ruleProg) leaf(pc int32) btLeaf {
	l := btLeaf{pc: pc}
	var lit string
	if op := &a.ops[pc]; op.litLen > 0 {
		lit = a.litText[op.litOff : op.litOff+uint32(op.litLen)]
	} else if in := &a.prog.Inst[pc]; isPlainRune1(in) {
		lit = string(in.Rune[0])
	}
	for i := 0; i < len(lit) && i < 8; i++ {
		l.key |= uint64(lit[i]) << (8 * i)
		l.mask |= 0xff << (8 * i)
	}
	return l
}

// leaves appends the btLeaf of each instruction of pcs to buf and
// returns them (capped) and buf.
func (a *ruleProg) leaves(buf []btLeaf, pcs []int32) ([]btLeaf, []btLeaf) {
	n := len(buf)
	for _, pc := range pcs {
		buf = append(buf, a.leaf(pc))
	}
	return buf[n:len(buf):len(buf)], buf
}

// The operations of btOp.
const (
	btFail  = iota
	btAlt   // InstAlt, InstAltMatch
	btRune1 // InstRune1 without case folding: arg is the rune
	btRune  // any other rune instruction: syntax.Inst.MatchRune
	btNop   // InstCapture, InstNop
	btEmpty // InstEmptyWidth
	btMatch
)

// isPlainRune1 reports whether in matches exactly one rune, byte for
// byte (not U+FFFD, which also stands for an invalid byte).
func isPlainRune1(in *syntax.Inst) bool {
	return in.Op == syntax.InstRune1 && syntax.Flags(in.Arg)&syntax.FoldCase == 0 && in.Rune[0] != utf8.RuneError
}

// literalRuns sets the literal runs of ops (btOp.litOff, litLen and
// out) and returns their text. Each maximal run is built once; the
// instructions inside it get the rest of its text.
func literalRuns(prog *syntax.Prog, ops []btOp) string {
	inner := make([]bool, len(prog.Inst))
	for pc := range prog.Inst {
		if in := &prog.Inst[pc]; isPlainRune1(in) {
			inner[in.Out] = true
		}
	}
	var text []byte
	var members []int
	for pc := range prog.Inst {
		if inner[pc] || !isPlainRune1(&prog.Inst[pc]) {
			continue
		}
		members = members[:0]
		base := len(text)
		cur := pc
		for isPlainRune1(&prog.Inst[cur]) && len(members) < 256 {
			members = append(members, cur)
			text = utf8.AppendRune(text, prog.Inst[cur].Rune[0])
			cur = int(prog.Inst[cur].Out)
		}
		off := base
		for i, m := range members {
			if len(members)-i >= 2 {
				ops[m].litOff, ops[m].litLen, ops[m].out = uint32(off), uint16(len(text)-off), uint32(cur)
			}
			off += utf8.RuneLen(prog.Inst[m].Rune[0])
		}
	}
	return string(text)
}

// altChains computes ruleProg.leaves and ruleProg.dispatch: for each
// alternation instruction that no other alternation instruction leads to
// (the head of a tree of them: a|b|c compiles to Alt(Alt(a, b), c)), the
// instructions its tree leads to, in the order the search tries them
// (Out before Arg).
func altChains(prog *syntax.Prog, next []nextSet) ([][]int32, []*[128][]int32) {
	leaves := make([][]int32, len(prog.Inst))
	dispatch := make([]*[128][]int32, len(prog.Inst))
	inner := make([]bool, len(prog.Inst))
	for pc := range prog.Inst {
		if in := &prog.Inst[pc]; in.Op == syntax.InstAlt {
			if prog.Inst[in.Out].Op == syntax.InstAlt {
				inner[in.Out] = true
			}
			if prog.Inst[in.Arg].Op == syntax.InstAlt {
				inner[in.Arg] = true
			}
		}
	}
	onPath := make([]bool, len(prog.Inst)) // every walk leaves it all false
	for pc := range prog.Inst {
		if prog.Inst[pc].Op != syntax.InstAlt || inner[pc] {
			continue
		}
		var list []int32
		ok := true
		var walk func(x int)
		walk = func(x int) {
			if !ok {
				return
			}
			in := &prog.Inst[x]
			if in.Op != syntax.InstAlt {
				list = append(list, int32(x))
				ok = len(list) <= 4096
				return
			}
			if onPath[x] {
				ok = false // an empty loop: leave it to the plain walk
				return
			}
			onPath[x] = true
			walk(int(in.Out))
			walk(int(in.Arg))
			onPath[x] = false
		}
		walk(pc)
		if !ok || len(list) < 3 {
			continue
		}
		leaves[pc] = list
		if len(list) < 8 {
			continue
		}
		// Per ASCII byte, the branches that can go on with it.
		d := new([128][]int32)
		for _, l := range list {
			for w := 0; w < 2; w++ {
				for bits := next[l].b[w]; bits != 0; bits &= bits - 1 {
					c := w*64 + mbits.TrailingZeros64(bits)
					d[c] = append(d[c], l)
				}
			}
		}
		dispatch[pc] = d
	}
	return leaves, dispatch
}

// nextBytes is a set of bytes: the ASCII ones, and whether any byte of
// 0x80 or above can come (the lead bytes of other runes and invalid
// UTF-8); null when a match can be reached without reading a byte.
type nextBytes struct {
	lo   [2]uint64
	hi   bool
	null bool
}

func (n *nextBytes) union(o *nextBytes) bool {
	c := *n
	n.lo[0] |= o.lo[0]
	n.lo[1] |= o.lo[1]
	n.hi = n.hi || o.hi
	n.null = n.null || o.null
	return c != *n
}

// may reports whether a path to a match can go on at position pos of s.
func (n *nextSet) may(s string, pos int) bool {
	if pos >= len(s) {
		return n.end
	}
	c := s[pos]
	return n.b[c>>6]&(1<<(c&63)) != 0
}

// nextSet is nextBytes as looked up: the bytes that can come next (all of
// them when a match can be reached without one), and whether the input
// can end here.
type nextSet struct {
	b   [4]uint64
	end bool
}

func (n *nextBytes) set() nextSet {
	if n.null {
		return nextSet{b: [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}, end: true}
	}
	ns := nextSet{b: [4]uint64{n.lo[0], n.lo[1]}}
	if n.hi {
		ns.b[2], ns.b[3] = ^uint64(0), ^uint64(0)
	}
	return ns
}

// nextSets computes the next-byte sets of prog's instructions (a fixed
// point over the empty transitions).
func nextSets(prog *syntax.Prog) []nextBytes {
	next := make([]nextBytes, len(prog.Inst))
	// What each rune instruction reads.
	for pc := range prog.Inst {
		in := &prog.Inst[pc]
		n := &next[pc]
		switch in.Op {
		case syntax.InstRune1:
			if r := in.Rune[0]; syntax.Flags(in.Arg)&syntax.FoldCase == 0 && r < 0x80 {
				n.lo[r>>6] |= 1 << (r & 63)
				continue
			}
			fallthrough
		case syntax.InstRune:
			if syntax.Flags(in.Arg)&syntax.FoldCase == 0 && len(in.Rune)%2 == 0 {
				for i := 0; i < len(in.Rune); i += 2 {
					for c := in.Rune[i]; c <= min(in.Rune[i+1], 0x7f); c++ {
						n.lo[c>>6] |= 1 << (c & 63)
					}
				}
			} else {
				for c := rune(0); c < 0x80; c++ {
					if in.MatchRune(c) {
						n.lo[c>>6] |= 1 << (c & 63)
					}
				}
			}
			n.hi = true
		case syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			n.lo = [2]uint64{^uint64(0), ^uint64(0)}
			if in.Op == syntax.InstRuneAnyNotNL {
				n.lo[0] &^= 1 << '\n'
			}
			n.hi = true
		case syntax.InstMatch:
			n.null = true
		}
	}
	for changed := true; changed; {
		changed = false
		for pc := range prog.Inst { // compiled parts come before what uses them
			in := &prog.Inst[pc]
			switch in.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				if next[pc].union(&next[in.Out]) {
					changed = true
				}
				if next[pc].union(&next[in.Arg]) {
					changed = true
				}
			case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
				if next[pc].union(&next[in.Out]) {
					changed = true
				}
			}
		}
	}
	return next
}

// nextLookup turns nextSets' result into the sets the search reads.
func nextLookup(next []nextBytes) []nextSet {
	out := make([]nextSet, len(next))
	for i := range next {
		out[i] = next[i].set()
	}
	return out
}

func compileAnchoredProg(pattern string) (*ruleProg, error) {
	return compileProg(`^(?:` + pattern + `)`)
}

// compileProg compiles pattern as regexp.Compile does.
func compileProg(pattern string) (*ruleProg, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	next := nextLookup(nextSets(prog))
	leaves, dispatch := altChains(prog, next)
	a := &ruleProg{pattern: pattern, prog: prog, ops: make([]btOp, len(prog.Inst))}
	var alts []int // the instructions with leaves, whose lists follow litText
	for pc := range prog.Inst {
		in := &prog.Inst[pc]
		o := &a.ops[pc]
		o.next, o.out, o.arg, o.leaves, o.dispatch = next[pc], in.Out, in.Arg, -1, -1
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			o.op = btAlt
			if leaves[pc] != nil {
				o.leaves = int32(len(alts))
				alts = append(alts, pc)
			}
		case syntax.InstRune1, syntax.InstRune, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			o.op = btRune
			if in.Op == syntax.InstRune1 && syntax.Flags(in.Arg)&syntax.FoldCase == 0 {
				o.op, o.arg = btRune1, uint32(in.Rune[0])
			}
		case syntax.InstCapture, syntax.InstNop:
			o.op = btNop
		case syntax.InstEmptyWidth:
			o.op = btEmpty
		case syntax.InstMatch:
			o.op = btMatch
		}
	}
	a.litText = literalRuns(prog, a.ops)
	// Every list's branches in one allocation (a program compiles on the
	// first text that needs it).
	n := 0
	for _, pc := range alts {
		n += len(leaves[pc])
		if dispatch[pc] != nil {
			for _, l := range dispatch[pc] {
				n += len(l)
			}
		}
	}
	buf := make([]btLeaf, 0, n)
	for _, pc := range alts {
		var l []btLeaf
		l, buf = a.leaves(buf, leaves[pc])
		a.leafLists = append(a.leafLists, l)
		if dispatch[pc] != nil {
			d := new([128][]btLeaf)
			for c, l := range dispatch[pc] {
				if l != nil {
					d[c], buf = a.leaves(buf, l)
				}
			}
			a.ops[pc].dispatch = int32(len(a.dispatch))
			a.dispatch = append(a.dispatch, d)
		}
	}
	return a, nil
}

type btJob struct{ pc, pos int32 }

type btState struct {
	visited []uint64
	touched []int32
	stack   []btJob
}

var btPool = sync.Pool{New: func() any { return &btState{} }}

func (a *ruleProg) state(s string) *btState {
	n := len(a.prog.Inst) * (len(s) + 1)
	st := btPool.Get().(*btState)
	if words := (n + 63) / 64; len(st.visited) < words {
		st.visited = make([]uint64, words)
	}
	return st
}

func (st *btState) reset() {
	for _, w := range st.touched {
		st.visited[w] = 0
	}
	st.touched = st.touched[:0]
	st.stack = st.stack[:0]
}

// matchEnd returns the end of the match at the start of s, or -1.
func (a *ruleProg) matchEnd(s string) int {
	if a.tooLong(s) {
		if loc := a.stdRE().FindStringIndex(s); loc != nil {
			return loc[1]
		}
		return -1
	}
	st := a.state(s)
	end := a.search(st, s, 0)
	st.reset()
	btPool.Put(st)
	return end
}

// maxVisited bounds the visited set of one search, in bits (512 KiB):
// longer inputs go to the regexp package, whose NFA needs memory in
// proportion to the program only.
const maxVisited = 4 << 20

func (a *ruleProg) tooLong(s string) bool {
	return len(a.prog.Inst)*(len(s)+1) > maxVisited
}

func (a *ruleProg) stdRE() *regexp.Regexp {
	a.stdOnce.Do(func() { a.std = regexp.MustCompile(a.pattern) })
	return a.std
}

// findAll returns up to n successive non-overlapping matches in s, as
// regexp's FindAllStringIndex does: each the leftmost-first match from
// where the previous one ended, an empty match right after a match left
// out.
func (a *ruleProg) findAll(s string, n int) [][2]int {
	var out [][2]int
	if a.tooLong(s) {
		for _, m := range a.stdRE().FindAllStringIndex(s, n) {
			out = append(out, [2]int{m[0], m[1]})
		}
		return out
	}
	st := a.state(s)
	for pos, prevEnd := 0, -1; len(out) < n && pos <= len(s); {
		start, end := a.leftmost(st, s, pos)
		st.reset()
		if start < 0 {
			break
		}
		accept := true
		if end == pos {
			// An empty match: not right after the previous match;
			// the next search starts a character further.
			if start == prevEnd {
				accept = false
			}
			if pos < len(s) {
				_, w := utf8.DecodeRuneInString(s[pos:])
				pos += w
			} else {
				pos++
			}
		} else {
			pos = end
		}
		prevEnd = end
		if accept {
			out = append(out, [2]int{start, end})
		}
	}
	btPool.Put(st)
	return out
}

// matches reports whether s holds a match.
func (a *ruleProg) matches(s string) bool {
	if a.tooLong(s) {
		return a.stdRE().MatchString(s)
	}
	st := a.state(s)
	start, _ := a.leftmost(st, s, 0)
	st.reset()
	btPool.Put(st)
	return start >= 0
}

// leftmost returns the leftmost-first match starting at or after from.
// The visited set is shared between start positions: a state that found
// no match from one start finds none from another.
func (a *ruleProg) leftmost(st *btState, s string, from int) (int, int) {
	for p := from; p <= len(s); {
		if e := a.search(st, s, p); e >= 0 {
			return p, e
		}
		if p == len(s) {
			break
		}
		_, w := utf8.DecodeRuneInString(s[p:])
		p += w
	}
	return -1, -1
}

// search returns the end of the highest-priority match starting at
// start, or -1.
func (a *ruleProg) search(st *btState, s string, start int) int {
	ops := a.ops
	ninst := len(ops)
	// Every job on the stack passed may when it was pushed (the start
	// too, here): popped, its next-byte set is not read again.
	if !ops[a.prog.Start].next.may(s, start) {
		return -1
	}
	st.stack = append(st.stack, btJob{int32(a.prog.Start), int32(start)})
	for len(st.stack) > 0 {
		j := st.stack[len(st.stack)-1]
		st.stack = st.stack[:len(st.stack)-1]
		pc, pos := int(j.pc), int(j.pos)
		checked := true // pc passed may at pos
	run:
		for {
			op := &ops[pc]
			if !checked && !op.next.may(s, pos) {
				break
			}
			checked = false
			k := pos*ninst + pc // the states of one position side by side
			w, bit := k>>6, uint64(1)<<(uint(k)&63)
			if st.visited[w]&bit != 0 {
				break
			}
			if st.visited[w] == 0 {
				st.touched = append(st.touched, int32(w))
			}
			st.visited[w] |= bit
			switch op.op {
			case btAlt:
				if op.leaves >= 0 {
					lv := a.leafLists[op.leaves]
					dispatched := false // lv holds exactly the branches that pass may
					if op.dispatch >= 0 && pos < len(s) && s[pos] < 0x80 {
						lv, dispatched = a.dispatch[op.dispatch][s[pos]], true
					}
					// Only the branches that can go on are pushed: a
					// branch whose literal's first bytes differ from the
					// input's, or (without one) that fails may. A branch
					// left out would fail at once when popped (its state
					// marked visited, which only ever turns the same
					// failure away again), so the search finds the same
					// match.
					in := peek8(s, pos)
					f := 0 // the first branch that can go on
					for ; f < len(lv); f++ {
						if l := &lv[f]; l.mask != 0 && (in^l.key)&l.mask == 0 || l.mask == 0 && (dispatched || ops[l.pc].next.may(s, pos)) {
							break
						}
					}
					if f == len(lv) {
						break run
					}
					for i := len(lv) - 1; i > f; i-- {
						if l := &lv[i]; l.mask != 0 && (in^l.key)&l.mask == 0 || l.mask == 0 && (dispatched || ops[l.pc].next.may(s, pos)) {
							st.stack = append(st.stack, btJob{l.pc, int32(pos)})
						}
					}
					pc, checked = int(lv[f].pc), true
					continue
				}
				if ops[op.arg].next.may(s, pos) {
					st.stack = append(st.stack, btJob{int32(op.arg), int32(pos)})
				}
				pc = int(op.out)
			case btRune1, btRune:
				if op.litLen > 0 {
					if !strings.HasPrefix(s[pos:], a.litText[op.litOff:op.litOff+uint32(op.litLen)]) {
						break run
					}
					pos += int(op.litLen)
					pc = int(op.out)
					continue
				}
				if pos >= len(s) {
					break run
				}
				r, size := rune(s[pos]), 1
				if r >= utf8.RuneSelf {
					r, size = utf8.DecodeRuneInString(s[pos:])
				}
				if op.op == btRune1 {
					if r != rune(op.arg) {
						break run
					}
				} else if r < utf8.RuneSelf {
					// The next-byte set of a rune instruction holds
					// exactly the ASCII runes it matches (nextSets;
					// TestRuneNextExact), in the record already read:
					// MatchRune's search of the rune ranges, a call
					// and another cache line, was 1% of a cold pass.
					if op.next.b[r>>6]&(1<<(r&63)) == 0 {
						break run
					}
				} else if !a.prog.Inst[pc].MatchRune(r) {
					break run
				}
				pos += size
				pc = int(op.out)
			case btNop:
				pc = int(op.out)
			case btEmpty:
				before, after := rune(-1), rune(-1)
				if pos > 0 {
					before, _ = utf8.DecodeLastRuneInString(s[:pos])
				}
				if pos < len(s) {
					after, _ = utf8.DecodeRuneInString(s[pos:])
				}
				if syntax.EmptyOp(op.arg)&^syntax.EmptyOpContext(before, after) != 0 {
					break run
				}
				pc = int(op.out)
			case btMatch:
				return pos
			default: // InstFail
				break run
			}
		}
	}
	return -1
}

package sanitize

import (
	"regexp/syntax"
	"sync"
	"unicode/utf8"
)

// anchoredProg finds the end of the leftmost-first match of a pattern
// anchored at the start of its input, like regexp's FindStringIndex on
// `^(?:pattern)`, by a depth-first search over the compiled program
// that visits each (instruction, position) pair at most once. Go's
// regexp runs programs of more than 500 instructions (the large rule
// alternations) on its NFA simulation, which costs some hundred
// nanoseconds per byte with many threads alive; the search here costs
// O(program × input) at worst too, but touches only the states a match
// attempt reaches, and its visited set is cleared by what was set.
// TestAnchoredProg compares it with regexp on every anchored attempt of
// the corpus and on random inputs.
type anchoredProg struct {
	prog *syntax.Prog
}

func compileAnchoredProg(pattern string) (*anchoredProg, error) {
	re, err := syntax.Parse(`^(?:`+pattern+`)`, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	return &anchoredProg{prog: prog}, nil
}

type btJob struct{ pc, pos int32 }

type btState struct {
	visited []uint64
	touched []int32
	stack   []btJob
}

var btPool = sync.Pool{New: func() any { return &btState{} }}

// matchEnd returns the end of the match at the start of s, or -1.
func (a *anchoredProg) matchEnd(s string) int {
	n := len(a.prog.Inst) * (len(s) + 1)
	st := btPool.Get().(*btState)
	if words := (n + 63) / 64; len(st.visited) < words {
		st.visited = make([]uint64, words)
	}
	end := a.search(st, s)
	for _, w := range st.touched {
		st.visited[w] = 0
	}
	st.touched = st.touched[:0]
	st.stack = st.stack[:0]
	btPool.Put(st)
	return end
}

func (a *anchoredProg) search(st *btState, s string) int {
	insts := a.prog.Inst
	width := len(s) + 1
	st.stack = append(st.stack, btJob{int32(a.prog.Start), 0})
	for len(st.stack) > 0 {
		j := st.stack[len(st.stack)-1]
		st.stack = st.stack[:len(st.stack)-1]
		pc, pos := int(j.pc), int(j.pos)
	run:
		for {
			k := pc*width + pos
			w, bit := k>>6, uint64(1)<<(uint(k)&63)
			if st.visited[w]&bit != 0 {
				break
			}
			if st.visited[w] == 0 {
				st.touched = append(st.touched, int32(w))
			}
			st.visited[w] |= bit
			in := &insts[pc]
			switch in.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				st.stack = append(st.stack, btJob{int32(in.Arg), int32(pos)})
				pc = int(in.Out)
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				if pos >= len(s) {
					break run
				}
				r, size := rune(s[pos]), 1
				if r >= utf8.RuneSelf {
					r, size = utf8.DecodeRuneInString(s[pos:])
				}
				if !in.MatchRune(r) {
					break run
				}
				pos += size
				pc = int(in.Out)
			case syntax.InstCapture, syntax.InstNop:
				pc = int(in.Out)
			case syntax.InstEmptyWidth:
				before, after := rune(-1), rune(-1)
				if pos > 0 {
					before, _ = utf8.DecodeLastRuneInString(s[:pos])
				}
				if pos < len(s) {
					after, _ = utf8.DecodeRuneInString(s[pos:])
				}
				if syntax.EmptyOp(in.Arg)&^syntax.EmptyOpContext(before, after) != 0 {
					break run
				}
				pc = int(in.Out)
			case syntax.InstMatch:
				return pos
			default: // InstFail
				break run
			}
		}
	}
	return -1
}

package sanitize

import (
	"regexp/syntax"
	"strings"
)

// Anchored matching. Running a large alternation over a whole window with
// Go's regexp engine costs tens of microseconds; an anchored attempt at a
// word that can start a match costs far less, and most windows hold no
// such word. firstWords derives, from a pattern's syntax tree, the set of
// words a match can start with. Patterns for which the set is not finite
// and small keep plain window matching.

const maxFirstWords = 4096

type partial struct {
	s    string
	done bool // a space has been reached: the first word is complete
}

// firstWords returns the possible first words of matches of pattern, or
// ok == false.
func firstWords(pattern string) (map[string]bool, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	ps, ok := expandFirst(re, []partial{{}})
	if !ok {
		return nil, false
	}
	out := map[string]bool{}
	for _, p := range ps {
		w := strings.TrimSuffix(p.s, " ")
		if w == "" {
			return nil, false // a match may start with a space or be empty
		}
		out[w] = true
	}
	return out, true
}

func allDone(ps []partial) bool {
	for _, p := range ps {
		if !p.done {
			return false
		}
	}
	return true
}

func expandFirst(re *syntax.Regexp, in []partial) ([]partial, bool) {
	if allDone(in) {
		return in, true
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return in, true
	case syntax.OpLiteral:
		out := make([]partial, 0, len(in))
		for _, p := range in {
			if !p.done {
				for _, r := range re.Rune {
					if p.done {
						break
					}
					if r == ' ' && p.s == "" {
						continue // a leading separator, as in (?:^| )
					}
					p.s += string(r)
					if r == ' ' {
						p.done = true
					}
				}
			}
			out = append(out, p)
		}
		return out, true
	case syntax.OpCharClass:
		var runes []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				runes = append(runes, r)
				if len(runes) > 16 {
					return nil, false
				}
			}
		}
		var out []partial
		for _, p := range in {
			if p.done {
				out = append(out, p)
				continue
			}
			for _, r := range runes {
				out = append(out, partial{p.s + string(r), r == ' '})
			}
		}
		return out, len(out) <= maxFirstWords
	case syntax.OpCapture:
		return expandFirst(re.Sub[0], in)
	case syntax.OpConcat:
		cur := in
		for _, sub := range re.Sub {
			var ok bool
			if cur, ok = expandFirst(sub, cur); !ok {
				return nil, false
			}
		}
		return cur, true
	case syntax.OpAlternate:
		var out []partial
		for _, sub := range re.Sub {
			o, ok := expandFirst(sub, in)
			if !ok {
				return nil, false
			}
			out = append(out, o...)
			if len(out) > maxFirstWords {
				return nil, false
			}
		}
		return out, true
	case syntax.OpQuest:
		o, ok := expandFirst(re.Sub[0], in)
		if !ok {
			return nil, false
		}
		return append(append([]partial(nil), in...), o...), len(in)+len(o) <= maxFirstWords
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		// When one repetition completes the first word (the repeated part
		// starts with a space), more repetitions do not change it.
		if once, ok := expandFirst(re.Sub[0], in); ok && allDone(once) {
			if re.Op == syntax.OpStar || re.Op == syntax.OpRepeat && re.Min == 0 {
				return append(append([]partial(nil), in...), once...), true
			}
			return once, true
		}
		if re.Op != syntax.OpRepeat || re.Max < 0 || re.Max > 4 {
			return nil, false
		}
		var out []partial
		cur := in
		if re.Min == 0 {
			out = append(out, in...)
		}
		for i := 1; i <= re.Max; i++ {
			var ok bool
			if cur, ok = expandFirst(re.Sub[0], cur); !ok {
				return nil, false
			}
			if i >= re.Min {
				out = append(out, cur...)
			}
			if len(out) > maxFirstWords {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false // star, plus, any char, ...
}

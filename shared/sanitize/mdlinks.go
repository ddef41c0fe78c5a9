package sanitize

import "strings"

// mdInline finds Markdown inline links ("[label](url "title")") or, with
// image, images ("![alt](url)") in s, left to right, like
// FindAllStringSubmatchIndex with the patterns
//
//	!?\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\)
//
// (TestMDInlineMatchesRegexp holds it to them), but in one linear pass
// instead of the regexp engine's NFA, which cost about 0.5 s per MB of
// links. Each match is {start, end, label start, label end, url start,
// url end}.
func mdInline(s string, image bool) [][]int {
	open := "["
	if image {
		open = "!["
	}
	var out [][]int
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], open)
		if k < 0 {
			break
		}
		st := i + k
		if loc := matchMDInline(s, st, st+len(open)); loc != nil {
			out = append(out, loc)
			i = loc[1]
			continue
		}
		i = st + 1
	}
	return out
}

func isMDSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

func skipMDSpace(s string, j int) int {
	for j < len(s) && isMDSpace(s[j]) {
		j++
	}
	return j
}

// matchMDInline matches one link whose label starts at lb (s[st:lb] is
// "[" or "![").
func matchMDInline(s string, st, lb int) []int {
	j := lb
	for {
		if j >= len(s) {
			return nil
		}
		switch s[j] {
		case '\n':
			return nil
		case '[':
			k := j + 1
			for k < len(s) && s[k] != '[' && s[k] != ']' && s[k] != '\n' {
				k++
			}
			if k < len(s) && s[k] == ']' {
				j = k + 1
				continue
			}
			return nil
		case ']':
		default:
			j++
			continue
		}
		break
	}
	e := j
	if e+1 >= len(s) || s[e+1] != '(' {
		return nil
	}
	open := e + 2
	us := skipMDSpace(s, open)
	j = us
	if j < len(s) && s[j] == '<' {
		k := j + 1
		for k < len(s) && s[k] != '<' && s[k] != '>' && s[k] != '\n' {
			k++
		}
		if k >= len(s) || s[k] != '>' {
			return nil
		}
		j = k + 1
	} else {
		for {
			for j < len(s) && !isMDSpace(s[j]) && s[j] != '(' && s[j] != ')' && s[j] != '<' && s[j] != '>' {
				j++
			}
			if j < len(s) && s[j] == '(' {
				k := j + 1
				for k < len(s) && !isMDSpace(s[k]) && s[k] != '(' && s[k] != ')' {
					k++
				}
				if k < len(s) && s[k] == ')' {
					j = k + 1
					continue
				}
			}
			break
		}
	}
	ue := j
	w := skipMDSpace(s, j)
	if w < len(s) && s[w] == ')' {
		return []int{st, w + 1, lb, e, us, ue}
	}
	// A title needs white space before it; with an empty URL, the space
	// before the URL serves.
	if w < len(s) && (w > j || ue == us && us > open) {
		if t := titleEnd(s, w); t >= 0 {
			if ue == us && w == us {
				us, ue = w-1, w-1 // the regexp gives the space back
			}
			return []int{st, t, lb, e, us, ue}
		}
	}
	// Failing that, the regexp backtracks to an empty URL just before
	// what the URL took, the space before it serving as the title's:
	// "[]( 'x')" is a link to "" titled 'x'.
	if ue > us && us > open {
		if t := titleEnd(s, us); t >= 0 {
			return []int{st, t, lb, e, us - 1, us - 1}
		}
	}
	return nil
}

// titleEnd matches a link title ("t", 't' or (t)) at s[w], then white
// space and the closing parenthesis; it returns the index after that
// parenthesis, or -1.
func titleEnd(s string, w int) int {
	t := -1
	switch c := s[w]; c {
	case '"', '\'':
		k := w + 1
		for k < len(s) && s[k] != c && s[k] != '\n' {
			k++
		}
		if k < len(s) && s[k] == c {
			t = k + 1
		}
	case '(':
		k := w + 1
		for k < len(s) && s[k] != ')' && s[k] != '\n' {
			k++
		}
		if k < len(s) && s[k] == ')' {
			t = k + 1
		}
	}
	if t < 0 {
		return -1
	}
	if t = skipMDSpace(s, t); t < len(s) && s[t] == ')' {
		return t + 1
	}
	return -1
}

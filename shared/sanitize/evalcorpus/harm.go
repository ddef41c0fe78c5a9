package evalcorpus

import (
	"fmt"
	"html"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/bizmcp/bizmcp/shared/sanitize"
)

// harmKinds names what a sanitizer did to a must_keep substring that is not
// in its output: it is computed from the substring and the output only and
// reported as counts per kind, so a blind set's damage can be told apart
// without showing its texts.
var formatKinds = []struct {
	name string
	in   func(r rune) bool
}{
	{"ZWJ", func(r rune) bool { return r == 0x200d }},
	{"ZWNJ", func(r rune) bool { return r == 0x200c }},
	{"VS15/VS16", func(r rune) bool { return r == 0xfe0e || r == 0xfe0f }},
	{"other variation selector", func(r rune) bool {
		return r >= 0xfe00 && r <= 0xfe0d || r >= 0xe0100 && r <= 0xe01ef
	}},
	{"tag character", func(r rune) bool { return r >= 0xe0000 && r <= 0xe007f }},
	{"LRM/RLM/ALM", func(r rune) bool { return r == 0x200e || r == 0x200f || r == 0x61c }},
	{"bidi isolate/embedding", func(r rune) bool { return r >= 0x2066 && r <= 0x2069 || r >= 0x202a && r <= 0x202e }},
	{"soft hyphen", func(r rune) bool { return r == 0xad }},
	{"ZWSP/word joiner", func(r rune) bool { return r == 0x200b || r == 0x2060 || r == 0xfeff }},
}

// HarmKinds explains why must_keep substring k is missing from out, as
// one or more kind names ("removed ZWJ", "link defanged", "NFC changed",
// "markup changed", "whitespace changed", "other").
func HarmKinds(s *sanitize.Sanitizer, k, out string) []string {
	var kinds []string
	// Format characters: which removal makes k appear.
	stripped := k
	for _, fk := range formatKinds {
		if !strings.ContainsFunc(k, fk.in) {
			continue
		}
		s := strings.Map(func(r rune) rune {
			if fk.in(r) {
				return -1
			}
			return r
		}, k)
		stripped = strings.Map(func(r rune) rune {
			if fk.in(r) {
				return -1
			}
			return r
		}, stripped)
		if strings.Contains(out, s) {
			kinds = append(kinds, "removed "+fk.name)
		}
	}
	if len(kinds) == 0 && stripped != k && strings.Contains(out, stripped) {
		kinds = append(kinds, "removed several kinds of format characters")
	}
	if len(kinds) > 0 {
		return kinds
	}
	if stripped != k {
		kinds = append(kinds, "format characters changed")
	}
	low := strings.ToLower(k)
	isLink := strings.Contains(low, "://") || strings.Contains(low, "www.") || strings.Contains(low, "mailto:")
	switch {
	case isLink && len(OffListURLs(s, k)) > 0:
		if DefangedKept(s, k, out) {
			kinds = append(kinds, "off-list link defanged, host/path/query readable")
		} else {
			kinds = append(kinds, "off-list link, identifiers lost")
			if u := html.UnescapeString(k); u != k && DefangedKept(s, u, out) {
				kinds = append(kinds, "off-list link readable after decoding entities")
			}
			if strings.Contains(k, "](") || strings.Contains(low, "href=") || strings.Contains(low, "src=") {
				kinds = append(kinds, "off-list link in link syntax (cannot survive as written)")
			}
		}
	case isLink:
		kinds = append(kinds, "allowed link changed")
	case looksLikeHost(k) && (strings.Contains(out, "(link disabled") || strings.Contains(out, "[.]")):
		kinds = append(kinds, "host-like must_keep, link defanged")
	}
	if strings.Contains(k, "<!--") {
		kinds = append(kinds, "comment opener in must_keep")
		if strings.Contains(out, commentRE.ReplaceAllString(k, "")) {
			kinds = append(kinds, "comment removed")
		}
		if strings.Contains(k, "<!--[if") || strings.Contains(k, "<![endif") {
			kinds = append(kinds, "conditional comment")
		}
		if !strings.Contains(k, "-->") {
			kinds = append(kinds, "comment not closed in must_keep")
		}
	} else if strings.ContainsAny(k, "<>") {
		kinds = append(kinds, "angle brackets in must_keep")
		if t := tagRE.ReplaceAllString(k, ""); t != k && strings.Contains(out, t) {
			kinds = append(kinds, "tags removed")
		}
	}
	if strings.Contains(k, "&") && !isLink {
		kinds = append(kinds, "ampersand in must_keep")
		if u := html.UnescapeString(k); u != k && strings.Contains(out, u) {
			kinds = append(kinds, "entities decoded")
		}
	}
	if strings.Contains(k, "`") {
		kinds = append(kinds, "backtick in must_keep")
	}
	if strings.ContainsAny(k, "[]()") && !isLink {
		kinds = append(kinds, "brackets in must_keep")
	}
	if norm.NFC.String(k) != k && strings.Contains(out, norm.NFC.String(k)) {
		kinds = append(kinds, "NFC changed")
	}
	if norm.NFKC.String(k) != k && strings.Contains(out, norm.NFKC.String(k)) {
		kinds = append(kinds, "NFKC changed")
	}
	if strings.ContainsAny(k, "⟦⟧〚〛") || strings.Contains(strings.ToLower(k), "untrusted") {
		kinds = append(kinds, "fence-like must_keep")
	}
	if strings.ContainsAny(k, "\r\u2028\u2029") || strings.ContainsFunc(k, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f }) {
		kinds = append(kinds, "control or line separator in must_keep")
	}
	if w := strings.Join(strings.Fields(k), " "); w != k && strings.Contains(strings.Join(strings.Fields(out), " "), w) {
		kinds = append(kinds, "whitespace changed")
	}
	if strings.ContainsRune(k, 0xfffd) {
		kinds = append(kinds, "replacement character in must_keep")
	}
	// Longest prefix of k found in out: where the change starts.
	if len(kinds) == 0 {
		kinds = append(kinds, "other")
	}
	return kinds
}

var (
	commentRE = regexp.MustCompile(`(?s)<!--.*?-->`)
	tagRE     = regexp.MustCompile(`<[^<>]*>`)
	schemeRE  = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]*://`)
	refang    = strings.NewReplacer("[.]", ".", "[:]", ":")
)

// DefangedKept reports whether must_keep substring k, which holds an
// off-allow-list URL, is readable in out as the link neutralization
// target allows it: no URL to a host off the allow-list may survive
// (OffListURLs), so the scheme must go and a leading "www." is written
// "www[.]"; what the link pointed to (host, path, query: a tracking
// number, an order id) must stay. Read back ("[.]" as ".", "[:]" as
// ":") and without its scheme, k must be in out.
func DefangedKept(s *sanitize.Sanitizer, k, out string) bool {
	if len(OffListURLs(s, k)) == 0 {
		return false
	}
	return strings.Contains(refang.Replace(out), stripSchemes(k))
}

// stripSchemes removes the scheme of every URL in k that starts one (at
// the start or after white space, a quote or a bracket); a URL inside
// another URL's path keeps its scheme, as the sanitizer writes it
// "https[:]//".
func stripSchemes(k string) string {
	var b strings.Builder
	last := 0
	for _, m := range schemeRE.FindAllStringIndex(k, -1) {
		if m[0] > 0 && !strings.ContainsRune(" \t\n<>\"'`([{", rune(k[m[0]-1])) {
			continue
		}
		b.WriteString(k[last:m[0]])
		last = m[1]
	}
	b.WriteString(k[last:])
	return b.String()
}

func looksLikeHost(k string) bool {
	dot := strings.IndexByte(k, '.')
	return dot > 0 && dot < len(k)-2 && !strings.ContainsAny(k, " \n")
}

// harmOf returns the kinds of change that broke c's must_keep in out.
func harmOf(s *sanitize.Sanitizer, c Case, out string) []string {
	var kinds []string
	for _, k := range c.MustKeep {
		if !strings.Contains(out, k) {
			kinds = append(kinds, HarmKinds(s, k, out)...)
			if !DefangedKept(s, k, out) && os.Getenv("INJEVAL_HARM_DETAIL") != "" && !blindSplit(c.Split) {
				// One signature per substring: what changed and where
				// (never for a blind split: those stay unseen beyond
				// their per-kind counts).
				sig := append(HarmKinds(s, k, out), contextKinds(c.Text, k, out)...)
				sig = append(sig, "class "+c.Class)
				kinds = append(kinds, "{"+strings.Join(sig, " | ")+"}")
			}
		}
	}
	return kinds
}

// blindSplit reports whether split is an evaluation set that must stay
// unseen (the blind part and fresh sets written by others).
func blindSplit(split string) bool {
	return split != "tune" && split != "holdout"
}

// sortedKinds returns "kind N" pairs, most frequent first.
func sortedKinds(m map[string]int) []string {
	type kv struct {
		k string
		n int
	}
	var l []kv
	for k, n := range m {
		l = append(l, kv{k, n})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n || l[i].n == l[j].n && l[i].k < l[j].k })
	var out []string
	for _, e := range l {
		out = append(out, e.k+" "+strconv.Itoa(e.n))
	}
	return out
}

// contextKinds describes, as "ctx: ..." kinds, where a broken must_keep
// substring k sits in the input text: inside code, on a line of its own,
// in a text with how much markup. Aggregate only.
func contextKinds(in, k, out string) []string {
	at := strings.Index(in, k)
	if at < 0 {
		return []string{"ctx: must_keep not in input as written"}
	}
	var kinds []string
	before := in[:at]
	if strings.Count(before, "```")%2 == 1 || strings.Count(before, "~~~")%2 == 1 {
		kinds = append(kinds, "ctx: in fenced code")
	}
	ls := strings.LastIndexByte(before, '\n') + 1
	le := strings.IndexByte(in[at:], '\n')
	if le < 0 {
		le = len(in)
	} else {
		le += at
	}
	line := in[ls:le]
	if strings.Count(in[ls:at], "`")%2 == 1 {
		kinds = append(kinds, "ctx: in code span")
	}
	if strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t") {
		kinds = append(kinds, "ctx: indented line")
	}
	if strings.TrimSpace(line) == strings.TrimSpace(k) {
		kinds = append(kinds, "ctx: must_keep is its whole line")
	}
	low := strings.ToLower(in)
	for _, t := range []string{"<!doctype", "<html", "<pre", "<code", "<body", "<p>", "<div", "<br", "<table", "<a ", "<img", "<span", "<style", "<script", "&lt;"} {
		if strings.Contains(low, t) {
			kinds = append(kinds, "ctx: input has "+t)
		}
	}
	tags := len(tagRE.FindAllStringIndex(in, -1))
	switch {
	case tags == 0:
	case tags < 4:
		kinds = append(kinds, "ctx: input has 1-3 <...>")
	default:
		kinds = append(kinds, "ctx: input has 4+ <...>")
	}
	if strings.Contains(out, "(link disabled") || strings.Contains(out, "removed") {
		kinds = append(kinds, "ctx: output has a link marker")
	}
	if strings.Contains(k, "](") {
		kinds = append(kinds, "ctx: must_keep has markdown link syntax")
	}
	if u := urlRE.FindString(k); len(u) > 160 {
		kinds = append(kinds, "ctx: must_keep URL over 160 bytes")
	}
	if strings.Contains(out, "data removed") {
		kinds = append(kinds, "ctx: output says data removed")
	}
	if strings.Contains(k, "<!--") {
		if c := commentRE.FindString(k); c == "" {
			kinds = append(kinds, "ctx: comment unclosed in must_keep")
		} else {
			if len(c) > 200 {
				kinds = append(kinds, "ctx: comment over 200 bytes")
			}
			if len(strings.Fields(c)) >= 5 {
				kinds = append(kinds, "ctx: comment holds 5+ words")
			}
		}
	}
	if t := tagRE.FindAllString(k, -1); len(t) > 0 {
		for _, tag := range t {
			if len(urlRE.FindAllString(tag, -1)) > 0 {
				kinds = append(kinds, "ctx: a tag in must_keep holds a URL")
				break
			}
		}
	}
	// Which hidden-HTML rule removed the part of the input where k sits.
	if norm, spans := sanitize.HiddenSpans(in); len(spans) > 0 {
		if at := strings.Index(norm, k); at >= 0 {
			for _, sp := range spans {
				if at < sp.End && at+len(k) > sp.Start {
					kinds = append(kinds, fmt.Sprintf("ctx: removed as hidden (%s, %d bytes)", sp.Why, (sp.End-sp.Start)/100*100))
				}
			}
		} else {
			kinds = append(kinds, "ctx: not located in normalized input")
		}
	}
	// How much of k survives, and what comes where it breaks.
	n := 0
	for n < len(k) && strings.Contains(out, k[:n+1]) {
		n++
	}
	kinds = append(kinds, fmt.Sprintf("ctx: kept prefix %d%% of must_keep", 100*n/max(1, len(k))/10*10))
	if n < len(k) {
		r, _ := utf8.DecodeRuneInString(k[n:])
		kinds = append(kinds, "ctx: breaks at "+runeKind(r)+fmt.Sprintf(" U+%04X", r))
		if n > 0 {
			p, _ := utf8.DecodeLastRuneInString(k[:n])
			kinds = append(kinds, "ctx: after "+runeKind(p)+fmt.Sprintf(" U+%04X", p))
		}
	}
	if host := urlRE.FindString(k); host != "" {
		if h := hostOf(host); h != "" && !strings.Contains(strings.ToLower(out), strings.ToLower(h)) {
			kinds = append(kinds, "ctx: URL host not in output")
		}
	}
	if strings.ContainsAny(k, "@") {
		kinds = append(kinds, "ctx: must_keep has @")
	}
	// Bidi marks: what they sit next to.
	for _, m := range []rune{0x200e, 0x200f, 0x61c} {
		for i, r := range k {
			if r != m {
				continue
			}
			var prev, next rune = -1, -1
			if i > 0 {
				prev, _ = lastRune(k[:i])
			}
			if j := i + utf8.RuneLen(r); j < len(k) {
				next, _ = utf8.DecodeRuneInString(k[j:])
			}
			kinds = append(kinds, "ctx: mark between "+runeKind(prev)+" and "+runeKind(next))
		}
	}
	return kinds
}

func hostOf(u string) string {
	if i := strings.Index(u, "//"); i >= 0 {
		u = u[i+2:]
	}
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

func lastRune(s string) (rune, int) { return utf8.DecodeLastRuneInString(s) }

func runeKind(r rune) string {
	switch {
	case r < 0:
		return "edge of must_keep"
	case r == ' ' || r == '\t':
		return "space"
	case r == '\n':
		return "newline"
	case unicode.IsDigit(r):
		return "digit"
	case r < 0x80 && unicode.IsLetter(r):
		return "latin letter"
	case unicode.Is(unicode.Hebrew, r):
		return "hebrew"
	case unicode.Is(unicode.Arabic, r):
		return "arabic"
	case unicode.IsPunct(r) || unicode.IsSymbol(r):
		return "punctuation"
	case unicode.Is(unicode.Cf, r):
		return "format char"
	}
	return "other"
}

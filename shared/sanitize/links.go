package sanitize

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// normHost brings a host name to the form the allow-list compares:
// lower-case ASCII (IDN converted to punycode with the UTS #46 lookup
// mapping, so fullwidth dots and letters fold), no trailing dot. ok is
// false for hosts that cannot be valid.
func normHost(h string) (string, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", false
	}
	if strings.HasPrefix(h, "[") { // IPv6 literal
		return strings.ToLower(h), true
	}
	ok := true
	if strings.IndexByte(h, '%') >= 0 {
		if u, err := url.PathUnescape(h); err == nil {
			h = u
		}
		ok = false // percent-encoded host names are a parser-confusion trick
	}
	a, plain := plainHost(h)
	var err error
	if !plain {
		a, err = idna.Lookup.ToASCII(h)
	}
	if err != nil {
		return strings.TrimSuffix(strings.ToLower(h), "."), false
	}
	a = strings.TrimSuffix(a, ".")
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return a, false
		}
	}
	return a, ok && a != ""
}

// plainHost lower-cases a host of plain LDH labels, which is all the
// UTS #46 lookup mapping does to one (TestPlainHostMatchesIDNA); plain is
// false for anything else (non-ASCII, punycode, empty labels, hyphen rules),
// which idna handles.
func plainHost(h string) (string, bool) {
	var b []byte
	start := 0
	for i := 0; i <= len(h); i++ {
		if i < len(h) && h[i] != '.' {
			c := h[i]
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-':
			case c >= 'A' && c <= 'Z':
				if b == nil {
					b = []byte(h)
				}
				b[i] = c + 'a' - 'A'
			default:
				return "", false
			}
			continue
		}
		l := h[start:i]
		if l == "" {
			if i == len(h) && i > 0 {
				break // one trailing dot
			}
			return "", false
		}
		if l[0] == '-' || l[len(l)-1] == '-' || len(l) >= 4 && l[2] == '-' && l[3] == '-' {
			return "", false
		}
		start = i + 1
	}
	if b == nil {
		return h, true
	}
	return string(b), true
}

// normAllowHost normalizes one allow-list entry ("https://Shop.Example/",
// "*.example.com" and "example.com." all work).
func normAllowHost(h string) string {
	h = strings.TrimSpace(h)
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexAny(h, "/?#"); i >= 0 {
		h = h[:i]
	}
	h = strings.TrimPrefix(h, "*")
	h = strings.Trim(h, ".")
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasPrefix(h, "[") {
		h = h[:i]
	}
	n, _ := normHost(h)
	return n
}

// HostAllowed reports whether links to host survive: host equals an
// allowed host or is a subdomain of one. host is normalized first (case,
// IDN, trailing dot); a host that does not normalize cleanly is refused.
func (s *Sanitizer) HostAllowed(host string) bool {
	h, ok := normHost(host)
	return ok && s.hostAllowed(h)
}

func (s *Sanitizer) hostAllowed(h string) bool {
	if h == "" {
		return false
	}
	for _, a := range s.allow {
		if h == a || (len(h) > len(a) && strings.HasSuffix(h, a) && h[len(h)-len(a)-1] == '.') {
			return true
		}
	}
	return false
}

// linkURL is the part of a URL the link rules need.
type linkURL struct {
	keep    bool   // relative, allowed or harmless: leave as is
	display string // host shown in the removal marker
	rest    string // path, query and fragment: where exfiltrated data sits
	// opaque marks a URL without a host worth showing (javascript:,
	// data:, an unknown scheme): it is replaced by "[link removed: scheme]".
	opaque bool
	mail   bool // a mailto: link; rest is the address and its query
}

var schemeRE *regexp.Regexp

// checkURL decides whether raw survives. Relative URLs and harmless opaque
// schemes (tel:, sms:) survive; http(s) and other hierarchical URLs survive
// only when every reading of their host is allowed and they carry no
// userinfo; javascript:, data:, vbscript:, file: and blob: never survive.
func (s *Sanitizer) checkURL(raw string) linkURL {
	raw = strings.TrimSpace(raw)
	raw = strings.TrimPrefix(raw, "<")
	raw = strings.TrimSuffix(raw, ">")
	if strings.IndexByte(raw, '&') >= 0 {
		raw = html.UnescapeString(raw)
	}
	if strings.ContainsAny(raw, "\t\n") { // browsers drop these inside URLs
		raw = strings.NewReplacer("\t", "", "\n", "").Replace(raw)
	}
	lower := strings.ToLower(raw)
	var rest string // after "scheme:"
	scheme := ""
	switch {
	case strings.HasPrefix(lower, "//") || strings.HasPrefix(lower, `\\`) || strings.HasPrefix(lower, `/\`):
		rest = raw
	case strings.HasPrefix(lower, "www."):
		rest = "//" + raw
		scheme = "http"
	default:
		m := schemeRE.FindString(lower)
		if m == "" {
			return linkURL{keep: true}
		}
		scheme = m[:len(m)-1]
		rest = raw[len(m):]
	}
	switch scheme {
	case "javascript", "vbscript", "data", "file", "blob", "livescript":
		return linkURL{display: scheme, rest: rest, opaque: true}
	case "mailto":
		addr := rest
		if i := strings.IndexAny(addr, "?#"); i >= 0 {
			addr = addr[:i]
		}
		host := addr[strings.LastIndexByte(addr, '@')+1:]
		h, ok := normHost(host)
		if ok && s.hostAllowed(h) {
			return linkURL{keep: true}
		}
		if h == "" {
			return linkURL{display: "mailto", rest: rest, opaque: true}
		}
		return linkURL{display: h, rest: rest, mail: true}
	}
	if !(strings.HasPrefix(rest, "//") || strings.HasPrefix(rest, `\\`) || strings.HasPrefix(rest, `/\`)) {
		switch scheme {
		case "tel", "sms", "callto", "geo", "":
			return linkURL{keep: true}
		}
		if len(scheme) == 1 { // a Windows drive letter, not a URL
			return linkURL{keep: true}
		}
		return linkURL{display: scheme, rest: rest, opaque: true}
	}
	body := rest[2:]
	// Two readings of the authority: WHATWG parsers treat '\' as '/', others
	// do not. Both must be allowed.
	a1 := body
	if i := strings.IndexAny(a1, `/?#\`); i >= 0 {
		a1 = a1[:i]
	}
	a2 := body
	if i := strings.IndexAny(a2, "/?#"); i >= 0 {
		a2 = a2[:i]
	}
	path := body[len(a1):]
	userinfo := strings.IndexByte(a1, '@') >= 0 || strings.IndexByte(a2, '@') >= 0
	h1, ok1 := normHost(stripPort(a1[strings.LastIndexByte(a1, '@')+1:]))
	h2, ok2 := normHost(stripPort(a2[strings.LastIndexByte(a2, '@')+1:]))
	display := h2
	if display == "" {
		display = h1
	}
	if display != "" && display == h2 {
		// Shown as written when it reads the same: the case of an ASCII
		// host ("Shop.Example.COM") and its port stay; an IDN host is
		// shown in punycode.
		hp := a2[strings.LastIndexByte(a2, '@')+1:]
		h := stripPort(hp)
		if strings.EqualFold(strings.TrimSuffix(h, "."), display) {
			display = strings.TrimSuffix(h, ".") + hp[len(h):]
		}
	}
	if display == "" {
		display = "invalid-host"
	}
	web := scheme == "" || scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" || scheme == "ftp"
	if web && !userinfo && ok1 && ok2 && s.hostAllowed(h1) && s.hostAllowed(h2) {
		return linkURL{keep: true}
	}
	return linkURL{display: display, rest: path}
}

func stripPort(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i >= 0 {
			return h[:i+1]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		if _, err := strconv.Atoi(h[i+1:]); err == nil || i == len(h)-1 {
			return h[:i]
		}
	}
	return h
}

var (
	placeholderRE *regexp.Regexp
	urlTokenSep   = func(r rune) bool { return strings.ContainsRune("/?&=#;,.:+!*()~", r) }
	sensitiveKeys map[string]bool
	imageDataKeys map[string]bool
)

// base64ish reports whether t looks like base64 data rather than a word or
// a lower-case slug: long, with upper case, lower case and digits or
// base64 symbols.
func base64ish(t string) bool {
	if len(t) < 24 {
		return false
	}
	var up, lo, other bool
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= 'A' && c <= 'Z':
			up = true
		case c >= 'a' && c <= 'z':
			lo = true
		case c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || c == '-' || c == '_':
			other = true
		default:
			return false
		}
	}
	return up && lo && other
}

// templateBraces reports whether the path/query holds a brace that is
// not the start or end of a JSON object: "{data}", "{{email}}" and
// "%7Bconversation%7D" are placeholders for the model to fill in, while a
// meeting link's "context=%7b%22Tid%22%3a%22...%22%7d" ({"Tid":"..."})
// carries its data already. low is rest in lower case.
func templateBraces(rest, low string) bool {
	if !strings.ContainsAny(rest, "{}") && !strings.Contains(low, "%7b") && !strings.Contains(low, "%7d") {
		return false
	}
	dec := rest
	if u, err := url.PathUnescape(rest); err == nil {
		dec = u
	}
	opens := 0
	for i := 0; i < len(dec); i++ {
		switch dec[i] {
		case '{':
			if i+1 >= len(dec) || dec[i+1] != '"' {
				return true // "{name", "{{", "{ x": a placeholder
			}
			opens++
		case '}':
			if opens == 0 || i == 0 || dec[i-1] != '"' && !isJSONValueEnd(dec[i-1]) {
				return true
			}
			opens--
		}
	}
	return opens != 0
}

// isJSONValueEnd reports whether c may end a JSON value before a closing
// brace (a number, true, false, null, a nested object or array).
func isJSONValueEnd(c byte) bool {
	return c >= '0' && c <= '9' || c == 'e' || c == 'l' || c == '}' || c == ']'
}

func allHex(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// looksLikeData reports whether the path/query of a removed URL carries
// data, and how surely: 2 for what only an exfiltration template holds
// (placeholders to fill in, an empty trailing parameter, base64 that
// decodes to text), 1 for what tracking links hold too (opaque blobs,
// long image queries, secret-named or e-mail parameters), 0 for nothing.
// Images are judged more strictly since clients fetch them without a
// click.
func looksLikeData(rest string, image bool) int {
	if rest == "" {
		return 0
	}
	if len(rest) > 4096 {
		// Templates and blobs show in the first 4 KiB; judging a longer
		// path would cost more than it tells.
		rest = strings.ToValidUTF8(rest[:4096], "")
		image = true
	}
	low := strings.ToLower(rest)
	if strings.ContainsAny(rest, "<>") || strings.Contains(low, "%3c") || strings.Contains(low, "$(") || templateBraces(rest, low) {
		return 2
	}
	var ph [][]int
	if strings.ContainsAny(rest, "_[%") { // what a placeholder needs
		ph = placeholderRE.FindAllStringIndex(rest, 8)
	}
	for _, m := range ph {
		if rest[m[0]] == '[' && m[1] < len(rest) && (rest[m[1]] == '=' || rest[m[1]] == '[') {
			continue // a bracketed key: "filter[status]=open"
		}
		return 2
	}
	toks := strings.FieldsFunc(rest, urlTokenSep)
	for _, t := range toks {
		if base64ish(t) && decodesToText(t) {
			return 2
		}
	}
	if strings.HasSuffix(rest, "=") && strings.IndexByte(rest, '?') >= 0 {
		return 2 // "?addr=": a template for the model to append data to
	}
	for _, t := range toks {
		if base64ish(t) && (image || len(t) >= 64) {
			return 1
		}
		if len(t) >= 32 && allHex(t) && (image || len(t) >= 64) {
			return 1
		}
	}
	q := rest
	if i := strings.IndexByte(q, '?'); i >= 0 {
		q = q[i+1:]
	} else if !image {
		return 0
	}
	if image && len(q) >= 96 {
		return 1
	}
	for _, kv := range strings.FieldsFunc(q, func(r rune) bool { return r == '&' || r == ';' || r == '#' || r == '/' }) {
		k, v, _ := strings.Cut(kv, "=")
		k = strings.ToLower(k)
		if sensitiveKeys[k] && len(v) > 0 && (image || len(v) >= 24 || len(v) >= 16 && decodesToText(v)) {
			return 1
		}
		if image && len(v) >= 12 && (imageDataKeys[k] || strings.Contains(v, "@") || strings.Contains(strings.ToLower(v), "%40")) {
			return 1
		}
	}
	return 0
}

// Markdown and HTML link syntax (inline links and images: mdInline).
// URLs may hold one level of balanced parentheses, as in CommonMark.
var (
	mdDefRE   *regexp.Regexp
	autoRE    *regexp.Regexp
	imgDefRef *regexp.Regexp
)

// urlAttrs are the HTML attributes whose value is fetched or followed.
var urlAttrs map[string]bool

var imageTags map[string]bool

var cssURLRE *regexp.Regexp

// linkState collects the markers of one neutralization pass. Markers are
// inserted as NUL-delimited placeholders (NUL never survives step 1) so
// that later passes cannot match inside them.
type linkState struct {
	markers     []string
	neutralized int
	exfil       int // strongest looksLikeData of a removed URL
	// data memoizes looksLikeData per path (and image or not) and urls
	// checkURL per raw URL: a text repeats its links (tracking links,
	// an image per product), each is judged once.
	data map[dataKey]int
	urls map[string]linkURL
}

type dataKey struct {
	rest  string
	image bool
}

// dataOf is looksLikeData, memoized per text.
func (st *linkState) dataOf(rest string, image bool) int {
	k := dataKey{rest, image}
	if d, ok := st.data[k]; ok {
		return d
	}
	if st.data == nil {
		st.data = map[dataKey]int{}
	}
	d := looksLikeData(rest, image)
	st.data[k] = d
	return d
}

// check is s.checkURL, memoized per text.
func (st *linkState) check(s *Sanitizer, raw string) linkURL {
	if u, ok := st.urls[raw]; ok {
		return u
	}
	if st.urls == nil {
		st.urls = map[string]linkURL{}
	}
	u := s.checkURL(raw)
	st.urls[raw] = u
	return u
}

func (st *linkState) marker(kind string, u *linkURL) string {
	st.neutralized++
	st.markers = append(st.markers, defang(kind, u, st.dataOf(u.rest, kind == "image")))
	return "\x00" + strconv.Itoa(len(st.markers)-1) + "\x00"
}

func (st *linkState) expand(s string) string {
	if len(st.markers) == 0 {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i+1:], 0)
		if j < 0 { // cannot happen; drop the stray NUL
			b.WriteString(s[:i])
			s = s[i+1:]
			continue
		}
		n, err := strconv.Atoi(s[i+1 : i+1+j])
		b.WriteString(s[:i])
		if err == nil && n >= 0 && n < len(st.markers) {
			b.WriteString(st.markers[n])
		}
		s = s[i+j+2:]
	}
}

// displayHost keeps only host-name characters of h (a decoded host may
// hold anything) and at most 80 of them.
func displayHost(h string) string {
	b := make([]byte, 0, len(h))
	for i := 0; i < len(h) && len(b) < 80; i++ {
		c := h[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':' {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return "invalid-host"
	}
	return string(b)
}

// urlSchemes are the schemes mayHoldURL looks for before a ':' (4 to 10
// letters).
var urlSchemes = [...]string{"mailto", "javascript", "data", "vbscript", "file", "blob", "livescript"}

// mayHoldURL is the fast-path test for step 4.
func mayHoldURL(s string) bool {
	if strings.Contains(s, "//") || strings.Contains(s, `\\`) {
		return true
	}
	for i := 0; i+4 < len(s); i++ {
		switch s[i] {
		case 'w', 'W':
			if strings.EqualFold(s[i:i+4], "www.") {
				return true
			}
		case ':':
			// mailto:, javascript:, data:, vbscript:
			j := i - 1
			for j >= 0 && isLetterByte(s[j]) {
				j--
			}
			// The scheme is ASCII letters: EqualFold is ToLower's
			// comparison without building the lower-case string.
			if sch := s[j+1 : i]; len(sch) >= 4 && len(sch) <= 10 {
				for _, w := range urlSchemes {
					if strings.EqualFold(sch, w) {
						return true
					}
				}
			}
		}
	}
	return false
}

// neutralizeLinks performs step 4 and reports how many links were removed
// and whether any removed URL looked like it carried data.
func (s *Sanitizer) neutralizeLinks(text string) (string, int, int) {
	if !mayHoldURL(text) {
		return text, 0, 0
	}
	st := &linkState{}
	if strings.IndexByte(text, '<') >= 0 {
		text = s.htmlLinks(text, st)
	}
	// Markdown images first, so that the link pass does not see them.
	text = replaceLocs(text, mdInline(text, true), func(m []string) string {
		u := st.check(s, m[2])
		if u.keep {
			return m[0]
		}
		if d := st.dataOf(u.rest, true); d > st.exfil {
			st.exfil = d
		}
		// The alt text is what a reader sees without the image.
		if alt := strings.TrimSpace(m[1]); alt != "" {
			return alt + " " + st.marker("image", &u)
		}
		return st.marker("image", &u)
	})
	text = replaceLocs(text, mdInline(text, false), func(m []string) string {
		u := st.check(s, m[2])
		if u.keep {
			return m[0]
		}
		if d := st.dataOf(u.rest, false); d > st.exfil {
			st.exfil = d
		}
		label := strings.TrimSpace(m[1])
		if label == "" {
			return st.marker("link", &u)
		}
		return label + " " + st.marker("link", &u)
	})
	// Reference definitions; a definition used by an image is judged as one.
	var imgRefs map[string]bool
	if strings.Contains(text, "![") {
		imgRefs = map[string]bool{}
		for _, m := range imgDefRef.FindAllStringSubmatch(text, -1) {
			imgRefs[strings.ToLower(strings.TrimSpace(m[1]))] = true
		}
	}
	if strings.Contains(text, "]:") {
		text = replaceSubmatch(mdDefRE, text, func(m []string) string {
			u := st.check(s, m[2])
			if u.keep {
				return m[0]
			}
			label := strings.ToLower(strings.Trim(strings.TrimSpace(m[1]), "[]:"))
			label = strings.TrimSuffix(label, "]")
			image := imgRefs[label]
			if d := st.dataOf(u.rest, image); d > st.exfil {
				st.exfil = d
			}
			kind := "link"
			if image {
				kind = "image"
			}
			return m[1] + st.marker(kind, &u)
		})
	}
	text = replaceSubmatch(autoRE, text, func(m []string) string {
		u := st.check(s, m[1])
		if u.keep {
			return m[0]
		}
		if d := st.dataOf(u.rest, false); d > st.exfil {
			st.exfil = d
		}
		return st.marker("link", &u)
	})
	if spans := rawURLs(text); len(spans) > 0 {
		var b strings.Builder
		last := 0
		for _, sp := range spans {
			u, tail := trimURLTail(text[sp[0]:sp[1]])
			c := st.check(s, u)
			if c.keep {
				continue
			}
			if d := st.dataOf(c.rest, false); d > st.exfil {
				st.exfil = d
			}
			b.WriteString(text[last:sp[0]])
			kind := "link"
			if q := sp[0] - 1; q >= 0 && (text[q] == '"' || text[q] == '\'') && sp[1] < len(text) && text[sp[1]] == text[q] && tail == "" {
				// A URL in a JSON or log string: defanged, the string
				// left whole (no marker inside the quotes).
				kind = "quoted"
			}
			b.WriteString(st.marker(kind, &c) + tail)
			last = sp[1]
		}
		b.WriteString(text[last:])
		text = b.String()
	}
	return st.expand(text), st.neutralized, st.exfil
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isURLByte(c byte) bool {
	return c > ' ' && c != '<' && c != '>' && c != '"' && c != '\'' && c != '`' && c != 0x7f
}

// rawURLs returns the spans of raw URLs in s: "scheme://..." (a scheme of
// up to 31 characters) and "www.host...", each starting at a word
// boundary and running to white space or one of < > " ' `.
func rawURLs(s string) [][2]int {
	var out [][2]int
	end := 0 // end of the last span
	for i := 0; i < len(s); {
		j := strings.IndexAny(s[i:], ":wW")
		if j < 0 {
			break
		}
		j += i
		start := -1
		switch {
		case s[j] == ':' && strings.HasPrefix(s[j:], "://"):
			k := j
			for k > end && j-k < 31 && (isLetterByte(s[k-1]) || s[k-1] >= '0' && s[k-1] <= '9' || s[k-1] == '+' || s[k-1] == '.' || s[k-1] == '-') {
				k--
			}
			for k < j && !isLetterByte(s[k]) {
				k++
			}
			if k < j && (k == 0 || !isWordByte(s[k-1])) {
				start = k
			}
		case s[j] == 'w' || s[j] == 'W':
			if j+4 <= len(s) && strings.EqualFold(s[j:j+4], "www.") && (j == 0 || !isWordByte(s[j-1])) && j >= end {
				start = j
			}
		}
		if start < 0 {
			i = j + 1
			continue
		}
		e := start
		for e < len(s) && isURLByte(s[e]) {
			e++
		}
		out = append(out, [2]int{start, e})
		end = e
		i = e
	}
	return out
}

// trimURLTail splits trailing punctuation that is not part of a raw URL
// (a sentence's full stop, an unbalanced closing bracket) off u.
func trimURLTail(u string) (string, string) {
	end := len(u)
	for end > 0 {
		c := u[end-1]
		if strings.IndexByte(".,;:!?'\"*_~", c) >= 0 {
			end--
			continue
		}
		if c == ')' || c == ']' || c == '}' {
			open := map[byte]byte{')': '(', ']': '[', '}': '{'}[c]
			if strings.Count(u[:end], string(open)) < strings.Count(u[:end], string(c)) {
				end--
				continue
			}
		}
		break
	}
	return u[:end], u[end:]
}

// replaceSubmatch is ReplaceAllStringFunc with access to submatches.
func replaceSubmatch(re *regexp.Regexp, s string, f func([]string) string) string {
	return replaceLocs(s, re.FindAllStringSubmatchIndex(s, -1), f)
}

// dropAngles drops '<' and '>' (strings.Map).
func dropAngles(r rune) rune {
	if r == '<' || r == '>' {
		return -1
	}
	return r
}

// replaceLocs replaces the matches idx (submatch offsets) in s with f of
// their submatches.
func replaceLocs(s string, idx [][]int, f func([]string) string) string {
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range idx {
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(f(m))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// htmlLinks neutralizes HTML elements whose URL attributes (or inline CSS
// url()) point off the allow-list. <a> keeps its text, followed by the
// marker; fetched media become an image marker; other tags a link marker.
func (s *Sanitizer) htmlLinks(text string, st *linkState) string {
	lower := asciiLower(text)
	var b strings.Builder
	last := 0
	pendingA := []string{} // markers owed at the next </a>, innermost last
	closeA := nextFinder{sub: "</a", pos: -2}
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], '<')
		if k < 0 {
			break
		}
		i += k
		name, attrs, end, ok := parseTag(text, i)
		if !ok {
			i++
			continue
		}
		if name == "/a" && len(pendingA) > 0 {
			b.WriteString(text[last:i])
			b.WriteString(" " + pendingA[len(pendingA)-1])
			pendingA = pendingA[:len(pendingA)-1]
			last, i = end, end
			continue
		}
		var bad *linkURL
		exfil := 0
		image := imageTags[name] && name != "a"
		check := func(raw string) {
			u := st.check(s, raw)
			if u.keep {
				return
			}
			if d := st.dataOf(u.rest, image); d > exfil {
				exfil = d
			}
			if bad == nil {
				bad = &u
			}
		}
		for _, a := range attrs {
			switch {
			case a.name == "srcset" || a.name == "imagesrcset":
				for _, cand := range strings.Split(a.val, ",") {
					if f := strings.Fields(cand); len(f) > 0 {
						check(f[0])
					}
				}
			case urlAttrs[a.name]:
				check(a.val)
			case a.name == "style":
				for _, m := range cssURLRE.FindAllStringSubmatch(a.val, -1) {
					image = true
					check(m[1])
				}
			case a.name == "content" && name == "meta":
				if _, after, ok := strings.Cut(strings.ToLower(a.val), "url="); ok {
					check(strings.TrimSpace(a.val[len(a.val)-len(after):]))
				}
			}
		}
		if bad == nil {
			i = end
			continue
		}
		if exfil > st.exfil {
			st.exfil = exfil
		}
		b.WriteString(text[last:i])
		switch {
		case name == "a":
			m := st.marker("link", bad)
			if closeA.from(lower, end) >= 0 {
				pendingA = append(pendingA, m)
			} else {
				b.WriteString(m + " ")
			}
		case image:
			// The alt text is what a reader sees without the image.
			for _, a := range attrs {
				if a.name == "alt" {
					if alt := strings.Join(strings.Fields(strings.Map(dropAngles, html.UnescapeString(a.val))), " "); alt != "" {
						b.WriteString(alt + " ")
					}
					break
				}
			}
			b.WriteString(st.marker("image", bad))
		default:
			b.WriteString(st.marker("link", bad))
		}
		last, i = end, end
	}
	if last == 0 && len(pendingA) == 0 {
		return text
	}
	b.WriteString(text[last:])
	for _, m := range pendingA { // the </a> was never seen: keep the markers
		b.WriteString(" " + m)
	}
	return b.String()
}

// defang renders a neutralized link so that what it pointed to stays
// readable but nothing is clickable or fetched: no scheme, no Markdown
// link or image syntax, a leading "www." written "www[.]" (Markdown
// autolinks "www." hosts), the path and query kept (tracking numbers, order
// ids) with embedded URLs defanged the same way; a path that looks like
// exfiltrated data (looksLikeData) is dropped:
//
//	link:   dhl.com/track?id=123 (link disabled)
//	image:  [image removed: evil.example/p.png]
//	exfil:  [image removed: evil.example, data removed]
//	        evil.example (link disabled, data removed)
//	mailto: billing@evil.example (mail link disabled)
//	javascript:, data:, unknown schemes: [link removed: javascript]
func defang(kind string, u *linkURL, data int) string {
	host := displayHost(u.display)
	if u.opaque || host == "invalid-host" {
		return "[" + kind + " removed: " + host + "]"
	}
	shown := host
	if len(shown) > 4 && strings.EqualFold(shown[:4], "www.") {
		shown = shown[:3] + "[.]" + shown[4:]
	}
	if u.mail {
		addr := u.rest
		if i := strings.IndexAny(addr, "?#"); i >= 0 {
			addr = addr[:i]
		}
		local := ""
		if i := strings.LastIndexByte(addr, '@'); i >= 0 {
			local = displayPath(addr[:i])
		}
		if local != "" {
			return local + "@" + host + " (mail link disabled)"
		}
		return host + " (mail link disabled)"
	}
	if data > 0 {
		// The path carries data for an exfiltration, not an identifier.
		if kind == "image" {
			return "[image removed: " + shown + ", data removed]"
		}
		return shown + " (link disabled, data removed)"
	}
	p := displayPath(u.rest)
	switch kind {
	case "image":
		return "[image removed: " + shown + imageBrackets.Replace(p) + "]"
	case "quoted":
		return shown + p
	}
	return shown + p + " (link disabled)"
}

// pathDefang defangs URLs inside a shown path and breaks Markdown link
// syntax; brackets stay ("filter[status]=open"), except inside an image
// marker (imageBrackets), which a ']' would end.
var (
	pathDefang    *strings.Replacer
	imageBrackets *strings.Replacer
)

// maxShownPath bounds the path and query shown of a neutralized URL:
// long enough for tracking and shop links, short enough that a blob costs
// few tokens.
const maxShownPath = 400

// displayPath is the path and query of a neutralized URL as shown: no
// white space or characters that end or nest markup, embedded URLs
// defanged, at most maxShownPath bytes.
func displayPath(p string) string {
	if p == "" {
		return ""
	}
	b := make([]byte, 0, min(len(p), maxShownPath+8))
	for i := 0; i < len(p) && len(b) < maxShownPath; i++ {
		c := p[i]
		if c <= ' ' || c == '<' || c == '>' || c == '"' || c == '`' || c == 0x7f || c == 0 {
			continue
		}
		b = append(b, c)
	}
	out := strings.ToValidUTF8(string(b), "")
	if len(b) >= maxShownPath {
		out += "…"
	}
	return pathDefang.Replace(out)
}

// initLinkTables builds this file's tables (called once, from ensureTables).
func initLinkTables() {
	schemeRE = regexp.MustCompile(`^[a-z][a-z0-9+.\-]*:`)
	placeholderRE = regexp.MustCompile(`[A-Z][A-Z0-9]*_[A-Z][A-Z]+(?:_[A-Z0-9]+)*|\[[A-Za-z_ ]{3,}\]|%5[bB][A-Za-z_]{3,}%5[dD]`)
	sensitiveKeys = map[string]bool{
		"secret": true, "secrets": true, "token": true, "apikey": true, "api_key": true, "key": true,
		"password": true, "pass": true, "pwd": true, "passwd": true, "ssn": true, "card": true, "cc": true,
		"cvv": true, "conv": true, "conversation": true, "chat": true, "history": true, "prompt": true,
		"context": true, "ctx": true, "leak": true, "exfil": true, "payload": true, "dump": true,
		"stolen": true, "creds": true, "credentials": true, "session": true, "cookie": true,
		"memory": true, "sysprompt": true, "system_prompt": true, "transcript": true,
	}
	imageDataKeys = map[string]bool{
		"d": true, "data": true, "q": true, "u": true, "user": true, "email": true, "m": true,
		"msg": true, "text": true, "info": true, "content": true, "n": true, "name": true, "x": true,
		"c": true, "p": true, "s": true, "body": true, "summary": true, "details": true,
	}
	mdDefRE = regexp.MustCompile(`(?m)^([ \t]{0,3}\[[^\]\n]+\]:[ \t]*)(<[^<>\n]*>|\S+)([ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$`)
	autoRE = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^\s<>]+)>`)
	imgDefRef = regexp.MustCompile(`!\[[^\]\n]*\]\[([^\]\n]*)\]`)
	urlAttrs = map[string]bool{
		"src": true, "href": true, "srcset": true, "lowsrc": true, "dynsrc": true, "background": true,
		"poster": true, "action": true, "formaction": true, "data": true, "cite": true, "longdesc": true,
		"xlink:href": true, "ping": true, "imagesrcset": true, "manifest": true, "codebase": true,
	}
	imageTags = map[string]bool{
		"img": true, "image": true, "picture": true, "source": true, "video": true, "audio": true,
		"embed": true, "object": true, "iframe": true, "frame": true, "svg": true, "use": true,
		"input": true, "track": true, "body": true, "table": true, "td": true, "th": true, "tr": true,
		"div": true, "span": true, "p": true, "link": true,
	}
	cssURLRE = regexp.MustCompile(`(?i)url\(\s*['"]?([^'")\s]+)`)
	pathDefang = strings.NewReplacer("://", "[:]//", "www.", "www[.]", "WWW.", "WWW[.]", "](", "] (", "\\", "/")
	imageBrackets = strings.NewReplacer("[", "(", "]", ")")
}

package sanitize

import (
	"html"
	"strconv"
	"strings"
	"unicode"
)

// hiddenPart is content removed by step 3: an HTML comment or the content
// of an element a reader does not see.
type hiddenPart struct {
	text string // tags stripped, entities decoded
	code bool   // script/style or a conditional comment: code, not prose
}

// attr is one parsed HTML attribute; name is lower-case, val unescaped.
type attr struct{ name, val string }

// asciiLower lower-cases ASCII letters only, so byte offsets are kept.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			// One allocation (a []byte and its string conversion were two,
			// a tenth of a cold pass' allocations): the runs between
			// capitals are copied as they are, and capitals are rare.
			var b strings.Builder
			b.Grow(len(s))
			last := 0
			for j := i; j < len(s); j++ {
				if c := s[j]; c >= 'A' && c <= 'Z' {
					b.WriteString(s[last:j])
					b.WriteByte(c + 32)
					last = j + 1
				}
			}
			b.WriteString(s[last:])
			return b.String()
		}
	}
	return s
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == ':' || c == '_'
}

func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parseTag parses the start or end tag at s[i] == '<'. It returns the
// lower-case name (with a leading '/' for end tags), the attributes and the
// index just past '>'. ok is false when s[i:] is not a tag: ordinary text
// such as "order < 5 items" or "a<b" is left alone. A tag never spans
// another '<', which keeps scanning linear.
func parseTag(s string, i int) (name string, attrs []attr, end int, ok bool) {
	j := i + 1
	closing := false
	if j < len(s) && s[j] == '/' {
		closing = true
		j++
	}
	if j >= len(s) || !isLetterByte(s[j]) {
		return "", nil, 0, false
	}
	start := j
	for j < len(s) && isNameByte(s[j]) {
		j++
	}
	name = strings.ToLower(s[start:j])
	if closing {
		name = "/" + name
	}
	if j < len(s) && s[j] != '>' && s[j] != '/' && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' {
		return "", nil, 0, false
	}
	for j < len(s) {
		c := s[j]
		switch {
		case c == '>':
			return name, attrs, j + 1, true
		case c == '<':
			return "", nil, 0, false
		case c == ' ' || c == '\t' || c == '\n' || c == '/':
			j++
		default:
			k := j
			for k < len(s) && s[k] != '=' && s[k] != '>' && s[k] != '<' && s[k] != ' ' && s[k] != '\t' && s[k] != '\n' && !(s[k] == '/' && k+1 < len(s) && s[k+1] == '>') {
				k++
			}
			a := attr{name: strings.ToLower(s[j:k])}
			j = k
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
				j++
			}
			if j < len(s) && s[j] == '=' {
				j++
				for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
					j++
				}
				if j < len(s) && (s[j] == '"' || s[j] == '\'') {
					q := s[j]
					k := j + 1
					for k < len(s) && s[k] != q && s[k] != '<' {
						k++
					}
					if k >= len(s) || s[k] == '<' {
						return "", nil, 0, false
					}
					a.val = s[j+1 : k]
					j = k + 1
				} else {
					k := j
					for k < len(s) && s[k] != '>' && s[k] != '<' && s[k] != ' ' && s[k] != '\t' && s[k] != '\n' {
						k++
					}
					a.val = s[j:k]
					j = k
				}
				if strings.IndexByte(a.val, '&') >= 0 {
					a.val = html.UnescapeString(a.val)
				}
			}
			if a.name != "" {
				attrs = append(attrs, a)
			}
		}
	}
	return "", nil, 0, false
}

var voidElements map[string]bool

var hiddenClasses map[string]bool

// hiddenElement reports whether an element with this start tag is not shown
// to a reader, and whether its content is code (script, style).
//
// coloredBG says a background colour other than white was set on an
// element before this one: white text is then a button label or text on a
// coloured band, not hidden text.
func hiddenElement(name string, attrs []attr, coloredBG bool) (hidden, code bool) {
	switch name {
	case "script", "style":
		return true, true
	case "template", "noembed", "noframes", "noscript":
		return true, false
	case "svg":
		// A zero-size drawing shows nothing; its <text> is hidden text.
		var w, h string
		for _, a := range attrs {
			switch a.name {
			case "width":
				w = a.val
			case "height":
				h = a.val
			}
		}
		if px, ok := cssLength(w); ok && px <= 0 && w != "" {
			return true, false
		}
		if px, ok := cssLength(h); ok && px <= 0 && h != "" {
			return true, false
		}
	}
	for _, a := range attrs {
		switch a.name {
		case "hidden":
			return true, false
		case "type":
			if name == "input" && strings.EqualFold(strings.TrimSpace(a.val), "hidden") {
				return true, false
			}
		case "style":
			if styleHidden(a.val, coloredBG) {
				return true, false
			}
		case "color":
			if c := normColor(a.val); name == "font" && colorInvisible(c) && (c == "transparent" || !coloredBG) {
				return true, false
			}
		case "class":
			for _, c := range strings.Fields(strings.ToLower(a.val)) {
				if hiddenClasses[c] {
					return true, false
				}
			}
		}
	}
	return false, false
}

func normColor(v string) string {
	v = strings.ToLower(v)
	v = strings.ReplaceAll(v, " ", "")
	v = strings.TrimSuffix(v, "!important")
	return v
}

func colorInvisible(c string) bool {
	switch c {
	case "white", "#fff", "#ffffff", "#fefefe", "#fdfdfd", "#fffffe", "snow", "ghostwhite",
		"rgb(255,255,255)", "rgba(255,255,255,1)", "rgba(255,255,255,1.0)", "hsl(0,0%,100%)",
		"transparent", "#ffff", "#ffffffff", "#0000", "#00000000":
		return true
	}
	if strings.HasPrefix(c, "rgba(") || strings.HasPrefix(c, "hsla(") {
		parts := strings.Split(strings.TrimSuffix(c[5:], ")"), ",")
		if len(parts) == 4 {
			if f, err := strconv.ParseFloat(strings.TrimSuffix(parts[3], "%"), 64); err == nil && f <= 0.05 {
				return true
			}
		}
	}
	return false
}

// fontSizeReset reports whether an element hidden only by a tiny
// font-size (attrs) has a descendant that sets a readable font-size again
// within the next 2 KiB (lower is the text in lower case, from the end of
// its start tag). Amortized linear: f finds the next "font-size" once per
// occurrence.
func fontSizeReset(name string, attrs []attr, lower string, from int, f *nextFinder) bool {
	if name == "script" || name == "style" || name == "template" || name == "noscript" {
		return false
	}
	// Hidden for another reason too?
	other := make([]attr, 0, len(attrs))
	found := false
	for _, a := range attrs {
		if a.name == "style" {
			if low := strings.ToLower(a.val); strings.Contains(low, "font-size") {
				found = true
				a.val = strings.ReplaceAll(low, "font-size", "x-font")
			}
		}
		other = append(other, a)
	}
	if !found {
		return false
	}
	if h, _ := hiddenElement(name, other, true); h {
		return false
	}
	for at := f.from(lower, from); at >= 0 && at < from+2048; at = f.from(lower, at+1) {
		v := lower[at+len("font-size"):]
		v = strings.TrimLeft(v, " \t")
		if !strings.HasPrefix(v, ":") {
			continue
		}
		v = strings.TrimLeft(v[1:], " \t")
		e := strings.IndexAny(v, ";\"'>")
		if e < 0 || e > 32 {
			continue
		}
		if px, ok := cssLength(v[:e]); ok && px > 1 {
			return true
		}
	}
	return false
}

// transparentColor reports whether c draws nothing on any background.
func transparentColor(c string) bool {
	switch c {
	case "transparent", "#0000", "#00000000", "#ffffff00", "#fff0":
		return true
	}
	return (strings.HasPrefix(c, "rgba(") || strings.HasPrefix(c, "hsla(")) && colorInvisible(c) && !strings.HasSuffix(c, ",1)") && !strings.HasSuffix(c, ",1.0)")
}

// setsBackground reports whether a tag's attributes set a background
// colour other than white or transparent (bgcolor, or background /
// background-color in its style).
func setsBackground(attrs []attr) bool {
	for _, a := range attrs {
		switch a.name {
		case "bgcolor":
			if c := normColor(a.val); c != "" && !colorInvisible(c) {
				return true
			}
		case "style":
			low := strings.ToLower(a.val)
			for _, d := range strings.Split(low, ";") {
				k, v, ok := strings.Cut(d, ":")
				if !ok {
					continue
				}
				if k = strings.TrimSpace(k); k != "background" && k != "background-color" {
					continue
				}
				if f := strings.Fields(strings.ReplaceAll(v, "url(", " url(")); len(f) > 0 {
					v = normColor(f[0])
				} else {
					v = ""
				}
				if v != "" && v != "none" && v != "inherit" && v != "initial" && !colorInvisible(v) {
					return true
				}
			}
		}
	}
	return false
}

// cssLength parses a CSS length into pixels-ish; ok is false if unparsable.
func cssLength(v string) (px float64, ok bool) {
	v = strings.TrimSpace(strings.TrimSuffix(v, "!important"))
	i := 0
	for i < len(v) && (v[i] == '-' || v[i] == '+' || v[i] == '.' || v[i] >= '0' && v[i] <= '9') {
		i++
	}
	f, err := strconv.ParseFloat(v[:i], 64)
	if err != nil {
		return 0, false
	}
	switch unit := v[i:]; unit {
	case "", "px":
		return f, true
	case "pt":
		return f * 4 / 3, true
	case "em", "rem":
		return f * 16, true
	case "%":
		return f * 0.16, true
	case "vw", "vh", "ex", "ch":
		return f * 8, true
	}
	return f, true
}

// styleHidden reports whether an inline style hides its element's text.
func styleHidden(style string, coloredBG bool) bool {
	decl := map[string]string{}
	for _, d := range strings.Split(strings.ToLower(style), ";") {
		k, v, ok := strings.Cut(d, ":")
		if !ok {
			continue
		}
		decl[strings.TrimSpace(k)] = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "!important"))
	}
	if len(decl) == 0 {
		return false
	}
	switch strings.ReplaceAll(decl["display"], " ", "") {
	case "none":
		return true
	}
	switch decl["visibility"] {
	case "hidden", "collapse":
		return true
	}
	// mso-hide:all hides from Outlook only: other clients show it.
	if v, ok := decl["font-size"]; ok {
		if px, ok := cssLength(v); ok && px <= 1 {
			return true
		}
	}
	if v, ok := decl["opacity"]; ok {
		if f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64); err == nil && f <= 0.05 {
			return true
		}
	}
	if c, ok := decl["color"]; ok {
		c = normColor(c)
		bg := decl["background-color"]
		if bg == "" {
			bg = decl["background"]
		}
		bg = normColor(bg)
		if bg != "" && bg == c {
			return true
		}
		if colorInvisible(c) && (!coloredBG && (bg == "" || colorInvisible(bg)) || transparentColor(c)) {
			return true
		}
	}
	zero := func(k string) bool {
		v, ok := decl[k]
		if !ok {
			return false
		}
		px, ok := cssLength(v)
		return ok && px <= 0
	}
	if (zero("height") || zero("max-height") || zero("width") || zero("max-width")) && decl["overflow"] == "hidden" {
		return true
	}
	if zero("height") && zero("width") {
		return true
	}
	if p := decl["position"]; p == "absolute" || p == "fixed" {
		for _, k := range []string{"left", "top", "right"} {
			if v, ok := decl[k]; ok {
				if px, ok := cssLength(v); ok && px <= -500 {
					return true
				}
			}
		}
	}
	if v, ok := decl["text-indent"]; ok {
		if px, ok := cssLength(v); ok && px <= -500 {
			return true
		}
	}
	if v := strings.ReplaceAll(decl["clip"], " ", ""); strings.HasPrefix(v, "rect(0") {
		return true
	}
	if v := strings.ReplaceAll(decl["clip-path"], " ", ""); v == "inset(50%)" || v == "inset(100%)" || v == "circle(0)" {
		return true
	}
	if v := strings.ReplaceAll(decl["transform"], " ", ""); v == "scale(0)" || v == "scale(0,0)" {
		return true
	}
	return false
}

// findClose returns the start and end of the end tag that closes the
// element named name whose start tag ends at from, counting nested elements
// of the same name. It returns len(s), len(s) when the element is never
// closed: an unterminated hidden element hides the rest of the text.
func findClose(s, lower, name string, from int) (int, int) {
	depth := 1
	raw := name == "script" || name == "style" || name == "textarea" || name == "title"
	for i := from; i < len(s); {
		k := strings.IndexByte(lower[i:], '<')
		if k < 0 {
			break
		}
		i += k
		j := i + 1
		closing := j < len(lower) && lower[j] == '/'
		if closing {
			j++
		}
		if strings.HasPrefix(lower[j:], name) && (j+len(name) == len(lower) || !isNameByte(lower[j+len(name)])) {
			if closing {
				depth--
				if depth == 0 {
					e := strings.IndexByte(lower[j:], '>')
					if e < 0 {
						return i, len(s)
					}
					return i, j + e + 1
				}
			} else if !raw {
				depth++
			}
		}
		i++
	}
	return len(s), len(s)
}

// tagText strips tags from an HTML fragment, decodes entities and
// collapses white space.
func tagText(s string) string {
	if strings.IndexByte(s, '<') >= 0 {
		var b strings.Builder
		for i := 0; i < len(s); {
			if s[i] == '<' {
				if _, _, end, ok := parseTag(s, i); ok {
					b.WriteByte(' ')
					i = end
					continue
				}
			}
			b.WriteByte(s[i])
			i++
		}
		s = b.String()
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// isProse reports whether hidden text reads like natural language: at least
// three words of two or more letters, or four ideographs.
func isProse(s string) bool {
	words, ideo, run := 0, 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			ideo++
			run = 0
		case unicode.IsLetter(r):
			run++
			if run == 2 {
				words++
			}
		default:
			run = 0
		}
	}
	return words >= 3 || ideo >= 4
}

// stripHidden performs step 3: HTML comments (also unterminated ones) and
// elements a reader does not see are removed; their text is returned for
// the detector (hidden). Visible text, including stray '<' and '>', is
// unchanged. In text that is not HTML, comments inside a line stay; their
// content is returned too (shown), to be judged like hidden text.
func stripHidden(s string) (visible string, hidden, shown []hiddenPart) {
	return stripHiddenRec(s, nil)
}

// HiddenSpan is a part of a text that Text removes as hidden HTML: its
// byte offsets in the normalized text and why (for evaluation tools,
// which report what was removed from benign texts without showing them).
type HiddenSpan struct {
	Start, End int
	Why        string
}

// HiddenSpans returns the normalized text (step 1 of Text) and the parts
// of it Text removes as hidden HTML.
func HiddenSpans(text string) (string, []HiddenSpan) {
	ensureTables()
	n := normalize(text).text
	var spans []HiddenSpan
	stripHiddenRec(n, &spans)
	return n, spans
}

// hiddenWhy names the rule that hides an element (HiddenSpans).
func hiddenWhy(name string, attrs []attr, coloredBG bool) string {
	switch name {
	case "script", "style", "template", "noembed", "noframes", "noscript", "svg":
		return "element " + name
	}
	for _, a := range attrs {
		switch a.name {
		case "hidden", "type", "class", "color":
			if h, _ := hiddenElement(name, []attr{a}, coloredBG); h {
				return "attribute " + a.name
			}
		case "style":
			for _, d := range strings.Split(a.val, ";") {
				if styleHidden(d, coloredBG) {
					k, _, _ := strings.Cut(d, ":")
					return "style " + strings.ToLower(strings.TrimSpace(k))
				}
			}
			return "style (combined)"
		}
	}
	return "other"
}

func stripHiddenRec(s string, rec *[]HiddenSpan) (visible string, hidden, shown []hiddenPart) {
	if strings.IndexByte(s, '<') < 0 {
		return s, nil, nil
	}
	code := codeSpans(s)
	// In text that is not HTML, comments are shown as written.
	htmlText := isHTML(s, code)
	lower := asciiLower(s)
	var (
		b     strings.Builder
		parts []hiddenPart
		last  int
		// The next "-->" and "--!>" are searched once per occurrence, so
		// repeated "<!--" cost linear time.
		closeC = nextFinder{sub: "-->", pos: -2}
		closeB = nextFinder{sub: "--!>", pos: -2}
		ci     int // next code span to consider
		// coloredBG: an element set a coloured background (hiddenElement).
		coloredBG bool
		fontSz    = nextFinder{sub: "font-size", pos: -2}
	)
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			break
		}
		i += k
		// Markup inside a Markdown code span or block is code, shown as is.
		if e, in := skipCode(code, &ci, i); in {
			i = e
			continue
		}
		if !htmlText {
			// In text that is not HTML a comment is shown as written (a
			// note about templates, a code sample), but Markdown hides it
			// from a human reader: its content is judged like hidden text.
			if strings.HasPrefix(s[i:], "<!--") {
				if e := closeC.from(s, i+4); e >= 0 {
					if t := tagText(s[i+4 : e]); t != "" {
						shown = append(shown, hiddenPart{text: t})
					}
					i = e + 3
					continue
				}
			}
			i++
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			body := i + 4
			var cEnd, stop int
			switch {
			case strings.HasPrefix(s[body:], ">"):
				cEnd, stop = body, body+1
			case strings.HasPrefix(s[body:], "->"):
				cEnd, stop = body, body+2
			default:
				e1, e2 := -1, -1
				if k := closeC.from(s, body); k >= 0 {
					e1 = k - body
				}
				if k := closeB.from(s, body); k >= 0 {
					e2 = k - body
				}
				switch {
				case e1 < 0 && e2 < 0:
					cEnd, stop = len(s), len(s)
				case e2 < 0 || (e1 >= 0 && e1 < e2):
					cEnd, stop = body+e1, body+e1+3
				default:
					cEnd, stop = body+e2, body+e2+4
				}
			}
			content := s[body:cEnd]
			trimmed := strings.TrimSpace(content)
			cond := strings.HasPrefix(trimmed, "[if") || strings.HasPrefix(trimmed, "[endif") || strings.HasPrefix(trimmed, "<![endif")
			t := tagText(content)
			words := t
			if cond {
				// Without its "[if mso]>" and "<![endif]" markers.
				words = tagText(strings.ReplaceAll(strings.ReplaceAll(content[strings.Index(content, "]")+1:], "<![endif]", ""), "[endif]", ""))
			}
			if cEnd < len(s) && cEnd-body <= maxLabelComment && !isProse(words) {
				// A label ("<!-- Header -->", "<!-- /hero -->") or an
				// Outlook conditional comment around layout markup: part of
				// the document, no words hidden in it. Shown as written (and
				// judged with the visible text).
				i = stop
				continue
			}
			b.WriteString(s[last:i])
			if t != "" {
				parts = append(parts, hiddenPart{text: t, code: cond})
			}
			if rec != nil {
				*rec = append(*rec, HiddenSpan{i, stop, "comment"})
			}
			last, i = stop, stop
			continue
		}
		name, attrs, tagEnd, ok := parseTag(s, i)
		if !ok || name[0] == '/' {
			i++
			continue
		}
		if !coloredBG && setsBackground(attrs) {
			coloredBG = true
		}
		hidden, code := hiddenElement(name, attrs, coloredBG)
		if hidden && fontSizeReset(name, attrs, lower, tagEnd, &fontSz) {
			// "font-size:0" on a wrapper removes the gaps between
			// inline-block columns; the columns set their own size.
			hidden = false
		}
		if !hidden {
			i = tagEnd
			continue
		}
		var inner string
		stop := tagEnd
		if voidElements[name] || strings.HasSuffix(strings.TrimSpace(s[i:tagEnd-1]), "/") {
			var vals []string
			for _, a := range attrs {
				switch a.name {
				case "value", "alt", "title", "content", "placeholder", "aria-label":
					vals = append(vals, a.val)
				}
			}
			inner = strings.Join(vals, " ")
		} else {
			var cStart int
			cStart, stop = findClose(s, lower, name, tagEnd)
			inner = tagText(s[tagEnd:cStart])
		}
		if !code && strings.TrimSpace(strings.ReplaceAll(inner, "\u00a0", " ")) == "" && (stop == tagEnd || stop < len(s) && stop-tagEnd <= 256) {
			// A spacer ("<td style=font-size:0>&nbsp;</td>") or a hidden
			// image without text (a tracking pixel, also in <noscript>)
			// hides no words: left
			// as written, and scanned on for what it holds (at most 256
			// bytes, so nesting stays linear); the link pass defangs an
			// off-list image like any other.
			i = tagEnd
			continue
		}
		b.WriteString(s[last:i])
		if inner != "" {
			parts = append(parts, hiddenPart{text: inner, code: code})
		}
		if rec != nil {
			*rec = append(*rec, HiddenSpan{i, stop, hiddenWhy(name, attrs, coloredBG)})
		}
		last, i = stop, stop
	}
	if last == 0 {
		return s, parts, shown
	}
	b.WriteString(s[last:])
	return b.String(), parts, shown
}

// htmlNames are elements whose tags make a text HTML (isHTML).
var htmlNames map[string]bool

// isHTML reports whether s is HTML (or holds an HTML fragment) rather
// than prose that mentions markup: a doctype, or at least two tags of
// known HTML elements outside code spans, or one element that hides its
// content (<input type=hidden>, style="display:none"). A lone
// "<!-- ... -->" in a plain
// note, "a <b> c" or "List<String>" is not HTML. Linear: a tag never spans
// another '<'.
func isHTML(s string, code [][2]int) bool {
	n, ci := 0, 0
	ends := endTags{s: s}
	var lines indentedCode
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			return false
		}
		i += k
		if e, in := skipCode(code, &ci, i); in {
			i = e
			continue
		}
		if lines.at(s, i) {
			// A Markdown indented code block: a sample, not the text's
			// own markup.
			i++
			continue
		}
		if len(s)-i >= 9 && strings.EqualFold(s[i:i+9], "<!doctype") {
			return true
		}
		name, attrs, end, ok := parseTag(s, i)
		if !ok {
			i++
			continue
		}
		if bare := strings.TrimPrefix(name, "/"); htmlNames[bare] && !tagMention(s, i, end, len(attrs) > 0) {
			if k := rawIndex(bare); k >= 0 && !ends.closedAfter(k, end) {
				// "never paste a <script> tag", "the <style> block": a
				// raw-text element that is never closed is a mention.
				i = end
				continue
			}
			n++
			if n >= 2 {
				return true
			}
			if hidden, _ := hiddenElement(name, attrs, false); hidden {
				return true // one hidden element is markup enough
			}
		}
		i = end
	}
	return false
}

// tagMention reports whether the tag s[i:end] is named in prose rather
// than used: "the <div> element", "a <br> tag", "wrap it in '<b>'", "<b>
// and </b>". A tag with attributes is used.
func tagMention(s string, i, end int, hasAttrs bool) bool {
	if hasAttrs {
		return false
	}
	// The word before.
	j := i
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	if j > 0 && strings.IndexByte("\"'`‘“«(", s[j-1]) >= 0 && j == i {
		return true
	}
	if j > 0 && (s[j-1] == 0x98 || s[j-1] == 0x9c) && j >= 3 && s[j-3] == 0xe2 {
		return true // ‘ “ directly before
	}
	k := j
	for k > 0 && isLetterByte(s[k-1]) {
		k--
	}
	if j > k && j < i {
		switch strings.ToLower(s[k:j]) {
		case "the", "a", "an", "and", "or", "each", "every", "any", "no", "your", "this", "that", "these", "those", "use", "uses", "using", "add", "insert", "remove", "delete", "paste", "type", "write", "closing", "opening", "empty":
			return true
		}
	}
	// The word after.
	e := end
	if e < len(s) && strings.IndexByte("\"'`’”»)", s[e]) >= 0 {
		return true
	}
	if e+3 <= len(s) && s[e] == 0xe2 && s[e+1] == 0x80 && (s[e+2] == 0x99 || s[e+2] == 0x9d) {
		return true
	}
	if e < len(s) && s[e] == ' ' {
		e++
		f := e
		for f < len(s) && isLetterByte(s[f]) {
			f++
		}
		switch strings.ToLower(s[e:f]) {
		case "tag", "tags", "element", "elements", "block", "blocks", "section", "sections", "attribute", "attributes", "node", "nodes", "and", "or", "with", "must", "should", "is", "are", "was", "were", "will", "can", "into", "to":
			return true
		}
	}
	return false
}

// indentedCode tracks, line by line, whether an offset lies in a Markdown
// indented code block: lines indented by four columns or more that follow
// a blank line, the start of the text or another such line. Offsets are
// asked in increasing order; each line is looked at once.
type indentedCode struct {
	next     int  // start of the next line not yet looked at
	code     bool // the current line is code
	prevCode bool // the line before is code
	prevText bool // the line before has text (not blank)
}

func (c *indentedCode) at(s string, i int) bool {
	for c.next <= i && c.next <= len(s) {
		st := c.next
		e := strings.IndexByte(s[st:], '\n')
		if e < 0 {
			e = len(s)
		} else {
			e += st
		}
		c.prevCode = c.code
		col, j := 0, st
		for j < e && (s[j] == ' ' || s[j] == '\t') {
			if s[j] == '\t' {
				col += 4 - col%4
			} else {
				col++
			}
			j++
		}
		blank := j == e
		c.code = !blank && col >= 4 && (st == 0 || c.prevCode || !c.prevText)
		c.prevText = !blank
		c.next = e + 1
	}
	return c.code
}

// maxLabelComment bounds the comments of an HTML text that are kept as
// written when they hold no prose (labels, conditional comments).
const maxLabelComment = 200

// rawElements are elements whose content is text up to their end tag
// (script, style) or hidden as a whole (template, noscript): unclosed, one
// would hide the rest of the text.
var rawElements = [...]string{"script", "style", "template", "noscript", "noembed", "noframes", "textarea", "title"}

// rawIndex returns the index of name in rawElements, or -1.
func rawIndex(name string) int {
	for k, r := range rawElements {
		if r == name {
			return k
		}
	}
	return -1
}

// endTags finds the last end tag of each raw element in a text, searching
// at most once per element name, so that asking for every mention costs
// linear time.
type endTags struct {
	s    string
	last [len(rawElements)]int // 0: not searched; else index+1 (-1: none)
}

// closedAfter reports whether an end tag of raw element k follows offset i.
func (e *endTags) closedAfter(k, i int) bool {
	if e.last[k] == 0 {
		e.last[k] = -1
		tag := "</" + rawElements[k]
		for j := len(e.s) - len(tag); j >= 0; j-- {
			if e.s[j] == '<' && strings.EqualFold(e.s[j:j+len(tag)], tag) && (j+len(tag) == len(e.s) || !isNameByte(e.s[j+len(tag)])) {
				e.last[k] = j + 1
				break
			}
		}
	}
	return e.last[k]-1 > i
}

// codeSpans returns the byte ranges of Markdown fenced code blocks (```
// or ~~~) and inline code spans (`...` on one line), in order.
func codeSpans(s string) [][2]int {
	if strings.IndexByte(s, '`') < 0 && !strings.Contains(s, "~~~") {
		return nil
	}
	var out [][2]int
	for i := 0; i < len(s); {
		c := s[i]
		if c != '`' && c != '~' {
			i++
			continue
		}
		if (i == 0 || s[i-1] == '\n') && (strings.HasPrefix(s[i:], "```") || strings.HasPrefix(s[i:], "~~~")) {
			fence := s[i : i+3]
			e := strings.Index(s[i+3:], "\n"+fence)
			if e < 0 {
				out = append(out, [2]int{i, len(s)})
				return out
			}
			end := i + 3 + e + 4
			out = append(out, [2]int{i, end})
			i = end
			continue
		}
		if c == '`' {
			j := i
			for j < len(s) && s[j] == '`' {
				j++
			}
			tick := s[i:j]
			e := strings.Index(s[j:], tick)
			nl := strings.IndexByte(s[j:], '\n')
			if e >= 0 && (nl < 0 || e < nl) {
				out = append(out, [2]int{i, j + e + len(tick)})
				i = j + e + len(tick)
				continue
			}
			i = j
			continue
		}
		i++
	}
	return out
}

// nextFinder finds the next occurrence of sub at or after a position,
// searching again only when the position passes the cached one: a scan
// that asks with growing positions costs linear time in all.
type nextFinder struct {
	sub string
	pos int // -2: not searched yet; -1: none left
}

func (f *nextFinder) from(s string, i int) int {
	if f.pos == -1 {
		return -1
	}
	if f.pos < i {
		if k := strings.Index(s[i:], f.sub); k >= 0 {
			f.pos = i + k
		} else {
			f.pos = -1
		}
	}
	return f.pos
}

// skipCode reports whether offset i lies in one of the code spans (ordered
// ranges; *ci is the first one not yet passed) and if so where it ends.
func skipCode(code [][2]int, ci *int, i int) (int, bool) {
	for *ci < len(code) && code[*ci][1] <= i {
		*ci++
	}
	if *ci < len(code) && code[*ci][0] <= i {
		return code[*ci][1], true
	}
	return 0, false
}

// initHTMLTables builds this file's tables (called once, from ensureTables).
func initHTMLTables() {
	voidElements = map[string]bool{
		"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
		"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
	}
	hiddenClasses = map[string]bool{
		"hidden": true, "hide": true, "d-none": true, "invisible": true, "sr-only": true,
		"visually-hidden": true, "display-none": true, "hidden-text": true, "screen-reader-text": true,
	}
	htmlNames = map[string]bool{
		"html": true, "head": true, "body": true, "meta": true, "title": true, "style": true, "script": true,
		"div": true, "span": true, "p": true, "br": true, "a": true, "img": true, "table": true, "tr": true,
		"td": true, "th": true, "tbody": true, "thead": true, "b": true, "i": true, "u": true, "em": true,
		"strong": true, "font": true, "ul": true, "ol": true, "li": true, "h1": true, "h2": true, "h3": true,
		"h4": true, "h5": true, "h6": true, "center": true, "hr": true, "noscript": true, "svg": true,
		"section": true, "article": true, "footer": true, "header": true, "blockquote": true, "small": true,
		"label": true, "input": true, "form": true, "button": true, "link": true, "template": true,
		"iframe": true, "pre": true, "code": true, "sup": true, "sub": true, "tt": true, "big": true,
		"picture": true, "source": true, "video": true, "audio": true, "textarea": true, "select": true,
		"option": true, "nav": true, "main": true, "aside": true, "figure": true, "figcaption": true,
		"details": true, "summary": true, "mark": true, "abbr": true, "cite": true, "q": true, "s": true,
		"del": true, "ins": true, "object": true, "embed": true, "noembed": true, "noframes": true,
		"caption": true, "col": true, "colgroup": true, "dl": true, "dt": true, "dd": true, "text": true,
	}
}

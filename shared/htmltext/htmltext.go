// Package htmltext converts HTML to the plain text a model reads: blocks
// separated by a blank line, <br> as a newline, <b>/<strong> as *text*,
// links as "text ( url )", list items as "* item", blockquotes as "> "
// lines, headings underlined, <pre> kept verbatim and tables drawn as ASCII
// grids. It is pure: no I/O, no MCP.
//
// It exists to replace github.com/inbucket/html2text, whose conventions it
// keeps so that readers see no change: html2text draws tables with
// olekukonko/tablewriter, which pulls in olekukonko/ll, olekukonko/errors,
// mattn/go-runewidth and rivo/uniseg. Dropping it cut the crm-mcp binary by
// 1.1 MB and its idle RSS by about 0.5 MB (a server's idle RSS grows with
// its binary, about 0.8 x its size), and those packages' inits (x/net/html's
// parser tables among them) cost about 0.5 ms of every cold start. With
// this package in its place the crm-mcp and email-mcp binaries are 0.86 MB
// smaller (go build -trimpath -ldflags '-s -w'). It needs only
// golang.org/x/net/html (the email server parses with it anyway) and
// golang.org/x/text/width for the display width of table cells, and does
// no work at init.
//
// Unlike html2text, time and output are linear in the input: elements
// nested deeper than maxDepth are read as plain text, sub-renderings (bold
// text, headings, table cells) nest at most maxSub levels, blockquote lines
// carry at most maxQuote markers and heading rules at most maxRule
// characters, cell text is wrapped in a bounded window, and a table whose
// grid would be much larger than its text, wider than maxCols columns or
// beyond the document's grid budget is written one row a line instead.
package htmltext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// String parses an HTML document (a leading byte order mark is ignored)
// and converts it. The error is html.Parse's: the document nests elements
// deeper than the parser accepts.
func String(doc string) (string, error) {
	n, err := html.Parse(strings.NewReader(strings.TrimPrefix(doc, "\ufeff")))
	if err != nil {
		return "", err
	}
	return Node(n), nil
}

// Node converts a parsed tree (a document or any node in it).
func Node(n *html.Node) string {
	// The grids drawn (nested ones counted again in the grid around
	// them) may add up to gridBudget times the document's text.
	budget := gridSlack * 16
	stack := []*html.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		budget += gridBudget * len(n.Data)
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			stack = append(stack, ch)
		}
	}
	c := conv{budget: &budget}
	c.traverse(n)
	return c.finish()
}

const (
	// maxDepth bounds the recursion: elements below it are read as text.
	maxDepth = 600
	// maxSub bounds nested sub-renderings (bold, headings, table cells);
	// deeper ones are rendered in place, so no text is copied more than
	// maxSub times.
	maxSub = 8
	// maxRule bounds a heading's rule (html2text makes it as long as the
	// heading's longest line).
	maxRule = 200
	// maxQuote bounds the ">" markers of a line in nested blockquotes.
	maxQuote = 16
	// maxLineLen is where lines in a blockquote are broken.
	maxLineLen = 74
)

// conv is one rendering: the text written so far and the state of the
// line it ends with.
type conv struct {
	b             strings.Builder
	prefix        string // written after each newline (blockquote markers)
	endsWithSpace bool
	justClosedDiv bool
	pre           bool
	quote         int  // blockquote nesting
	lineLen       int  // runes on the current line, after the prefix
	depth         int  // element nesting of the node being rendered
	sub           int  // sub-renderings this one is nested in
	grid          bool // a table was drawn as a grid
	budget        *int // bytes of grid still allowed, shared
}

// child is a fresh rendering nested in c.
func (c *conv) child() *conv {
	return &conv{depth: c.depth, sub: c.sub + 1, budget: c.budget}
}

// finish is the text with spaces after newlines dropped, runs of blank
// lines cut to one and the ends trimmed.
func (c *conv) finish() string {
	s := strings.ReplaceAll(c.b.String(), "\n ", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		i := strings.Index(s, "\n\n")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i+2])
		s = strings.TrimLeft(s[i:], "\n")
	}
	return strings.TrimSpace(b.String())
}

func (c *conv) traverse(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		if c.pre {
			c.emit(n.Data)
		} else {
			c.emit(collapse(n.Data))
		}
	case html.ElementNode:
		if c.depth >= maxDepth {
			c.emit(plain(n))
			return
		}
		c.depth++
		c.element(n)
		c.depth--
	default:
		c.children(n)
	}
}

func (c *conv) children(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.traverse(ch)
	}
}

func (c *conv) element(n *html.Node) {
	c.justClosedDiv = false
	switch n.DataAtom {
	case atom.Br:
		c.emit("\n")
	case atom.H1, atom.H2, atom.H3:
		if c.sub >= maxSub {
			c.paragraph(n)
			return
		}
		c.heading(n)
	case atom.Blockquote:
		c.blockquote(n)
	case atom.Div:
		if c.lineLen > 0 {
			c.emit("\n")
		}
		c.children(n)
		if !c.justClosedDiv {
			c.emit("\n")
		}
		c.justClosedDiv = true
	case atom.Li:
		c.emit("* ")
		c.children(n)
		c.emit("\n")
	case atom.B, atom.Strong:
		if c.sub >= maxSub {
			c.children(n)
			return
		}
		s := c.child()
		s.endsWithSpace = true
		s.children(n)
		c.grid = c.grid || s.grid
		c.emit("*" + s.b.String() + "*")
	case atom.A:
		c.link(n)
	case atom.P, atom.Ul:
		c.paragraph(n)
	case atom.Table:
		if c.sub >= maxSub {
			c.paragraph(n)
			return
		}
		c.emit("\n\n")
		c.emit(c.table(n))
		c.emit("\n\n")
	case atom.Pre:
		c.pre = true
		c.children(n)
		c.pre = false
	case atom.Style, atom.Script, atom.Head:
	default:
		c.children(n)
	}
}

// paragraph renders n's children between blank lines.
func (c *conv) paragraph(n *html.Node) {
	c.emit("\n\n")
	c.children(n)
	c.emit("\n\n")
}

// heading underlines h3 with dashes, and writes h1 (stars) and h2 (dashes)
// between two lines.
func (c *conv) heading(n *html.Node) {
	s := c.child()
	s.children(n)
	c.grid = c.grid || s.grid
	str := s.b.String()
	// As html2text: the sub-rendering starts with a space, so the rule is
	// as long as the longest line minus one.
	w := 0
	for _, line := range strings.Split(str, "\n") {
		if l := utf8.RuneCountInString(line); l-1 > w {
			w = l - 1
		}
	}
	w = min(w, maxRule)
	rule := strings.Repeat("-", w)
	if n.DataAtom == atom.H1 {
		rule = strings.Repeat("*", w)
	}
	if n.DataAtom == atom.H3 {
		c.emit("\n\n" + str + "\n" + rule + "\n\n")
		return
	}
	c.emit("\n\n" + rule + "\n" + str + "\n" + rule + "\n\n")
}

func (c *conv) blockquote(n *html.Node) {
	c.quote++
	c.prefix = strings.Repeat(">", min(c.quote, maxQuote)) + " "
	c.emit("\n")
	if c.quote == 1 {
		c.emit("\n")
	}
	c.children(n)
	c.quote--
	c.prefix = strings.Repeat(">", min(c.quote, maxQuote))
	if c.quote > 0 {
		c.prefix += " "
	}
	c.emit("\n\n")
}

// link writes the link text, then "( href )" unless the href is empty or
// the link's only child is a text node equal to it. A link around a lone
// image reads as the image's alt text.
func (c *conv) link(n *html.Node) {
	text := ""
	if f := n.FirstChild; f != nil && f.NextSibling == nil && f.Type == html.TextNode {
		text = f.Data
	}
	if img := n.FirstChild; img != nil && n.LastChild == img && img.Type == html.ElementNode && img.DataAtom == atom.Img {
		c.emit(attr(img, "alt"))
	} else {
		c.children(n)
	}
	href := strings.TrimPrefix(strings.TrimSpace(attr(n, "href")), "mailto:")
	if href != "" && href != text {
		c.emit("( " + href + " )")
	}
}

// emit writes data, separated by a space from the text before it unless
// either side has whitespace there (or data starts with "."), with the
// prefix after each newline and lines in blockquotes broken at maxLineLen.
func (c *conv) emit(data string) {
	if data == "" {
		return
	}
	for _, line := range c.breakLines(data) {
		first, _ := utf8.DecodeRuneInString(line)
		last, _ := utf8.DecodeLastRuneInString(line)
		if !unicode.IsSpace(first) && !c.endsWithSpace && !strings.HasPrefix(data, ".") {
			c.b.WriteByte(' ')
			c.lineLen++
		}
		c.endsWithSpace = unicode.IsSpace(last)
		for _, r := range line {
			c.b.WriteRune(r) // invalid bytes become U+FFFD
			c.lineLen++
			if r == '\n' {
				c.lineLen = 0
				c.b.WriteString(c.prefix)
			}
		}
	}
}

// breakLines breaks data in a blockquote so that lines stay within
// maxLineLen runes, at whitespace where there is some.
func (c *conv) breakLines(data string) []string {
	if c.quote == 0 {
		return []string{data}
	}
	var out []string
	runes := []rune(data)
	existing := c.lineLen
	if existing >= maxLineLen {
		out = append(out, "\n")
		existing = 0
	}
	for len(runes)+existing > maxLineLen {
		i := maxLineLen - existing
		for i >= 0 && !unicode.IsSpace(runes[i]) {
			i--
		}
		if i == -1 {
			i = maxLineLen - existing
			for i < len(runes) && !unicode.IsSpace(runes[i]) {
				i++
			}
		}
		out = append(out, string(runes[:i])+"\n")
		for i < len(runes) && unicode.IsSpace(runes[i]) {
			i++
		}
		runes = runes[i:]
		existing = 0
	}
	if len(runes) > 0 {
		out = append(out, string(runes))
	}
	return out
}

// collapse replaces each run of spaces, tabs and newlines with one space
// and trims the ends.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(s[i])
		}
	}
	return strings.TrimSpace(b.String())
}

// plain is the text of a subtree too deep to render: its text nodes
// collapsed and joined by spaces, without recursion.
func plain(n *html.Node) string {
	var b strings.Builder
	stack := []*html.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case n.Type == html.TextNode:
			if t := collapse(n.Data); t != "" {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(t)
			}
			continue
		case n.Type == html.ElementNode && (n.DataAtom == atom.Style || n.DataAtom == atom.Script || n.DataAtom == atom.Head):
			continue
		}
		for ch := n.LastChild; ch != nil; ch = ch.PrevSibling {
			stack = append(stack, ch)
		}
	}
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

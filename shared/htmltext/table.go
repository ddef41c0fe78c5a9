package htmltext

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/width"
)

const (
	// cellWidth is where cell text wraps (html2text's 32-column cells less
	// the padding); a longer word widens its column.
	cellWidth = 30
	// wrapWindow bounds the words one wrapped line is chosen from.
	wrapWindow = 64
	// maxCols is the widest table drawn as a grid.
	maxCols = 64
	// A grid larger than gridFactor times its cells' text plus gridSlack
	// bytes is written one row a line instead.
	gridFactor = 4
	gridSlack  = 4096
	// gridBudget times the document's text (plus some slack) bounds all
	// the grids of a document together, so nested grids cannot multiply.
	gridBudget = 8
)

// table is a table's cells: an optional header row, the body rows and
// the footer rows (from tfoot).
type table struct {
	header []string
	body   [][]string
	footer [][]string
	text   int // bytes of cell text
	// verbatim marks the cells holding a grid: their lines are not
	// wrapped (html2text wraps them, breaking the inner grid apart).
	verbatim map[[2]int]bool
}

// table renders a table element as a grid. Content of the table that is
// in no cell (a caption) is emitted before it, as html2text does.
func (c *conv) table(n *html.Node) string {
	var t table
	c.rows(&t, n, false)
	s, grid := t.render(*c.budget)
	if grid {
		*c.budget -= len(s)
		c.grid = true
	}
	return s
}

// rows collects the rows below n (through thead, tbody and tfoot).
func (c *conv) rows(t *table, n *html.Node, foot bool) {
	if c.depth >= maxDepth {
		c.emit(plain(n))
		return
	}
	c.depth++
	defer func() { c.depth-- }()
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode {
			c.traverse(ch)
			continue
		}
		switch ch.DataAtom {
		case atom.Thead, atom.Tbody:
			c.rows(t, ch, foot)
		case atom.Tfoot:
			c.rows(t, ch, true)
		case atom.Tr:
			c.row(t, ch.FirstChild, nil, foot)
		case atom.Td, atom.Th:
			// a cell outside a row (not from html.Parse): a row of its own
			c.row(t, ch, ch.NextSibling, foot)
		default:
			c.traverse(ch)
		}
	}
}

// row adds the cells from first up to end (a row's children, or one cell)
// to t. A row of th cells before any body row is the header; th cells
// elsewhere are cells like td.
func (c *conv) row(t *table, first, end *html.Node, foot bool) {
	var cells []string
	var grids []int // the cells holding a grid
	allTh := true
	for ch := first; ch != end; ch = ch.NextSibling {
		if ch.Type != html.ElementNode || (ch.DataAtom != atom.Td && ch.DataAtom != atom.Th) {
			c.traverse(ch)
			continue
		}
		allTh = allTh && ch.DataAtom == atom.Th
		s := c.child()
		s.depth++
		s.children(ch)
		text := s.finish()
		t.text += len(text)
		if s.grid {
			grids = append(grids, len(cells))
		}
		cells = append(cells, text)
	}
	switch {
	case len(cells) == 0:
	case foot:
		t.footer = append(t.footer, cells)
	case allTh && t.header == nil && len(t.body) == 0:
		t.header = cells
	default:
		for _, j := range grids {
			if t.verbatim == nil {
				t.verbatim = map[[2]int]bool{}
			}
			t.verbatim[[2]int{len(t.body), j}] = true
		}
		t.body = append(t.body, cells)
	}
}

// render draws t: "+---+" borders, "| cell |" lines, a rule under the
// header and above the footer; cells left-aligned and padded by display
// width, body cells wrapped at cellWidth.
// It is written one row a line instead (and grid is false) when it would
// be larger than budget bytes or out of proportion to its text.
func (t *table) render(budget int) (s string, grid bool) {
	cols := len(t.header)
	for _, r := range append(t.body, t.footer...) {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return "", false
	}
	if cols > maxCols {
		return t.lines(), false
	}
	widths := make([]int, cols)
	// As tablewriter under html2text's options, body cells wrap and
	// header and footer cells do not.
	wrap := func(rows [][]string, wrapped bool) [][][]string {
		out := make([][][]string, len(rows))
		for i, r := range rows {
			out[i] = make([][]string, cols)
			for j := range cols {
				cell := ""
				if j < len(r) {
					cell = r[j]
				}
				for _, l := range strings.Split(cell, "\n") {
					if wrapped && !t.verbatim[[2]int{i, j}] {
						out[i][j] = append(out[i][j], wrapLine(l)...)
					} else {
						out[i][j] = append(out[i][j], l)
					}
				}
				for _, l := range out[i][j] {
					widths[j] = max(widths[j], displayWidth(l))
				}
			}
		}
		return out
	}
	var header [][][]string
	if t.header != nil {
		header = wrap([][]string{t.header}, false)
	}
	body, footer := wrap(t.body, true), wrap(t.footer, false)

	lineWidth := 1
	for _, w := range widths {
		lineWidth += w + 3
	}
	lines := 4
	for _, sec := range [][][][]string{header, body, footer} {
		for _, r := range sec {
			h := 0
			for _, cell := range r {
				h = max(h, len(cell))
			}
			lines += h
		}
	}
	if size := (lineWidth + 1) * lines; size > gridFactor*t.text+gridSlack || size > budget {
		return t.lines(), false
	}

	var b strings.Builder
	b.Grow((lineWidth + 1) * lines)
	rule := func() {
		b.WriteByte('+')
		for _, w := range widths {
			b.WriteString(strings.Repeat("-", w+2))
			b.WriteByte('+')
		}
		b.WriteByte('\n')
	}
	draw := func(rows [][][]string, keepBlank bool) {
		for _, r := range rows {
			h := 0
			for _, cell := range r {
				h = max(h, len(cell))
			}
			for k := range h {
				if k > 0 && !keepBlank && blankLine(r, k) {
					continue
				}
				b.WriteByte('|')
				for j, cell := range r {
					l := ""
					if k < len(cell) {
						l = cell[k]
					}
					b.WriteByte(' ')
					b.WriteString(l)
					b.WriteString(strings.Repeat(" ", widths[j]-displayWidth(l)+1))
					b.WriteByte('|')
				}
				b.WriteByte('\n')
			}
		}
	}
	rule()
	if header != nil {
		// as tablewriter: blank lines inside a header cell are kept
		draw(header, true)
		if len(body) > 0 || len(footer) > 0 {
			rule()
		}
	}
	draw(body, false)
	if len(footer) > 0 {
		if len(body) > 0 {
			rule()
		}
		draw(footer, false)
	}
	rule()
	return b.String(), true
}

// blankLine reports whether line k of every cell in r is empty.
func blankLine(r [][]string, k int) bool {
	for _, cell := range r {
		if k < len(cell) && strings.TrimSpace(cell[k]) != "" {
			return false
		}
	}
	return true
}

// lines writes t one row a line, cells separated by " | ": a table too
// wide or too sparse to draw.
func (t *table) lines() string {
	var b strings.Builder
	for _, r := range append(append([][]string{t.header}, t.body...), t.footer...) {
		if len(r) == 0 {
			continue
		}
		for j, cell := range r {
			if j > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(strings.Join(strings.Fields(cell), " "))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// wrapLine splits a line into words and joins them into lines of at most
// cellWidth columns (or the longest word's width), as tablewriter does:
// the break points that minimize the sum of the squared slack of every
// line but the last. Each line is chosen from at most wrapWindow words,
// which keeps it linear.
func wrapLine(s string) []string {
	words := strings.FieldsFunc(s, unicode.IsSpace)
	if len(words) == 0 {
		return []string{""}
	}
	lim := cellWidth
	lens := make([]int, len(words))
	for i, w := range words {
		lens[i] = displayWidth(w)
		lim = max(lim, lens[i])
	}
	n := len(words)
	cost := make([]int, n)
	next := make([]int, n)
	rest := lens[n-1]
	for i := n - 1; i >= 0; i-- {
		if i < n-1 {
			rest += 1 + lens[i]
		}
		if rest <= lim {
			cost[i], next[i] = 0, n
			continue
		}
		cost[i], next[i] = -1, i+1
		l := lens[i]
		for j := i + 1; j < n && j-i <= wrapWindow; j++ {
			if j > i+1 {
				l += 1 + lens[j-1]
			}
			if l > lim {
				break
			}
			if c := (lim-l)*(lim-l) + cost[j]; cost[i] < 0 || c < cost[i] {
				cost[i], next[i] = c, j
			}
		}
	}
	var out []string
	for i := 0; i < n; i = next[i] {
		out = append(out, strings.Join(words[i:next[i]], " "))
	}
	return out
}

// displayWidth is how many terminal columns s takes: two for East Asian
// wide and fullwidth characters, none for combining marks, format and
// control characters, one for the rest.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r < 0x20 || r >= 0x7f && r < 0xa0:
		case r < 0x7f:
			n++
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
	}
	return n
}

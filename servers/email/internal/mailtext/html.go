// Package mailtext turns a message body into the plain text a model reads:
// HTML converted with shared/htmltext after hidden content is cut out,
// then quoted history and signatures trimmed. It is pure: no I/O, no MCP.
package mailtext

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/bizmcp/bizmcp/shared/htmltext"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTML is the outcome of FromHTML.
type HTML struct {
	// Text is the visible content as plain text: paragraphs, lists, tables
	// drawn as text, links as "text ( url )", blockquotes as "> " lines.
	Text string
	// Hidden holds each removed comment or hidden element, re-serialized as
	// HTML, so the sanitizer can judge what it tried to hide. It is never
	// shown as text.
	Hidden []string
}

// FromHTML converts an HTML body. Comments and elements a reader does not
// see (display:none, visibility:hidden, zero font size or opacity, the
// hidden attribute, ...) are removed from the text and returned in Hidden;
// head, script and style are dropped.
func FromHTML(body string) (HTML, error) {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return HTML{}, err
	}
	var out HTML
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			switch {
			case c.Type == html.CommentNode:
				if strings.TrimSpace(c.Data) != "" && !conditionalComment(c.Data) {
					out.Hidden = append(out.Hidden, "<!--"+c.Data+"-->")
				}
				n.RemoveChild(c)
			case c.Type == html.ElementNode && (c.DataAtom == atom.Script || c.DataAtom == atom.Style || c.DataAtom == atom.Head || c.DataAtom == atom.Template):
				n.RemoveChild(c)
			case c.Type == html.ElementNode && hidden(c):
				var b bytes.Buffer
				if html.Render(&b, c) == nil {
					out.Hidden = append(out.Hidden, b.String())
				}
				n.RemoveChild(c)
			default:
				walk(c)
			}
			c = next
		}
	}
	walk(doc)
	out.Text = strings.ReplaceAll(htmltext.Node(doc), "\u00a0", " ")
	return out, nil
}

func conditionalComment(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "[if") || strings.HasPrefix(s, "[endif") || strings.HasPrefix(s, "<![endif")
}

// hidden reports whether an element is not shown to a reader.
func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			// decorative content; still visible, keep it
		case "type":
			if n.DataAtom == atom.Input && strings.EqualFold(strings.TrimSpace(a.Val), "hidden") {
				return true
			}
		case "style":
			if styleHidden(a.Val) {
				return true
			}
		}
	}
	return false
}

// styleHidden reports whether an inline style hides its element's content.
func styleHidden(style string) bool {
	decl := map[string]string{}
	for _, d := range strings.Split(strings.ToLower(style), ";") {
		k, v, ok := strings.Cut(d, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "!important"))
		decl[strings.TrimSpace(k)] = v
	}
	switch {
	case decl["display"] == "none",
		decl["visibility"] == "hidden" || decl["visibility"] == "collapse",
		decl["mso-hide"] == "all":
		return true
	}
	if v, ok := decl["font-size"]; ok && tiny(v, 1) {
		return true
	}
	if v, ok := decl["opacity"]; ok {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f <= 0.05 {
			return true
		}
	}
	if (tiny(decl["max-height"], 0) || tiny(decl["height"], 0)) && decl["overflow"] == "hidden" {
		return true
	}
	return false
}

// tiny reports whether a CSS length is at most max pixels (0 counts for
// any unit).
func tiny(v string, max float64) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return false
	}
	i := 0
	for i < len(v) && (v[i] == '.' || v[i] == '-' || v[i] >= '0' && v[i] <= '9') {
		i++
	}
	f, err := strconv.ParseFloat(v[:i], 64)
	if err != nil {
		return false
	}
	if f <= 0 {
		return true
	}
	switch v[i:] {
	case "", "px":
		return f <= max
	case "pt":
		return f*4/3 <= max
	}
	return false
}

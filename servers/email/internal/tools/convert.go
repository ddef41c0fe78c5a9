package tools

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/servers/email/internal/mailtext"
	"github.com/bizmcp/bizmcp/shared/compress"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
)

// AttachmentOut is an attachment's metadata; content is never fetched.
type AttachmentOut struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type,omitempty"`
	Size        string `json:"size,omitempty" jsonschema:"human-readable size, e.g. 182 KB"`
}

// addrs sanitizes a list of addresses into "Name <email>" strings.
func addrs(sc *mcpkit.Scrub, path string, as []email.Address) []string {
	if len(as) == 0 {
		return nil
	}
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = sc.Text(fmt.Sprintf("%s[%d]", path, i), displayAddr(a))
	}
	return out
}

// displayAddr renders an address for the model: the name unquoted and
// unencoded (mail.Address.String would MIME-encode non-ASCII names).
func displayAddr(a email.Address) string {
	n := strings.TrimSpace(a.Name)
	if n == "" {
		return a.Email
	}
	return n + " <" + a.Email + ">"
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+512)>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func attachments(sc *mcpkit.Scrub, as []email.Attachment) []AttachmentOut {
	if len(as) == 0 {
		return nil
	}
	const maxAttachments = 20
	out := make([]AttachmentOut, 0, min(len(as), maxAttachments))
	for i, a := range as {
		if i == maxAttachments {
			break
		}
		p := fmt.Sprintf("attachments[%d]", i)
		name, _ := compress.Truncate(a.Filename, 120, "")
		out = append(out, AttachmentOut{
			ID:          sc.Text(p+".id", a.ID),
			Filename:    sc.Text(p+".filename", name),
			ContentType: sc.Text(p+".content_type", a.ContentType),
			Size:        humanSize(a.Size),
		})
	}
	return out
}

// body is a message body prepared for the model, before sanitization.
type body struct {
	text   string // visible, trimmed text
	format string // "text" or "html"
	hidden []string
	stats  mailtext.Stats
}

// messageBody picks the text part (or converts the HTML part) and trims it.
func messageBody(m *email.Message, o mailtext.Options) (body, error) {
	b := body{format: "text"}
	src := m.BodyText
	if strings.TrimSpace(src) == "" && strings.TrimSpace(m.BodyHTML) != "" {
		h, err := mailtext.FromHTML(m.BodyHTML)
		if err != nil {
			return b, err
		}
		src, b.hidden, b.format = h.Text, h.Hidden, "html"
	}
	b.text, b.stats = mailtext.Trim(src, o)
	return b, nil
}

// hiddenScanMax bounds the hidden HTML handed to the sanitizer with one
// body: enough to judge what a sender tried to hide, never more than a
// bounded share of the work (a mail of 512 KB of comments costs what
// hiddenScanMax characters cost).
const hiddenScanMax = 2000

// hiddenForScan is the hidden HTML handed to the sanitizer beside the
// visible text (already cut to max_chars by the caller): at most
// hiddenScanMax characters of it, so the sanitizer judges what a sender
// tried to hide without the mail path sanitizing more than it returns;
// parts past the budget are left out (they are counted in
// trimmed.hidden_html_parts all the same).
func (b body) hiddenForScan() []string {
	left := hiddenScanMax
	var out []string
	for _, h := range b.hidden {
		n := utf8.RuneCountInString(h)
		if n > left {
			break
		}
		left -= n
		out = append(out, h)
	}
	return out
}

// oneLine collapses white space, for snippets.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

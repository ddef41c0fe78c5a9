package imap

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // charsets beyond UTF-8 and Latin-1 in bodies
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// header is what the adapter reads from a message's header.
type header struct {
	from                 email.Address
	to, cc, bcc, replyTo []email.Address
	subject              string
	date                 time.Time
	messageID, inReplyTo string
	references           []string
	customerID, language string
}

func parseHeader(raw []byte, customerHeader string) header {
	var h header
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil && th.Len() == 0 {
		return h
	}
	mh := mail.Header{Header: message.Header{Header: th}}
	list := func(key string) []email.Address {
		as, _ := mh.AddressList(key)
		out := make([]email.Address, 0, len(as))
		for _, a := range as {
			out = append(out, email.Address{Name: a.Name, Email: a.Address})
		}
		return out
	}
	if f := list("From"); len(f) > 0 {
		h.from = f[0]
	}
	h.to, h.cc, h.bcc, h.replyTo = list("To"), list("Cc"), list("Bcc"), list("Reply-To")
	h.subject, _ = mh.Subject()
	h.date, _ = mh.Date()
	h.messageID, _ = mh.MessageID()
	if ids, _ := mh.MsgIDList("In-Reply-To"); len(ids) > 0 {
		h.inReplyTo = ids[0]
	}
	h.references, _ = mh.MsgIDList("References")
	h.customerID = strings.TrimSpace(mh.Get(customerHeader))
	h.language = strings.TrimSpace(mh.Get("Content-Language"))
	return h
}

// threadKey is the Message-ID a conversation is known by: the first of
// References, else In-Reply-To, else the message's own.
func (h header) threadKey() string {
	switch {
	case len(h.references) > 0:
		return h.references[0]
	case h.inReplyTo != "":
		return h.inReplyTo
	}
	return h.messageID
}

// part is a leaf of a body structure.
type part struct {
	path []int
	bs   *imap.BodyStructureSinglePart
}

// layout is what the body structure says: the text parts to read and the
// attachments to list.
type layout struct {
	text, html  *part
	attachments []email.Attachment
}

func partID(path []int) string {
	s := make([]string, len(path))
	for i, p := range path {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ".")
}

func layoutOf(bs imap.BodyStructure) layout {
	var l layout
	if bs == nil {
		return l
	}
	bs.Walk(func(path []int, b imap.BodyStructure) bool {
		sp, ok := b.(*imap.BodyStructureSinglePart)
		if !ok {
			return true
		}
		if len(path) == 0 {
			path = []int{1} // a single-part message's body is part 1
		}
		disp := ""
		if d := sp.Disposition(); d != nil {
			disp = strings.ToLower(d.Value)
		}
		name := sp.Filename()
		mt := strings.ToLower(sp.MediaType())
		switch {
		case disp != "attachment" && name == "" && mt == "text/plain" && l.text == nil:
			l.text = &part{path: path, bs: sp}
		case disp != "attachment" && name == "" && mt == "text/html" && l.html == nil:
			l.html = &part{path: path, bs: sp}
		case disp == "attachment" || name != "" || !strings.HasPrefix(mt, "text/"):
			if disp == "" {
				disp = "inline"
			}
			l.attachments = append(l.attachments, email.Attachment{ID: "A-" + partID(path), Filename: name, ContentType: mt, Size: decodedSize(sp), Disposition: disp})
		}
		return true
	})
	return l
}

// decodedSize estimates a part's size after transfer decoding.
func decodedSize(sp *imap.BodyStructureSinglePart) int64 {
	n := int64(sp.Size)
	if strings.EqualFold(sp.Encoding, "base64") {
		return n * 3 / 4
	}
	return n
}

// section is the FETCH item of part p's content, the first max bytes.
func section(p *part, max int64) *imap.FetchItemBodySection {
	return &imap.FetchItemBodySection{Part: p.path, Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: max}}
}

// decodePart turns a part's raw (transfer-encoded, possibly truncated)
// content into UTF-8 text using the structure's encoding and charset.
func decodePart(p *part, raw []byte) string {
	var h message.Header
	params := map[string]string{}
	for k, v := range p.bs.Params {
		params[strings.ToLower(k)] = v
	}
	h.SetContentType(strings.ToLower(p.bs.MediaType()), params)
	if p.bs.Encoding != "" {
		h.Set("Content-Transfer-Encoding", p.bs.Encoding)
	}
	e, err := message.New(h, bytes.NewReader(raw))
	if e == nil {
		return string(raw)
	}
	_ = err                    // an unknown charset leaves the text undecoded, still readable
	b, _ := io.ReadAll(e.Body) // a cut-off encoding ends early: keep what decoded
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// messageIDFor derives the Message-ID of a write from its idempotency key:
// the same key always names the same message, so a retry can find the
// first attempt's message in Drafts or Sent.
func messageIDFor(key, kind, from string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + key))
	domain := "bizmcp.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	return "bizmcp." + kind + "." + hex.EncodeToString(sum[:16]) + "@" + domain
}

// outgoing is a message to render.
type outgoing struct {
	from                 string
	to, cc, bcc          []string
	subject, body        string
	messageID, inReplyTo string
	references           []string
	customer             string // CRM customer id, carried in the customer header
	date                 time.Time
	withBcc              bool // keep Bcc in the header (drafts and the Sent copy)
}

func addrList(as []string) []*mail.Address {
	out := make([]*mail.Address, len(as))
	for i, a := range as {
		out[i] = &mail.Address{Address: a}
	}
	return out
}

// render writes o as an RFC 5322 message: text/plain UTF-8,
// quoted-printable.
func render(o outgoing, customerHeader string) ([]byte, error) {
	var h mail.Header
	h.SetDate(o.date)
	h.SetAddressList("From", []*mail.Address{{Address: o.from}})
	h.SetAddressList("To", addrList(o.to))
	if len(o.cc) > 0 {
		h.SetAddressList("Cc", addrList(o.cc))
	}
	if o.withBcc && len(o.bcc) > 0 {
		h.SetAddressList("Bcc", addrList(o.bcc))
	}
	h.SetSubject(o.subject)
	h.SetMessageID(o.messageID)
	if o.inReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{o.inReplyTo})
	}
	if len(o.references) > 0 {
		h.SetMsgIDList("References", o.references)
	}
	if o.customer != "" {
		h.Set(customerHeader, o.customer)
	}
	h.Set("MIME-Version", "1.0")
	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	var buf bytes.Buffer
	w, err := message.CreateWriter(&buf, h.Header)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, strings.ReplaceAll(o.body, "\n", "\r\n")+"\r\n"); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

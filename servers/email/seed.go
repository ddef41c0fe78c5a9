package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	mockemail "github.com/bizmcp/bizmcp/mocks/email"
	imapbackend "github.com/bizmcp/bizmcp/servers/email/internal/backends/imap"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/emersion/go-message/mail"
)

// seedCommand is `email-mcp seed-demo`: it loads the --demo sample mailbox
// into the IMAP mailbox the EMAIL_IMAP_* settings name, by IMAP APPEND,
// skipping messages already there (by Message-ID), so it can run twice.
var seedCommand = app.Command{
	Name:    "seed-demo",
	Summary: "load the --demo sample mailbox into the IMAP mailbox of EMAIL_IMAP_* (IMAP APPEND; idempotent)",
	Run: func(ctx context.Context, env app.CommandEnv) int {
		log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
		p, err := imapbackend.Backend.Open(ctx, app.BackendEnv{Domain: "email", Binary: env.Binary, Prefix: "EMAIL_", Version: env.Version, Environ: env.Environ, Logger: log})
		if err != nil {
			fmt.Fprintln(env.Stderr, err)
			return 2
		}
		a := p.(*imapbackend.Adapter)
		defer a.Close()
		n, err := seedDemo(ctx, a, env.Stdout)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s seed-demo: %v\n", env.Binary, err)
			return 1
		}
		fmt.Fprintf(env.Stdout, "%d sample messages added\n", n)
		return 0
	},
}

// seedDemo appends every sample message to its folder.
func seedDemo(ctx context.Context, a *imapbackend.Adapter, _ io.Writer) (int, error) {
	added := 0
	for _, m := range mockemail.SampleMessages() {
		raw, err := sampleMIME(&m)
		if err != nil {
			return added, fmt.Errorf("%s: %w", m.ID, err)
		}
		ok, err := a.Import(ctx, m.Folder, raw, m.Read, m.Date)
		if err != nil {
			return added, fmt.Errorf("%s: %w", m.ID, err)
		}
		if ok {
			added++
		}
	}
	return added, nil
}

// structural headers sampleMIME writes itself.
var ownHeaders = map[string]bool{"content-type": true, "mime-version": true, "subject": true, "from": true, "to": true, "cc": true, "date": true, "content-transfer-encoding": true}

func mailAddrs(as []mockemail.Address) []*mail.Address {
	out := make([]*mail.Address, len(as))
	for i, a := range as {
		out[i] = &mail.Address{Name: a.Name, Address: a.Email}
	}
	return out
}

// sampleMIME renders a sample message as the RFC 5322 message it stands
// for: its transport headers, text and HTML alternatives, and attachments
// (deterministic filler content of the listed size, at most 64 KB).
func sampleMIME(m *mockemail.Message) ([]byte, error) {
	var h mail.Header
	for _, f := range m.Headers {
		if !ownHeaders[strings.ToLower(f.Name)] {
			h.Add(f.Name, f.Value)
		}
	}
	h.SetDate(m.Date)
	h.SetAddressList("From", mailAddrs([]mockemail.Address{m.From}))
	h.SetAddressList("To", mailAddrs(m.To))
	if len(m.Cc) > 0 {
		h.SetAddressList("Cc", mailAddrs(m.Cc))
	}
	if len(m.ReplyTo) > 0 {
		h.SetAddressList("Reply-To", mailAddrs(m.ReplyTo))
	}
	h.SetSubject(m.Subject)
	if h.Get("Message-Id") == "" {
		h.Set("Message-Id", m.MessageIDHeader)
	}
	if m.CustomerID != "" {
		h.Set("X-Customer-ID", m.CustomerID)
	}
	if m.Language != "" {
		h.Set("Content-Language", m.Language)
	}
	var buf bytes.Buffer
	w, err := mail.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	if m.BodyText != "" || m.BodyHTML != "" {
		tw, err := w.CreateInline()
		if err != nil {
			return nil, err
		}
		for _, p := range []struct{ typ, body string }{{"text/plain", m.BodyText}, {"text/html", m.BodyHTML}} {
			if p.body == "" {
				continue
			}
			var ih mail.InlineHeader
			ih.SetContentType(p.typ, map[string]string{"charset": "utf-8"})
			ih.Set("Content-Transfer-Encoding", "quoted-printable")
			pw, err := tw.CreatePart(ih)
			if err != nil {
				return nil, err
			}
			io.WriteString(pw, p.body)
			pw.Close()
		}
		tw.Close()
	}
	for _, at := range m.Attachments {
		var ah mail.AttachmentHeader
		ah.SetContentType(at.ContentType, nil)
		ah.SetFilename(at.Filename)
		ah.Set("Content-Transfer-Encoding", "base64")
		if at.Disposition == "inline" {
			ah.Set("Content-Disposition", "inline; filename=\""+at.Filename+"\"")
		}
		aw, err := w.CreateAttachment(ah)
		if err != nil {
			return nil, err
		}
		aw.Write(bytes.Repeat([]byte("bizmcp sample attachment\n"), int(min(at.Size, 64<<10)/25+1)))
		aw.Close()
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

package tools

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
)

// MaxRecipients caps to + cc + bcc of one message (the backend allows more:
// a model should never mass-mail).
const MaxRecipients = 10

// RuleMaxRecipients names the MaxRecipients rule in refusals and the audit
// trail (it is fixed, not configured, so it has no environment variable).
const RuleMaxRecipients = "max_recipients"

// tooManyRecipients is the refusal of a message to more than MaxRecipients.
func tooManyRecipients(ctx context.Context, n int, where string) error {
	return mcpkit.Refuse(ctx, RuleMaxRecipients, fmt.Sprintf("%d recipients; at most %d per message%s. This server does not send bulk mail", n, MaxRecipients, where))
}

// composeFields are the message fields of email_create_draft and
// email_send.
type composeFields struct {
	To, Cc, Bcc []string
	Subject     string
	Body        string
	InReplyTo   string
}

func (f composeFields) empty() bool {
	return len(f.To)+len(f.Cc)+len(f.Bcc) == 0 && f.Subject == "" && strings.TrimSpace(f.Body) == "" && f.InReplyTo == ""
}

// plainAddrs validates a recipient list: bare addresses only, duplicates
// (across all lists, ignoring case) dropped.
func plainAddrs(field string, in []string, seen map[string]bool) ([]string, error) {
	var out []string
	for i, raw := range in {
		s := strings.TrimSpace(raw)
		a, err := mail.ParseAddress(s)
		if err != nil || a.Name != "" || a.Address != s || !strings.Contains(s, "@") {
			return nil, fmt.Errorf("%s[%d] %q is not a plain email address like name@example.com", field, i, raw)
		}
		k := strings.ToLower(s)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	return out, nil
}

// prepare validates the fields and fills in reply defaults: without to, an
// answer goes to the original's Reply-To or sender (or, for our own
// message, its recipients); without a subject it gets "Re: " + the
// original's.
func (t *Tools) prepare(ctx context.Context, f composeFields) (email.Compose, error) {
	c := email.Compose{From: t.pol.From, Subject: strings.TrimSpace(f.Subject), BodyText: strings.TrimRight(f.Body, " \t\n"), InReplyTo: f.InReplyTo}
	seen := map[string]bool{}
	var err error
	if c.To, err = plainAddrs("to", f.To, seen); err != nil {
		return c, err
	}
	if c.Cc, err = plainAddrs("cc", f.Cc, seen); err != nil {
		return c, err
	}
	if c.Bcc, err = plainAddrs("bcc", f.Bcc, seen); err != nil {
		return c, err
	}
	if strings.ContainsAny(c.Subject, "\r\n") {
		return c, fmt.Errorf("subject must be one line")
	}
	if strings.TrimSpace(c.BodyText) == "" {
		return c, fmt.Errorf("body is empty; write the message text")
	}
	if f.InReplyTo != "" && (len(c.To) == 0 || c.Subject == "") {
		orig, err := t.api.Get(ctx, f.InReplyTo)
		if err != nil {
			return c, t.fail(err, mcpkit.ErrorHints{NotFound: "in_reply_to must be an existing message id; " + messageNotFound})
		}
		if len(c.To) == 0 {
			var def []email.Address
			switch {
			case len(orig.ReplyTo) > 0:
				def = orig.ReplyTo[:1]
			case orig.Folder == "sent" || orig.Folder == "drafts":
				def = orig.To
			default:
				def = []email.Address{orig.From}
			}
			for _, a := range def {
				if k := strings.ToLower(a.Email); !seen[k] {
					seen[k] = true
					c.To = append(c.To, a.Email)
				}
			}
		}
		if c.Subject == "" {
			c.Subject = replySubject(orig.Subject)
		}
	}
	n := len(c.To) + len(c.Cc) + len(c.Bcc)
	switch {
	case n == 0:
		return c, fmt.Errorf("no recipients: pass to (or in_reply_to to answer a message's sender)")
	case n > MaxRecipients:
		return c, tooManyRecipients(ctx, n, " (to, cc and bcc together)")
	case c.Subject == "":
		return c, fmt.Errorf("subject is empty; write a subject, or pass in_reply_to to answer a message")
	}
	return c, nil
}

func replySubject(s string) string {
	s = strings.TrimSpace(s)
	if l := strings.ToLower(s); strings.HasPrefix(l, "re:") || strings.HasPrefix(l, "aw:") || strings.HasPrefix(l, "sv:") {
		return s
	}
	return "Re: " + s
}

func messageRecipients(m *email.Message) []string {
	var out []string
	for _, l := range [][]email.Address{m.To, m.Cc, m.Bcc} {
		for _, a := range l {
			out = append(out, a.Email)
		}
	}
	return out
}

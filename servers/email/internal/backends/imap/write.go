package imap

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// rawMax bounds a draft read whole to be sent (SMTP servers refuse more).
const rawMax = 35 << 20

// from is the sender address: the compose's, else the login when it is an
// address.
func (a *Adapter) from(c string) (string, error) {
	if c != "" {
		return c, nil
	}
	if p, err := mail.ParseAddress(a.s.IMAPUsername); err == nil {
		return p.Address, nil
	}
	return "", &port.Error{Kind: port.KindMisconfigured, Op: "compose", Setting: "EMAIL_FROM_ADDRESS",
		Message: "EMAIL_IMAP_USERNAME is not an address; set EMAIL_FROM_ADDRESS to the mailbox's address"}
}

// reply fills o's threading headers from the message it answers (id).
func (a *Adapter) reply(cn *conn, o *outgoing, id string) (customer string, err error) {
	if id == "" {
		return "", nil
	}
	f, err := a.one(cn, id, "M", 0)
	if err != nil {
		return "", err
	}
	if f.h.messageID != "" {
		o.inReplyTo = f.h.messageID
		o.references = append(append(o.references, f.h.references...), f.h.messageID)
	}
	return f.h.customerID, nil
}

// append stores raw in folder with flags; it returns the new UID.
func (a *Adapter) append(cn *conn, folder string, raw []byte, flags []imap.Flag, mid string) (imap.UID, error) {
	data, err := a.appendRaw(cn, folder, raw, flags, time.Now())
	if err != nil {
		return 0, err
	}
	if data.UID != 0 {
		return data.UID, nil
	}
	hs, err := a.byMessageID(cn, mid, folder) // no UIDPLUS
	if err != nil || len(hs) == 0 {
		return 0, errors.Join(err, fmt.Errorf("appended message %s not found in %s", mid, folder))
	}
	return hs[len(hs)-1].uid, nil
}

// appendRaw is one APPEND of raw to folder.
func (a *Adapter) appendRaw(cn *conn, folder string, raw []byte, flags []imap.Flag, date time.Time) (*imap.AppendData, error) {
	name, err := a.mailbox(cn, folder)
	if err != nil {
		return nil, err
	}
	cmd := cn.c.Append(name, int64(len(raw)), &imap.AppendOptions{Flags: flags, Time: date})
	if _, err := cmd.Write(raw); err != nil {
		cmd.Close()
		return nil, err
	}
	if err := cmd.Close(); err != nil {
		return nil, err
	}
	cn.selected = "" // the mailbox changed: examine again before reading
	return cmd.Wait()
}

// remove deletes uid from folder (UID EXPUNGE when the server has UIDPLUS;
// else it is only flagged \Deleted, which every search here skips).
func (a *Adapter) remove(cn *conn, folder string, uid imap.UID) error {
	if err := a.selectRW(cn, folder); err != nil {
		return err
	}
	set := imap.UIDSetNum(uid)
	if err := cn.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	if cn.c.Caps().Has(imap.CapUIDPlus) {
		return cn.c.UIDExpunge(set).Close()
	}
	return nil
}

// stored reads back a message this adapter wrote.
func (a *Adapter) stored(cn *conn, folder string, uid imap.UID) (*email.Message, error) {
	ms, err := a.fetch(cn, folder, []imap.UID{uid}, bodyMax)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, port.NotFound("UID FETCH", "the stored message disappeared from "+folder)
	}
	m := a.message(ms[0])
	th, err := a.threadIDs(cn, ms)
	m.ThreadID = th[m.ID]
	return &m, err
}

// findWrite looks for the message a write with Message-ID mid stored in
// folder: the first attempt of a retried call.
func (a *Adapter) findWrite(cn *conn, folder, mid string) (*email.Message, error) {
	hs, err := a.byMessageID(cn, mid, folder)
	if err != nil || len(hs) == 0 {
		return nil, err
	}
	return a.stored(cn, folder, hs[0].uid)
}

// CreateDraft APPENDs the message to the Drafts folder (found by
// SPECIAL-USE) with \Draft. Its Message-ID is derived from key, so a
// retry finds the draft and saves no second one.
func (a *Adapter) CreateDraft(ctx context.Context, c email.Compose, key string) (*email.Message, port.Write, error) {
	var (
		m *email.Message
		w port.Write
	)
	err := a.do(ctx, "APPEND drafts", func(cn *conn) error {
		from, err := a.from(c.From)
		if err != nil {
			return err
		}
		o := outgoing{from: from, to: c.To, cc: c.Cc, bcc: c.Bcc, subject: c.Subject, body: c.BodyText,
			messageID: messageIDFor(key, "draft", from), date: time.Now(), withBcc: true}
		if m, err = a.findWrite(cn, email.FolderDrafts, o.messageID); err != nil || m != nil {
			w.Replayed = m != nil
			return err
		}
		if o.customer, err = a.reply(cn, &o, c.InReplyTo); err != nil {
			return err
		}
		raw, err := render(o, a.s.CustomerHeader)
		if err != nil {
			return err
		}
		uid, err := a.append(cn, email.FolderDrafts, raw, []imap.Flag{imap.FlagDraft, imap.FlagSeen}, o.messageID)
		if err != nil {
			return err
		}
		m, err = a.stored(cn, email.FolderDrafts, uid)
		return err
	})
	if err != nil {
		return nil, port.Write{}, err
	}
	m.InReplyTo = c.InReplyTo
	return m, w, nil
}

// Send delivers a new message by SMTP submission. See send for the
// one-delivery-per-key guarantee.
func (a *Adapter) Send(ctx context.Context, c email.Compose, key string) (*email.Message, port.Write, error) {
	var o outgoing
	err := a.do(ctx, "compose", func(cn *conn) error {
		from, err := a.from(c.From)
		if err != nil {
			return err
		}
		o = outgoing{from: from, to: c.To, cc: c.Cc, bcc: c.Bcc, subject: c.Subject, body: c.BodyText,
			messageID: messageIDFor(key, "send", from), date: time.Now()}
		o.customer, err = a.reply(cn, &o, c.InReplyTo)
		return err
	})
	if err != nil {
		return nil, port.Write{}, err
	}
	rcpts := append(append(append([]string(nil), o.to...), o.cc...), o.bcc...)
	wire, err := render(o, a.s.CustomerHeader)
	if err != nil {
		return nil, port.Write{}, port.Unavailable("compose", err)
	}
	o.withBcc = true
	copyRaw, err := render(o, a.s.CustomerHeader)
	if err != nil {
		return nil, port.Write{}, port.Unavailable("compose", err)
	}
	m, w, err := a.send(ctx, o.from, rcpts, o.messageID, wire, copyRaw)
	if m != nil {
		m.InReplyTo = c.InReplyTo
	}
	return m, w, err
}

// SendDraft sends the saved draft id as it is (with a Message-ID derived
// from key) and removes it from Drafts.
func (a *Adapter) SendDraft(ctx context.Context, id, key string) (*email.Message, port.Write, error) {
	folder, uid, ok := parseID(id, "M")
	switch {
	case !ok:
		return nil, port.Write{}, notFound("draft", id)
	case folder == email.FolderSent:
		return nil, port.Write{}, port.Conflict("send draft "+id, id+" is in Sent: it was sent already", "")
	case folder != email.FolderDrafts:
		return nil, port.Write{}, port.Conflict("send draft "+id, id+" is not a draft", "")
	}
	var (
		from, mid     string
		rcpts         []string
		wire, copyRaw []byte
		replay        *email.Message
	)
	err := a.do(ctx, "UID FETCH "+id, func(cn *conn) error {
		f, err := a.one(cn, id, "M", 0)
		if err != nil {
			return err
		}
		if from, err = a.from(f.h.from.Email); err != nil {
			return err
		}
		mid = messageIDFor(key, "send", from)
		if replay, err = a.findWrite(cn, email.FolderSent, mid); err != nil || replay != nil {
			return err
		}
		if _, err := a.examine(cn, email.FolderDrafts); err != nil { // findWrite selected Sent
			return err
		}
		bufs, err := cn.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, RFC822Size: true,
			BodySection: []*imap.FetchItemBodySection{{Peek: true, Partial: &imap.SectionPartial{Size: rawMax + 1}}}}).Collect()
		if err != nil {
			return err
		}
		if len(bufs) == 0 || len(bufs[0].BodySection) == 0 {
			return notFound("draft", id)
		}
		raw := bufs[0].BodySection[0].Bytes
		if len(raw) > rawMax {
			return &port.Error{Kind: port.KindTooLarge, Op: "send draft " + id, Message: "the draft is larger than 35 MB"}
		}
		for _, l := range [][]email.Address{f.h.to, f.h.cc, f.h.bcc} {
			for _, ad := range l {
				rcpts = append(rcpts, ad.Email)
			}
		}
		if copyRaw, err = rewrite(raw, mid, true); err != nil {
			return err
		}
		wire, err = rewrite(raw, mid, false)
		return err
	})
	if err != nil {
		return nil, port.Write{}, err
	}
	m, w, err := replay, port.Write{Replayed: true}, error(nil)
	if replay == nil {
		m, w, err = a.send(ctx, from, rcpts, mid, wire, copyRaw)
	}
	if err == nil {
		// The draft is spent (also when an earlier attempt sent it but
		// did not get to remove it); failing to remove it loses nothing.
		if rerr := a.do(ctx, "remove draft", func(cn *conn) error { return a.remove(cn, email.FolderDrafts, uid) }); rerr != nil {
			a.log.Warn("sent draft could not be removed from Drafts", "draft", id, "error", rerr)
		}
	}
	return m, w, err
}

// rewrite replaces raw's Message-ID with mid and, unless keepBcc, drops
// its Bcc header (the envelope carries those recipients).
func rewrite(raw []byte, mid string, keepBcc bool) ([]byte, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, port.Invalid("send draft", "draft_id", "the draft's header cannot be read: "+err.Error())
	}
	h.Set("Message-Id", "<"+mid+">")
	if !keepBcc {
		h.Del("Bcc")
	}
	var buf bytes.Buffer
	if err := textproto.WriteHeader(&buf, h); err != nil {
		return nil, err
	}
	if _, err := buf.ReadFrom(br); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// send is the one path of every delivery. The guarantee: one delivery per
// Message-ID (that is, per idempotency key), by looking in Sent first.
//
//  1. A copy with that Message-ID already in Sent: an earlier attempt got
//     at least to handing the message over; nothing is sent again
//     (Replayed).
//  2. Otherwise the copy is APPENDed to Sent before the SMTP transaction
//     (unless EMAIL_SMTP_SAVES_SENT), so a response lost after DATA (the
//     server has the message, the client never heard "250") leaves the
//     copy behind and the retry stops at step 1.
//  3. When the server refuses the message (an SMTP error reply), or the
//     transaction fails before DATA is complete, nothing was delivered: the
//     copy is removed and the error returned, and a retry sends again.
//
// The window: when this process dies between the APPEND and the end of
// DATA, a retry finds the copy and reports the message sent although it
// may not have been (at most once, never twice). With
// EMAIL_SMTP_SAVES_SENT the copy is the server's, filed after delivery: a
// retry that arrives before the server filed it sends a second time.
func (a *Adapter) send(ctx context.Context, from string, rcpts []string, mid string, wire, copyRaw []byte) (*email.Message, port.Write, error) {
	var (
		m   *email.Message
		uid imap.UID
	)
	err := a.do(ctx, "APPEND sent", func(cn *conn) (err error) {
		if m, err = a.findWrite(cn, email.FolderSent, mid); err != nil || m != nil || a.s.SMTPSavesSent {
			return err
		}
		uid, err = a.append(cn, email.FolderSent, copyRaw, []imap.Flag{imap.FlagSeen}, mid)
		return err
	})
	if err != nil {
		return nil, port.Write{}, err
	}
	if m != nil {
		a.log.Info("send replayed: the message is in Sent already", "message_id", mid)
		return m, port.Write{Replayed: true}, nil
	}
	maybe, serr := a.submit(ctx, from, rcpts, wire)
	if serr != nil {
		if !maybe && uid != 0 {
			if rerr := a.do(context.WithoutCancel(ctx), "remove unsent copy", func(cn *conn) error { return a.remove(cn, email.FolderSent, uid) }); rerr != nil {
				a.log.Warn("the Sent copy of a message that was not sent could not be removed", "message_id", mid, "error", rerr)
			}
		}
		pe := a.smtpErr(ctx, "SMTP submission", serr)
		if maybe {
			pe = &port.Error{Kind: port.KindUnavailable, Op: "SMTP DATA", Err: serr,
				Message: "the SMTP server's answer to the message was lost, so it may have been delivered; retrying this exact call is safe: it finds the copy in Sent and does not send again"}
		}
		return nil, port.Write{}, pe
	}
	err = a.do(ctx, "UID FETCH sent", func(cn *conn) (err error) {
		if uid != 0 {
			m, err = a.stored(cn, email.FolderSent, uid)
			return err
		}
		// The server files its copy on its own time: look for it a few
		// times (a second at most), then answer from what was sent.
		for try := 0; try < 5 && m == nil && err == nil; try++ {
			if try > 0 {
				time.Sleep(200 * time.Millisecond)
			}
			m, err = a.findWrite(cn, email.FolderSent, mid)
		}
		if m == nil && err == nil {
			m = sentWithoutCopy(copyRaw, a.s.CustomerHeader)
		}
		return err
	})
	if err != nil {
		return nil, port.Write{}, err
	}
	now := time.Now().UTC()
	m.SentAt, m.DeliveredTo = &now, rcpts
	return m, port.Write{}, nil
}

// sentWithoutCopy describes a sent message the server has not filed yet
// (EMAIL_SMTP_SAVES_SENT): no id, the rest from its header.
func sentWithoutCopy(raw []byte, customerHeader string) *email.Message {
	h := parseHeader(raw, customerHeader)
	return &email.Message{Folder: email.FolderSent, From: h.from, To: h.to, Cc: h.cc, Bcc: h.bcc, Subject: h.subject, Date: h.date.UTC(),
		MessageIDHeader: h.messageID, CustomerID: h.customerID}
}

// submit sends wire to rcpts over SMTP submission. ambiguous reports a
// failure after the whole message was handed over (the server may have
// accepted it): only then may it have been delivered.
func (a *Adapter) submit(ctx context.Context, from string, rcpts []string, wire []byte) (ambiguous bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 2*a.s.Timeout)
	defer cancel()
	d := net.Dialer{}
	raw, err := d.DialContext(ctx, "tcp", a.s.smtpAddr)
	if err != nil {
		return false, err
	}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		raw.SetDeadline(dl)
	}
	tc := a.s.tlsFor(a.s.smtpAddr)
	var c *smtp.Client
	if a.s.smtpTLS {
		conn := tls.Client(raw, tc)
		if err := conn.HandshakeContext(ctx); err != nil {
			raw.Close()
			return false, err
		}
		c = smtp.NewClient(conn)
	} else {
		c, err = smtp.NewClientStartTLS(raw, tc)
		if err != nil && a.s.smtpLoopbk && strings.Contains(err.Error(), "doesn't support STARTTLS") {
			// Plain SMTP is allowed on loopback only.
			if raw, err = d.DialContext(ctx, "tcp", a.s.smtpAddr); err != nil {
				return false, err
			}
			stop2 := context.AfterFunc(ctx, func() { raw.Close() })
			defer stop2()
			c, err = smtp.NewClient(raw), nil
		}
		if err != nil {
			return false, err
		}
	}
	defer c.Close()
	if err := c.Auth(a.smtpAuth(c)); err != nil {
		return false, err
	}
	if err := c.Mail(from, nil); err != nil {
		return false, err
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			return false, err
		}
	}
	w, err := c.Data()
	if err != nil {
		return false, err
	}
	if _, err := w.Write(wire); err != nil {
		return false, err
	}
	if err := w.Close(); err != nil {
		var se *smtp.SMTPError
		return !errors.As(err, &se), err // a refusal reply: not delivered
	}
	c.Quit()
	return false, nil
}

func (a *Adapter) smtpAuth(c *smtp.Client) sasl.Client {
	switch {
	case a.s.OAuth2Token == "":
		return sasl.NewPlainClient("", a.s.SMTPUsername, a.s.SMTPPassword)
	case c.SupportsAuth("OAUTHBEARER"):
		return sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: a.s.SMTPUsername, Token: a.s.OAuth2Token})
	}
	return xoauth2(a.s.SMTPUsername, a.s.OAuth2Token)
}

// Import APPENDs raw to the logical folder unless a message with the same
// Message-ID is there already (so loading a data set twice adds nothing);
// added reports whether it appended.
func (a *Adapter) Import(ctx context.Context, folder string, raw []byte, seen bool, date time.Time) (added bool, err error) {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return false, port.Invalid("import", "message", "unreadable header: "+err.Error())
	}
	mid := strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	if mid == "" {
		return false, port.Invalid("import", "message", "no Message-ID")
	}
	flags := []imap.Flag{}
	if seen {
		flags = append(flags, imap.FlagSeen)
	}
	if folder == email.FolderDrafts {
		flags = append(flags, imap.FlagDraft)
	}
	err = a.do(ctx, "APPEND "+folder, func(cn *conn) error {
		hs, err := a.byMessageID(cn, mid, folder)
		if err != nil || len(hs) > 0 {
			return err
		}
		_, err = a.appendRaw(cn, folder, raw, flags, date)
		added = err == nil
		return err
	})
	return added, err
}

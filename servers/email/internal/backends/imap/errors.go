package imap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"
)

func isPortErr(err error) bool { _, ok := port.AsError(err); return ok }

// transportErr maps what dialling, TLS and the connection can fail with;
// server names the server ("IMAP" or "SMTP") and urlSetting its setting.
func transportErr(op, server, urlSetting string, err error) *port.Error {
	var (
		uae  x509.UnknownAuthorityError
		hn   x509.HostnameError
		cve  *tls.CertificateVerificationError
		rec  tls.RecordHeaderError
		dnse *net.DNSError
		ope  *net.OpError
	)
	switch {
	case errors.As(err, &uae), errors.As(err, &cve):
		return &port.Error{Kind: port.KindMisconfigured, Op: op, Setting: "EMAIL_TLS_CA_FILE", Err: err,
			Message: "the " + server + " server's TLS certificate is not trusted; for a private CA, set EMAIL_TLS_CA_FILE to its PEM file"}
	case errors.As(err, &hn):
		return &port.Error{Kind: port.KindMisconfigured, Op: op, Setting: urlSetting, Err: err,
			Message: "the " + server + " server's certificate does not name the host in " + urlSetting + "; use the host name the certificate was issued for"}
	case errors.As(err, &rec):
		return &port.Error{Kind: port.KindMisconfigured, Op: op, Setting: urlSetting, Err: err,
			Message: "the " + server + " server did not answer TLS; check the scheme and port of " + urlSetting + " (implicit TLS or STARTTLS)"}
	case errors.As(err, &dnse):
		return &port.Error{Kind: port.KindUnreachable, Op: op, Setting: urlSetting, Err: err, Message: "the host in " + urlSetting + " does not resolve"}
	case errors.As(err, &ope) && ope.Op == "dial":
		return &port.Error{Kind: port.KindUnreachable, Op: op, Setting: urlSetting, Err: err, Message: "cannot connect to the " + server + " server (" + urlSetting + ")"}
	case strings.Contains(err.Error(), "STARTTLS"):
		return &port.Error{Kind: port.KindMisconfigured, Op: op, Setting: urlSetting, Err: err,
			Message: "the " + server + " server offers no STARTTLS; use its implicit-TLS port in " + urlSetting}
	}
	return nil
}

// imapErr maps a failed IMAP operation to a port error: ctx is the
// caller's (its deadline is a timeout, never a backend fault), opctx the
// operation's own.
func (a *Adapter) imapErr(ctx, opctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if pe, ok := port.AsError(err); ok {
		return pe
	}
	if pe := port.FromContext(ctx, op); pe != nil {
		return pe
	}
	if opctx.Err() != nil {
		return &port.Error{Kind: port.KindTimeout, Op: op, Setting: "EMAIL_IMAP_TIMEOUT", Err: err,
			Message: fmt.Sprintf("the IMAP server did not answer within %s", a.s.Timeout)}
	}
	var st *imap.Error
	if errors.As(err, &st) {
		return statusErr(op, st)
	}
	if pe := transportErr(op, "IMAP", "EMAIL_IMAP_URL", err); pe != nil {
		return pe
	}
	return &port.Error{Kind: port.KindUnavailable, Op: op, Err: err, Message: "the IMAP connection failed; retry"}
}

// statusErr maps an IMAP NO or BAD (RFC 5530 response codes) to a kind.
func statusErr(op string, st *imap.Error) *port.Error {
	e := &port.Error{Op: op, Code: string(st.Code), Message: st.Text, Err: st}
	switch st.Code {
	case imap.ResponseCodeAuthenticationFailed, imap.ResponseCodeAuthorizationFailed, imap.ResponseCodeExpired, imap.ResponseCodePrivacyRequired:
		e.Kind, e.Setting = port.KindUnauthorized, "EMAIL_IMAP_PASSWORD or EMAIL_OAUTH2_TOKEN"
		e.Message = "the IMAP server refused the login (" + st.Text + "); check EMAIL_IMAP_USERNAME and EMAIL_IMAP_PASSWORD (an app password where the provider requires one) or renew EMAIL_OAUTH2_TOKEN"
	case imap.ResponseCodeNoPerm:
		e.Kind, e.Setting = port.KindForbidden, "EMAIL_IMAP_USERNAME"
	case imap.ResponseCodeNonExistent, imap.ResponseCodeTryCreate:
		e.Kind, e.Setting = port.KindMisconfigured, "EMAIL_IMAP_SENT_FOLDER, EMAIL_IMAP_DRAFTS_FOLDER or EMAIL_IMAP_ARCHIVE_FOLDER"
		e.Message = "a mailbox this server needs does not exist (" + st.Text + "); create it or name the right one"
	case imap.ResponseCodeOverQuota:
		e.Kind = port.KindConflict
		e.Message = "the mailbox is over its quota (" + st.Text + "); someone must free space in it"
	case imap.ResponseCodeLimit, imap.ResponseCodeInUse, "THROTTLED": // THROTTLED: Gmail
		e.Kind, e.RetryAfter = port.KindRateLimited, 30*time.Second
		e.Message = "the IMAP server is throttling this mailbox (" + st.Text + "); wait before trying again"
	case imap.ResponseCodeUnavailable, imap.ResponseCodeServerBug:
		e.Kind = port.KindUnavailable
	case imap.ResponseCodeTooBig:
		e.Kind = port.KindTooLarge
	default:
		if strings.Contains(strings.ToLower(st.Text), "throttl") || strings.Contains(strings.ToLower(st.Text), "too many") {
			e.Kind, e.RetryAfter = port.KindRateLimited, 30*time.Second
			break
		}
		if st.Type == imap.StatusResponseTypeBad {
			e.Kind = port.KindBadRequest
		} else {
			e.Kind = port.KindUnavailable
		}
	}
	return e
}

// smtpErr maps a failed submission. field names the argument a recipient
// refusal is about ("to").
func (a *Adapter) smtpErr(ctx context.Context, op string, err error) *port.Error {
	if pe, ok := port.AsError(err); ok {
		return pe
	}
	if pe := port.FromContext(ctx, op); pe != nil {
		return pe
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		e := &port.Error{Op: op, Status: se.Code, Code: fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2]), Message: se.Message, Err: err}
		switch {
		case se.Code == 535 || se.Code == 534 || se.Code == 530:
			e.Kind, e.Setting = port.KindUnauthorized, "EMAIL_SMTP_USERNAME and EMAIL_SMTP_PASSWORD (or EMAIL_OAUTH2_TOKEN)"
			e.Message = "the SMTP server refused the login (" + se.Message + "); check the submission credentials"
		case se.Code == 550 || se.Code == 551 || se.Code == 553 || se.Code == 554 && strings.Contains(op, "RCPT"):
			e.Kind, e.Field = port.KindBadRequest, "to"
			e.Message = "the SMTP server refused a recipient or the sender: " + se.Message
		case se.Code == 552:
			e.Kind = port.KindTooLarge
		case se.Code == 421 || se.Code == 450 || se.Code == 451 || se.Code == 452 || se.Code == 454:
			e.Kind, e.RetryAfter = port.KindRateLimited, time.Minute
		case se.Code >= 500:
			e.Kind = port.KindBadRequest
		default:
			e.Kind = port.KindUnavailable
		}
		return e
	}
	if pe := transportErr(op, "SMTP", "EMAIL_SMTP_URL", err); pe != nil {
		return pe
	}
	return &port.Error{Kind: port.KindUnavailable, Op: op, Err: err, Message: "the SMTP connection failed"}
}

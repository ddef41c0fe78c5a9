// Package imap is the email port's adapter for a real mailbox: IMAP for
// reading, drafts and the Sent copy (emersion/go-imap v2), SMTP submission
// for sending (emersion/go-smtp), MIME with emersion/go-message. It knows
// nothing of MCP; every failure is a *port.Error naming what to fix.
//
// Ids. A message id is M-<f><uid>: f is the logical folder (1 inbox,
// 2 sent, 3 drafts, 4 archive) and uid its IMAP UID padded to nine digits,
// so ids fit the tools' M-[0-9]{1,10} and stay valid while the folder's
// UIDVALIDITY does. A thread id is T-<n> where M-<n> is the thread's first
// member in folder then UID order; members are found from Message-ID,
// In-Reply-To and References across the four folders (IMAP's THREAD
// extension works inside one mailbox only, while a conversation spans
// INBOX and Sent).
//
// Writes. A draft's and a sent message's Message-ID is derived from the
// idempotency key; a retry finds the first attempt by that Message-ID
// (see Send for the guarantee and its window).
package imap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/config"
)

// Settings are the adapter's environment variables (prefix EMAIL_).
type Settings struct {
	IMAPURL      string `env:"IMAP_URL"`
	IMAPUsername string `env:"IMAP_USERNAME"`
	IMAPPassword string `env:"IMAP_PASSWORD"`
	OAuth2Token  string `env:"OAUTH2_TOKEN"`
	SMTPURL      string `env:"SMTP_URL"`
	SMTPUsername string `env:"SMTP_USERNAME"`
	SMTPPassword string `env:"SMTP_PASSWORD"`
	TLSCAFile    string `env:"TLS_CA_FILE"`
	// SMTPSavesSent: the submission server files a copy in Sent itself
	// (Gmail, Microsoft 365), so the adapter appends none.
	SMTPSavesSent bool   `env:"SMTP_SAVES_SENT"`
	SentFolder    string `env:"IMAP_SENT_FOLDER"`
	DraftsFolder  string `env:"IMAP_DRAFTS_FOLDER"`
	ArchiveFolder string `env:"IMAP_ARCHIVE_FOLDER"`
	// CustomerHeader carries the CRM customer id a message is filed under.
	CustomerHeader string        `env:"IMAP_CUSTOMER_HEADER" envDefault:"X-Customer-ID"`
	PoolSize       int           `env:"IMAP_POOL_SIZE" envDefault:"4"`
	IdleTimeout    time.Duration `env:"IMAP_IDLE_TIMEOUT" envDefault:"5m"`
	Timeout        time.Duration `env:"IMAP_TIMEOUT" envDefault:"20s"`

	imapAddr, smtpAddr       string
	imapTLS, smtpTLS         bool // implicit TLS (imaps, smtps)
	imapLoopback, smtpLoopbk bool
	tls                      *tls.Config
}

// Backend is the "imap" entry of email-mcp's backend list.
var Backend = app.Backend[email.Backend]{
	Name:    "imap",
	Summary: "a real mailbox: IMAP (read, drafts, Sent) and SMTP submission (send); Microsoft 365, Google Workspace or any IMAP server",
	Settings: []app.Setting{
		{Env: "EMAIL_IMAP_URL", Meaning: "imaps://host:993 (implicit TLS) or imap://host:143 (STARTTLS required; plain only on loopback)"},
		{Env: "EMAIL_IMAP_USERNAME", Meaning: "the mailbox's login, usually its address"},
		{Env: "EMAIL_IMAP_PASSWORD", Meaning: "its password or app password (never logged); or set EMAIL_OAUTH2_TOKEN"},
		{Env: "EMAIL_OAUTH2_TOKEN", Meaning: "an OAuth2 access token for IMAP and SMTP (SASL OAUTHBEARER or XOAUTH2: Microsoft 365, Gmail)"},
		{Env: "EMAIL_SMTP_URL", Meaning: "smtps://host:465 (implicit TLS) or smtp://host:587 (STARTTLS required; plain only on loopback)"},
		{Env: "EMAIL_SMTP_USERNAME, EMAIL_SMTP_PASSWORD", Meaning: "submission login (default: the IMAP ones)"},
		{Env: "EMAIL_TLS_CA_FILE", Meaning: "PEM file of extra CAs to trust (private servers); certificates are always verified"},
		{Env: "EMAIL_SMTP_SAVES_SENT", Default: "false", Meaning: "true when the submission server files sent mail in Sent itself (Gmail, Microsoft 365): no copy is appended"},
		{Env: "EMAIL_IMAP_SENT_FOLDER, _DRAFTS_FOLDER, _ARCHIVE_FOLDER", Meaning: "mailbox names when the server does not mark them (SPECIAL-USE)"},
		{Env: "EMAIL_IMAP_CUSTOMER_HEADER", Default: "X-Customer-ID", Meaning: "header holding a message's CRM customer id (customer_id search)"},
		{Env: "EMAIL_IMAP_POOL_SIZE, _IDLE_TIMEOUT, _TIMEOUT", Default: "4, 5m, 20s", Meaning: "IMAP connections kept, how long an idle one lives, deadline of one IMAP operation"},
	},
	Open: func(ctx context.Context, env app.BackendEnv) (email.Backend, error) {
		var s Settings
		if err := config.ParseEnv(env.Binary, env.Environ, env.Prefix, &s); err != nil {
			return nil, err
		}
		if err := s.validate(env.Binary); err != nil {
			return nil, err
		}
		return New(s, env.Logger), nil
	},
}

func (s *Settings) validate(bin string) error {
	var err error
	if s.imapAddr, s.imapTLS, s.imapLoopback, err = mailURL(s.IMAPURL, "imap"); err != nil {
		return config.Usagef(bin, "EMAIL_IMAP_URL: %v", err)
	}
	if s.smtpAddr, s.smtpTLS, s.smtpLoopbk, err = mailURL(s.SMTPURL, "smtp"); err != nil {
		return config.Usagef(bin, "EMAIL_SMTP_URL: %v", err)
	}
	if s.IMAPUsername == "" {
		return config.Usagef(bin, "EMAIL_IMAP_USERNAME is not set; set it to the mailbox's login")
	}
	if (s.IMAPPassword == "") == (s.OAuth2Token == "") {
		return config.Usagef(bin, "set exactly one of EMAIL_IMAP_PASSWORD and EMAIL_OAUTH2_TOKEN")
	}
	if s.SMTPUsername == "" {
		s.SMTPUsername = s.IMAPUsername
	}
	if s.SMTPPassword == "" {
		s.SMTPPassword = s.IMAPPassword
	}
	if s.PoolSize < 1 || s.PoolSize > 32 {
		return config.Usagef(bin, "EMAIL_IMAP_POOL_SIZE must be between 1 and 32, not %d", s.PoolSize)
	}
	if s.Timeout <= 0 || s.IdleTimeout <= 0 {
		return config.Usagef(bin, "EMAIL_IMAP_TIMEOUT and EMAIL_IMAP_IDLE_TIMEOUT must be positive durations like 20s")
	}
	if _, err := mail.ParseAddress(s.CustomerHeader + "@x.example"); err != nil || strings.ContainsAny(s.CustomerHeader, ": ") {
		return config.Usagef(bin, "EMAIL_IMAP_CUSTOMER_HEADER %q is not a header name", s.CustomerHeader)
	}
	s.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLSCAFile != "" {
		pem, err := os.ReadFile(s.TLSCAFile)
		if err != nil {
			return config.Usagef(bin, "EMAIL_TLS_CA_FILE: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return config.Usagef(bin, "EMAIL_TLS_CA_FILE %s holds no PEM certificate", s.TLSCAFile)
		}
		s.tls.RootCAs = pool
	}
	return nil
}

// mailURL parses scheme://host:port for proto ("imap" or "smtp"): the
// implicit-TLS scheme (imaps, smtps) or the plain one, which means
// STARTTLS (required unless the host is a loopback address).
func mailURL(raw, proto string) (addr string, implicit, loopback bool, err error) {
	if raw == "" {
		return "", false, false, fmt.Errorf("not set; use %ss://host:port", proto)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") {
		return "", false, false, fmt.Errorf("%q is not %ss://host:port or %s://host:port (no user, no path)", raw, proto, proto)
	}
	switch u.Scheme {
	case proto + "s":
		implicit = true
	case proto:
	default:
		return "", false, false, fmt.Errorf("scheme %q: use %ss:// (implicit TLS) or %s:// (STARTTLS)", u.Scheme, proto, proto)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"imaps": "993", "imap": "143", "smtps": "465", "smtp": "587"}[u.Scheme]
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	loopback = host == "localhost" || (ip != nil && ip.IsLoopback())
	return net.JoinHostPort(host, port), implicit, loopback, nil
}

// tlsFor is the TLS configuration for addr's host (certificates verified).
func (s *Settings) tlsFor(addr string) *tls.Config {
	c := s.tls.Clone()
	c.ServerName, _, _ = net.SplitHostPort(addr)
	return c
}

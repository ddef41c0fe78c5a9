// Command bizmcp-approvals is the approvals console: a web application
// where people who signed in with the company's OpenID Connect provider
// approve or deny the writes bizmcp servers hold for approval
// (docs/approvals.md).
//
// It reads the approvals of every server sharing a Redis store
// (MCP_REDIS_URL with the servers' MCP_APPROVAL_SECRET), or of one
// server through its /approvals API (BIZMCP_APPROVALS_API_URL with that
// server's MCP_APPROVAL_TOKEN) when the server keeps approvals in memory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/bizmcp/bizmcp/internal/approvalsweb"
	"github.com/bizmcp/bizmcp/shared/approval"
	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/auth"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/caarlos0/env/v11"
)

var version = "dev"

// settings are the console's environment (flags override the first two).
type settings struct {
	Addr         string        `env:"BIZMCP_APPROVALS_ADDR" envDefault:"127.0.0.1:8090"`
	PublicURL    string        `env:"BIZMCP_APPROVALS_URL"`
	Issuer       string        `env:"BIZMCP_APPROVALS_OIDC_ISSUER"`
	ClientID     string        `env:"BIZMCP_APPROVALS_OIDC_CLIENT_ID"`
	ClientSecret config.Secret `env:"BIZMCP_APPROVALS_OIDC_CLIENT_SECRET"`
	Scopes       []string      `env:"BIZMCP_APPROVALS_OIDC_SCOPES" envSeparator:"," envDefault:"openid,profile,email"`
	GroupsClaim  string        `env:"BIZMCP_APPROVALS_GROUPS_CLAIM" envDefault:"groups"`
	Rules        string        `env:"BIZMCP_APPROVALS_RULES"`
	SessionKey   config.Secret `env:"BIZMCP_APPROVALS_SESSION_KEY"`
	SessionTTL   time.Duration `env:"BIZMCP_APPROVALS_SESSION_TTL" envDefault:"8h"`
	RedisURL     string        `env:"MCP_REDIS_URL"`
	Secret       config.Secret `env:"MCP_APPROVAL_SECRET"`
	APIURL       string        `env:"BIZMCP_APPROVALS_API_URL"`
	APIToken     config.Secret `env:"BIZMCP_APPROVALS_API_TOKEN"`
	AuditLog     string        `env:"MCP_AUDIT_LOG" envDefault:"stderr"`
	LogLevel     string        `env:"MCP_LOG_LEVEL" envDefault:"info"`
}

const usage = `bizmcp-approvals: the approvals console (docs/approvals.md)

  bizmcp-approvals [--addr HOST:PORT] [--url PUBLIC_URL]

Settings (environment):
  BIZMCP_APPROVALS_ADDR            listen address (default 127.0.0.1:8090)
  BIZMCP_APPROVALS_URL             external base URL; the OIDC redirect URL is URL/callback
                                   (default http://ADDR, loopback only)
  BIZMCP_APPROVALS_OIDC_ISSUER     OpenID provider issuer URL (https)
  BIZMCP_APPROVALS_OIDC_CLIENT_ID, BIZMCP_APPROVALS_OIDC_CLIENT_SECRET (empty: public client, PKCE only)
  BIZMCP_APPROVALS_OIDC_SCOPES     default openid,profile,email
  BIZMCP_APPROVALS_GROUPS_CLAIM    ID-token claim with groups or roles (default groups; dotted path allowed)
  BIZMCP_APPROVALS_RULES           who may decide what: TOOL[>AMOUNT]=GROUP[|GROUP],... first match wins
                                   e.g. orders_create_refund>10000=finance,*=support-leads
  BIZMCP_APPROVALS_SESSION_KEY     at least 32 bytes; signs and encrypts cookies
  BIZMCP_APPROVALS_SESSION_TTL     default 8h
  MCP_REDIS_URL + MCP_APPROVAL_SECRET          the store the servers share (their values)
  BIZMCP_APPROVALS_API_URL + BIZMCP_APPROVALS_API_TOKEN   or one server's /approvals API and MCP_APPROVAL_TOKEN
  MCP_AUDIT_LOG                    audit trail of decisions: stderr or a file (default stderr)
  MCP_LOG_LEVEL                    debug, info, warn, error
`

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	var s settings
	if err := env.Parse(&s); err != nil {
		fmt.Fprintln(stderr, "bizmcp-approvals:", err)
		return 2
	}
	fs := flag.NewFlagSet("bizmcp-approvals", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	fs.StringVar(&s.Addr, "addr", s.Addr, "listen address")
	fs.StringVar(&s.PublicURL, "url", s.PublicURL, "external base URL")
	showVersion := fs.Bool("version", false, "print the version")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stderr, "bizmcp-approvals", version)
		return 0
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.LogLevel)); err != nil {
		fmt.Fprintln(stderr, "bizmcp-approvals: MCP_LOG_LEVEL must be debug, info, warn or error")
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := serve(s, log, stderr); err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(stderr, "bizmcp-approvals:", err)
			return 2
		}
		log.Error("bizmcp-approvals stopped", "error", err)
		return 1
	}
	return 0
}

type usageError struct{ error }

func bad(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

func serve(s settings, log *slog.Logger, stderr io.Writer) error {
	rules, err := approvalsweb.ParseRules(s.Rules)
	if err != nil {
		return usageError{err}
	}
	switch {
	case s.Issuer == "" || s.ClientID == "":
		return bad("BIZMCP_APPROVALS_OIDC_ISSUER and BIZMCP_APPROVALS_OIDC_CLIENT_ID are required: approvers sign in with OpenID Connect")
	case len(s.SessionKey.Reveal()) < 32:
		return bad("BIZMCP_APPROVALS_SESSION_KEY is required, at least 32 bytes (e.g. openssl rand -base64 48)")
	case (s.RedisURL == "") == (s.APIURL == ""):
		return bad("set either MCP_REDIS_URL (with MCP_APPROVAL_SECRET, the store the servers share) or BIZMCP_APPROVALS_API_URL (with BIZMCP_APPROVALS_API_TOKEN, one server's approvals API)")
	case s.RedisURL != "" && len(s.Secret.Reveal()) < config.MinSecretBytes:
		return bad("MCP_APPROVAL_SECRET is required with MCP_REDIS_URL (the servers' value, at least %d bytes): approvals are sealed with it", config.MinSecretBytes)
	case s.APIURL != "" && s.APIToken == "":
		return bad("BIZMCP_APPROVALS_API_TOKEN (the server's MCP_APPROVAL_TOKEN) is required with BIZMCP_APPROVALS_API_URL")
	}
	if s.APIURL != "" {
		if err := auth.CheckURL("BIZMCP_APPROVALS_API_URL", s.APIURL); err != nil {
			return usageError{err}
		}
	}
	auditLog, closer, err := audit.Open("bizmcp-approvals", s.AuditLog, stderr)
	if err != nil {
		return usageError{err}
	}
	defer closer.Close()

	var src approvalsweb.Source
	if s.RedisURL != "" {
		store, err := kv.Open(context.Background(), s.RedisURL)
		if err != nil {
			return fmt.Errorf("approval store: %w", err)
		}
		defer store.Close()
		// The console's gate only lists and decides; the console audits.
		src = approvalsweb.Gate{G: approval.NewGate(approval.Options{Store: store, Secret: s.Secret.Reveal(), Domain: "approvals", Logger: log})}
	} else {
		src = approvalsweb.API{BaseURL: s.APIURL, Token: s.APIToken.Reveal()}
	}

	l, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return usageError{fmt.Errorf("BIZMCP_APPROVALS_ADDR: %w", err)}
	}
	if s.PublicURL == "" {
		s.PublicURL = "http://" + l.Addr().String()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	web, err := approvalsweb.New(ctx, approvalsweb.Options{
		Source: src, Rules: rules, PublicURL: s.PublicURL,
		Issuer: s.Issuer, ClientID: s.ClientID, ClientSecret: s.ClientSecret.Reveal(), Scopes: s.Scopes, GroupsClaim: s.GroupsClaim,
		SessionKey: []byte(s.SessionKey.Reveal()), SessionTTL: s.SessionTTL, Audit: auditLog, Logger: log,
	})
	if err != nil {
		l.Close()
		return err
	}
	srv := &http.Server{Handler: web.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	mode := "store"
	if s.APIURL != "" {
		mode = "api"
	}
	log.Info("listening", "addr", l.Addr().String(), "url", s.PublicURL, "source", mode, "issuer", s.Issuer, "rules", strings.Join(ruleStrings(rules), ","), "version", version)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func ruleStrings(rs approvalsweb.Rules) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

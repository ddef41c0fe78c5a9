package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-sasl"
)

// conn is one logged-in IMAP connection.
type conn struct {
	c        *imapclient.Client
	raw      net.Conn
	used     time.Time
	selected string // mailbox selected read-only, "" none
	validity uint32
	reused   bool // taken from the idle list (may have gone stale)
}

// pool keeps at most size connections: idle ones are reused until
// idleTimeout, broken ones are dropped and redialled on demand.
type pool struct {
	s    *Settings
	log  *slog.Logger
	sem  chan struct{}
	mu   sync.Mutex
	idle []*conn
	// dial is the connector (tests replace it).
	dial func(ctx context.Context) (*conn, error)
}

func newPool(s *Settings, log *slog.Logger) *pool {
	p := &pool{s: s, log: log, sem: make(chan struct{}, s.PoolSize)}
	p.dial = p.connect
	return p
}

// get returns a connection, waiting while size are in use.
func (p *pool) get(ctx context.Context) (*conn, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	for len(p.idle) > 0 {
		cn := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if time.Since(cn.used) < p.s.IdleTimeout && !closed(cn.c) {
			p.mu.Unlock()
			cn.reused = true
			return cn, nil
		}
		go cn.c.Close() // expired: the server may have dropped it already
	}
	p.mu.Unlock()
	cn, err := p.dial(ctx)
	if err != nil {
		<-p.sem
		return nil, err
	}
	return cn, nil
}

func closed(c *imapclient.Client) bool {
	select {
	case <-c.Closed():
		return true
	default:
		return false
	}
}

// put returns cn to the pool, or closes it when broken.
func (p *pool) put(cn *conn, broken bool) {
	defer func() { <-p.sem }()
	if broken || closed(cn.c) {
		cn.c.Close()
		return
	}
	cn.used, cn.reused = time.Now(), false
	p.mu.Lock()
	p.idle = append(p.idle, cn)
	p.mu.Unlock()
}

// close logs out every idle connection.
func (p *pool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, cn := range idle {
		cn.c.Logout().Wait()
		cn.c.Close()
	}
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// connect dials, secures (implicit TLS or STARTTLS; plain only on
// loopback when the server offers no STARTTLS) and logs in.
func (p *pool) connect(ctx context.Context) (*conn, error) {
	s := p.s
	d := net.Dialer{}
	raw, err := d.DialContext(ctx, "tcp", s.imapAddr)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	opts := &imapclient.Options{TLSConfig: s.tlsFor(s.imapAddr), WordDecoder: wordDecoder}
	var c *imapclient.Client
	switch {
	case s.imapTLS:
		tc := tls.Client(raw, opts.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		raw = tc
		c = imapclient.New(raw, opts)
	case s.imapLoopback:
		// Loopback may be plain, but STARTTLS is used whenever offered.
		c = imapclient.New(raw, opts)
		if err := c.WaitGreeting(); err != nil {
			c.Close()
			return nil, err
		}
		if c.Caps().Has(imap.CapStartTLS) {
			c.Close()
			if raw, err = d.DialContext(ctx, "tcp", s.imapAddr); err != nil {
				return nil, err
			}
			stop2 := context.AfterFunc(ctx, func() { raw.Close() })
			defer stop2()
			if c, err = imapclient.NewStartTLS(raw, opts); err != nil {
				raw.Close()
				return nil, err
			}
		}
	default:
		if c, err = imapclient.NewStartTLS(raw, opts); err != nil {
			raw.Close()
			return nil, err
		}
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, err
	}
	if err := login(c, s); err != nil {
		c.Close()
		return nil, err
	}
	return &conn{c: c, raw: raw, used: time.Now()}, nil
}

func login(c *imapclient.Client, s *Settings) error {
	if s.OAuth2Token == "" {
		return c.Login(s.IMAPUsername, s.IMAPPassword).Wait()
	}
	caps := c.Caps()
	if caps.Has("AUTH=OAUTHBEARER") {
		return c.Authenticate(sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: s.IMAPUsername, Token: s.OAuth2Token}))
	}
	return c.Authenticate(xoauth2(s.IMAPUsername, s.OAuth2Token))
}

// xoauth2 is the SASL XOAUTH2 mechanism of Google and Microsoft (go-sasl
// has the standard OAUTHBEARER only): one initial response, and on
// failure the server's JSON challenge is answered with an empty line.
type xoauth2Client struct{ user, token string }

func xoauth2(user, token string) sasl.Client { return &xoauth2Client{user, token} }

func (x *xoauth2Client) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2Client) Next([]byte) ([]byte, error) { return []byte{}, nil }

// do runs f on a pooled connection under a per-operation deadline inside
// ctx's. A connection that failed at the transport level is dropped; a
// stale idle one (the server closed it) is replaced once.
func (a *Adapter) do(ctx context.Context, op string, f func(cn *conn) error) error {
	for attempt := 0; ; attempt++ {
		opctx, cancel := context.WithTimeout(ctx, a.s.Timeout)
		cn, err := a.pool.get(opctx)
		if err != nil {
			err = a.imapErr(ctx, opctx, op, err)
			cancel()
			return err
		}
		// Each operation selects afresh: a mailbox selected earlier may not
		// show what other connections appended since.
		cn.selected = ""
		stop := context.AfterFunc(opctx, func() { cn.raw.Close() })
		err = f(cn)
		stop()
		var status *imap.Error
		broken := err != nil && !errors.As(err, &status) && !isPortErr(err)
		if opctx.Err() != nil {
			broken = true
		}
		a.pool.put(cn, broken)
		if broken && cn.reused && attempt == 0 && ctx.Err() == nil && opctx.Err() == nil && transient(err) {
			cancel()
			a.log.Info("imap connection went stale; reconnecting", "op", op, "error", err)
			continue
		}
		err = a.imapErr(ctx, opctx, op, err)
		cancel()
		return err
	}
}

// transient: the connection died under us (EOF, reset, closed).
func transient(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &ne)
}

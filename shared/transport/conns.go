package transport

import (
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// connLimiter bounds the connections one address holds: at most maxTotal
// open (new ones are closed at accept) and at most maxIdle idle keep-alive
// connections (an extra one is closed when it goes idle). Trusted proxies
// are exempt: they carry many clients.
type connLimiter struct {
	maxTotal, maxIdle int
	proxies           []netip.Prefix
	log               *slog.Logger
	lastWarn          atomic.Int64 // unix seconds of the last refusal logged

	mu    sync.Mutex
	total map[string]int
	idle  map[string]int
	state map[net.Conn]bool // true while idle
}

func newConnLimiter(maxTotal, maxIdle int, proxies []netip.Prefix, log *slog.Logger) *connLimiter {
	return &connLimiter{maxTotal: maxTotal, maxIdle: maxIdle, proxies: proxies, log: log,
		total: map[string]int{}, idle: map[string]int{}, state: map[net.Conn]bool{}}
}

func connHost(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

type limitedListener struct {
	net.Listener
	l *connLimiter
}

func (ln *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := connHost(c)
		if ln.l.maxTotal <= 0 || trusted(ln.l.proxies, host) {
			return c, nil
		}
		ln.l.mu.Lock()
		over := ln.l.total[host] >= ln.l.maxTotal
		if !over {
			ln.l.total[host]++
		}
		ln.l.mu.Unlock()
		if over {
			connRefused.Inc()
			c.Close()
			ln.l.warn(host)
			continue
		}
		return &countedConn{Conn: c, l: ln.l, host: host}, nil
	}
}

type countedConn struct {
	net.Conn
	l    *connLimiter
	host string
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		if c.l.total[c.host]--; c.l.total[c.host] <= 0 {
			delete(c.l.total, c.host)
		}
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// warn logs a refused connection at most once a minute: behind a proxy
// that is not in MCP_TRUSTED_PROXIES every client shares its address.
func (l *connLimiter) warn(host string) {
	now := time.Now().Unix()
	last := l.lastWarn.Load()
	if now-last < 60 || !l.lastWarn.CompareAndSwap(last, now) {
		return
	}
	l.log.Warn("connection refused: too many from one address", "addr", host, "limit", l.maxTotal,
		"hint", "raise MCP_MAX_CONNS_PER_ADDR, or list a reverse proxy in MCP_TRUSTED_PROXIES")
}

// connState is the http.Server's ConnState hook: it counts idle
// connections per address and closes those over maxIdle.
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	if l.maxIdle <= 0 {
		return
	}
	host := connHost(c)
	if trusted(l.proxies, host) {
		return
	}
	l.mu.Lock()
	wasIdle, known := l.state[c]
	if known && wasIdle {
		if l.idle[host]--; l.idle[host] <= 0 {
			delete(l.idle, host)
		}
	}
	closeIt := false
	switch s {
	case http.StateIdle:
		if l.idle[host] >= l.maxIdle {
			closeIt = true
			delete(l.state, c)
		} else {
			l.idle[host]++
			l.state[c] = true
		}
	case http.StateNew, http.StateActive:
		l.state[c] = false
	default: // closed, hijacked
		delete(l.state, c)
	}
	l.mu.Unlock()
	if closeIt {
		idleClosed.Inc()
		c.Close()
	}
}

package transport

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
)

// connLimiter bounds the connections one address holds: at most maxTotal
// open (new ones are closed at accept) and at most maxIdle idle keep-alive
// connections (an extra one is closed when it goes idle). Trusted proxies
// are exempt: they carry many clients.
type connLimiter struct {
	maxTotal, maxIdle int
	proxies           []netip.Prefix

	mu    sync.Mutex
	total map[string]int
	idle  map[string]int
	state map[net.Conn]bool // true while idle
}

func newConnLimiter(maxTotal, maxIdle int, proxies []netip.Prefix) *connLimiter {
	return &connLimiter{maxTotal: maxTotal, maxIdle: maxIdle, proxies: proxies,
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

package pgtest

import (
	"bytes"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Proxy is a TCP proxy in front of the test server that can lose answers:
// after a client sends a statement containing a marker, it lets the server
// run it to the end (ReadyForQuery: the write is committed) and then
// closes the connection instead of passing the answer on, as a network
// failure after the commit would.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	match  string
	left   int
	Lost   int // answers lost so far
	Passed int // statements with the marker answered
}

// NewProxy starts a proxy to the server of u and returns it with u
// pointing at it.
func NewProxy(t testing.TB, u string) (*Proxy, string) {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	px := &Proxy{ln: ln, target: p.Host}
	t.Cleanup(func() { ln.Close() })
	go px.serve()
	p.Host = ln.Addr().String()
	return px, p.String()
}

// LoseAnswers makes the next n statements containing match lose their
// answers.
func (p *Proxy) LoseAnswers(match string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.match, p.left = match, n
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c)
	}
}

// readyForQuery is the server's ReadyForQuery message header.
var readyForQuery = []byte{'Z', 0, 0, 0, 5}

func (p *Proxy) pipe(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	defer client.Close()
	defer server.Close()
	armed := make(chan bool, 16) // a marked statement went to the server
	go func() {
		defer server.Close()
		buf := make([]byte, 64<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 {
				p.mu.Lock()
				hit := p.match != "" && strings.Contains(string(buf[:n]), p.match)
				lose := hit && p.left > 0
				if lose {
					p.left--
				}
				p.mu.Unlock()
				if hit {
					armed <- lose
				}
				if _, err := server.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	var pending []byte // server output held while a marked statement runs
	lose, holding := false, false
	for {
		n, err := server.Read(buf)
		// The marked statement was announced before it was sent, so its
		// answer is never read before the announcement.
		if !holding {
			select {
			case l := <-armed:
				holding, lose = true, l
			default:
			}
		}
		if n > 0 {
			if !holding {
				if _, err := client.Write(buf[:n]); err != nil {
					return
				}
			} else {
				pending = append(pending, buf[:n]...)
				if bytes.Contains(pending, readyForQuery) {
					p.mu.Lock()
					if lose {
						p.Lost++
					} else {
						p.Passed++
					}
					p.mu.Unlock()
					if lose {
						return // committed; the answer is lost with the connection
					}
					if _, err := client.Write(pending); err != nil {
						return
					}
					pending, holding = nil, false
				}
			}
		}
		if err != nil {
			return
		}
	}
}

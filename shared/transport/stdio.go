package transport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/shared/jsonguard"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Stdio is a newline-delimited JSON-RPC transport over a reader and a
// writer that survives bad input: a line that is not JSON gets a -32700
// parse error response, a batch, an over-deep or an oversized message a
// -32600 invalid request response, and the session goes on. (The SDK's own
// stdio transport ends the session on the first malformed line.)
type Stdio struct {
	In       io.Reader
	Out      io.Writer
	MaxLine  int // bytes; default 4 MiB
	MaxDepth int // default jsonguard.MaxDepth
	Logger   *slog.Logger
	// Drain bounds how long, once the input ends, the connection waits for
	// the answers to requests it already read before reporting the end
	// (default 30 s). Requests read before the end of input are answered.
	Drain time.Duration
}

// Connect implements mcp.Transport.
func (s *Stdio) Connect(context.Context) (mcp.Connection, error) {
	if s.MaxLine <= 0 {
		s.MaxLine = 4 << 20
	}
	if s.MaxDepth <= 0 {
		s.MaxDepth = jsonguard.MaxDepth
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Drain <= 0 {
		s.Drain = 30 * time.Second
	}
	c := &stdioConn{t: s, incoming: make(chan lineOrErr), closed: make(chan struct{}), pending: map[jsonrpc.ID]bool{}, idle: make(chan struct{}, 1)}
	go c.readLoop()
	return c, nil
}

type lineOrErr struct {
	msg jsonrpc.Message
	err error
}

type stdioConn struct {
	t        *Stdio
	incoming chan lineOrErr
	closed   chan struct{}
	once     sync.Once
	wmu      sync.Mutex

	pmu     sync.Mutex
	pending map[jsonrpc.ID]bool // requests read and not yet answered
	idle    chan struct{}       // signalled when pending becomes empty
}

func (c *stdioConn) readLoop() {
	r := bufio.NewReaderSize(c.t.In, 64<<10)
	for {
		line, tooLong, err := readLine(r, c.t.MaxLine)
		if len(bytes.TrimSpace(line)) > 0 || tooLong {
			if msg := c.check(line, tooLong); msg != nil {
				select {
				case c.incoming <- lineOrErr{msg: msg}:
				case <-c.closed:
					return
				}
			}
		}
		if err != nil {
			select {
			case c.incoming <- lineOrErr{err: err}:
			case <-c.closed:
			}
			return
		}
	}
}

// check returns the decoded message, or answers the line with an error and
// returns nil.
func (c *stdioConn) check(line []byte, tooLong bool) jsonrpc.Message {
	reject := func(code int64, msg string) jsonrpc.Message {
		c.t.Logger.Warn("rejected stdio message", "code", code, "reason", msg)
		// encoding/json escapes control bytes as JSON does (\u0001); Go's
		// %q would write \x01, which is not JSON.
		m, _ := json.Marshal(strings.ToValidUTF8(msg, "\uFFFD"))
		c.writeRaw(fmt.Appendf(nil, `{"jsonrpc":"2.0","id":null,"error":{"code":%d,"message":%s}}`, code, m))
		return nil
	}
	switch {
	case tooLong:
		return reject(jsonrpc.CodeInvalidRequest, fmt.Sprintf("Invalid request: message longer than %d bytes", c.t.MaxLine))
	case jsonguard.FirstByte(line) == '[':
		return reject(jsonrpc.CodeInvalidRequest, "Invalid request: JSON-RPC batches are not supported; send one message per line")
	}
	if err := jsonguard.CheckDepth(line, c.t.MaxDepth); err != nil {
		return reject(jsonrpc.CodeInvalidRequest, "Invalid request: "+err.Error())
	}
	msg, err := jsonrpc.DecodeMessage(line)
	if err != nil {
		return reject(jsonrpc.CodeParseError, "Parse error: "+err.Error())
	}
	return msg
}

// readLine reads one line of at most max bytes; a longer line is consumed
// and reported as tooLong.
func readLine(r *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return line, tooLong, err
	}
}

func (c *stdioConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case v := <-c.incoming:
		if v.err != nil {
			c.drain(ctx)
			return nil, v.err
		}
		if req, ok := v.msg.(*jsonrpc.Request); ok && req.IsCall() {
			c.pmu.Lock()
			c.pending[req.ID] = true
			c.pmu.Unlock()
		}
		return v.msg, nil
	case <-c.closed:
		return nil, io.EOF
	}
}

// drain waits, at the end of input, until every request already read has
// been answered (or Drain passes, or ctx ends), so that a client that
// writes its requests and closes its end still gets the answers.
func (c *stdioConn) drain(ctx context.Context) {
	t := time.NewTimer(c.t.Drain)
	defer t.Stop()
	for {
		c.pmu.Lock()
		n := len(c.pending)
		c.pmu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-c.idle:
		case <-t.C:
			c.t.Logger.Warn("input ended; gave up waiting for answers", "unanswered", n)
			return
		case <-ctx.Done():
			return
		case <-c.closed:
			return
		}
	}
}

func (c *stdioConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	b, err := jsonrpc.EncodeMessage(msg)
	if err != nil {
		return err
	}
	err = c.writeRaw(b)
	if resp, ok := msg.(*jsonrpc.Response); ok {
		c.pmu.Lock()
		delete(c.pending, resp.ID)
		empty := len(c.pending) == 0
		c.pmu.Unlock()
		if empty {
			select {
			case c.idle <- struct{}{}:
			default:
			}
		}
	}
	return err
}

func (c *stdioConn) writeRaw(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	select {
	case <-c.closed:
		return errors.New("connection closed")
	default:
	}
	_, err := c.t.Out.Write(append(b, '\n'))
	return err
}

func (c *stdioConn) Close() error {
	c.once.Do(func() {
		close(c.closed)
		if cl, ok := c.t.In.(io.Closer); ok {
			cl.Close()
		}
	})
	return nil
}

func (c *stdioConn) SessionID() string { return "" }

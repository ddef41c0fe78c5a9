// Package inproc serves an http.Handler in-process behind an
// http.RoundTripper, for --demo backends and tests. It imports no mock
// domain, so a server binary that uses it links only its own domain.
package inproc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// Transport returns an http.RoundTripper that serves every request with h
// in-process, without a network (the URL's scheme and host are ignored, so
// any base URL such as "http://mock-backends/crm" works). It behaves like a
// real connection where it matters:
//
//   - the request body is read and copied before h runs, and the response
//     body is streamed through a pipe (h never shares buffers with the caller);
//   - the request context reaches h; when it ends before the response headers,
//     RoundTrip returns ctx.Err(); when it ends while the body is being read,
//     reads fail with ctx.Err();
//   - a handler that aborts the connection (panic(http.ErrAbortHandler), as the
//     "reset" fault does in-process) yields an error for which
//     errors.Is(err, syscall.ECONNRESET) holds; so does any other panic.
func Transport(h http.Handler) http.RoundTripper { return &inProcess{h: h} }

type inProcess struct{ h http.Handler }

// connReset is the error of a dropped in-process connection.
func connReset(detail string) error {
	err := &net.OpError{Op: "read", Net: "tcp", Addr: inprocAddr{}, Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	if detail == "" {
		return err
	}
	return fmt.Errorf("%s: %w", detail, err)
}

type inprocAddr struct{}

func (inprocAddr) Network() string { return "inproc" }
func (inprocAddr) String() string  { return "mock-backends" }

func (t *inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("mocks: reading request body: %w", err)
		}
		body = b
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	sreq := req.Clone(ctx)
	sreq.Body, sreq.ContentLength, sreq.GetBody = http.NoBody, 0, nil
	if len(body) > 0 {
		sreq.Body, sreq.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:0"
	sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	sreq.Close = false

	pr, pw := io.Pipe()
	rw := &pipeWriter{header: http.Header{}, pw: pw, req: req, ready: make(chan struct{}), head: req.Method == http.MethodHead}
	handlerDone := make(chan struct{})
	go func() {
		defer close(handlerDone)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					rw.fail(connReset(""))
				} else {
					rw.fail(connReset(fmt.Sprintf("mocks: handler panic: %v", v)))
				}
				return
			}
			rw.finish(ctx)
		}()
		t.h.ServeHTTP(rw, sreq)
	}()

	select {
	case <-rw.ready:
	case <-ctx.Done():
		_ = pr.CloseWithError(ctx.Err())
		return nil, ctx.Err()
	}
	if rw.err != nil {
		_ = pr.Close()
		if err := ctx.Err(); err != nil {
			// The handler gave up because the caller did (a hang ends
			// when its client goes away): the caller sees its own
			// context's error, as with a real connection.
			return nil, err
		}
		return nil, rw.err
	}
	b := &pipeBody{pr: pr, closed: make(chan struct{})}
	go func() { // a context that ends mid-body fails the reads
		select {
		case <-ctx.Done():
			_ = pw.CloseWithError(ctx.Err())
		case <-handlerDone:
		case <-b.closed:
		}
	}()
	resp := rw.resp
	resp.Body = b
	return resp, nil
}

type pipeBody struct {
	pr     *io.PipeReader
	once   sync.Once
	closed chan struct{}
}

func (b *pipeBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *pipeBody) Close() error {
	b.once.Do(func() {
		close(b.closed)
		_ = b.pr.Close() // unblocks a handler still writing
	})
	return nil
}

// pipeWriter is the handler's ResponseWriter: headers are committed on the
// first WriteHeader/Write/Flush, the body streams through the pipe.
type pipeWriter struct {
	header  http.Header
	pw      *io.PipeWriter
	req     *http.Request
	head    bool
	written int64 // body bytes delivered (handler goroutine only)

	mu        sync.Mutex
	committed bool
	ready     chan struct{}
	resp      *http.Response
	err       error // set before ready closes when the handler failed before committing
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		return // informational responses are not surfaced
	}
	w.commit(code)
}

func (w *pipeWriter) commit(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.committed {
		return
	}
	w.committed = true
	h := w.header.Clone()
	cl := int64(-1)
	if v := h.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			cl = n
		}
	}
	if w.head {
		cl = 0
	}
	w.resp = &http.Response{
		Status:        fmt.Sprintf("%d %s", code, http.StatusText(code)),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		ContentLength: cl,
		Request:       w.req,
	}
	close(w.ready)
}

func (w *pipeWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	committed := w.committed
	w.mu.Unlock()
	if !committed {
		if w.header.Get("Content-Type") == "" {
			w.header.Set("Content-Type", http.DetectContentType(p))
		}
		w.commit(http.StatusOK)
	}
	if w.head {
		return len(p), nil
	}
	n, err := w.pw.Write(p)
	w.written += int64(n)
	return n, err
}

// Flush commits the headers (the pipe itself is unbuffered).
func (w *pipeWriter) Flush() { w.commit(http.StatusOK) }

// finish ends a handler that returned normally. Like a real connection, a
// body shorter than its Content-Length ends in io.ErrUnexpectedEOF, and a
// handler that stopped because the request context ended leaves ctx.Err().
func (w *pipeWriter) finish(ctx context.Context) {
	w.commit(http.StatusOK)
	switch {
	case ctx.Err() != nil:
		_ = w.pw.CloseWithError(ctx.Err())
	case !w.head && w.resp.ContentLength > w.written:
		_ = w.pw.CloseWithError(io.ErrUnexpectedEOF)
	default:
		_ = w.pw.Close()
	}
}

// fail ends a handler that aborted: before the headers, RoundTrip returns
// err; after them, body reads fail with err.
func (w *pipeWriter) fail(err error) {
	w.mu.Lock()
	if !w.committed {
		w.committed = true
		w.err = err
		close(w.ready)
		w.mu.Unlock()
		_ = w.pw.CloseWithError(err)
		return
	}
	w.mu.Unlock()
	_ = w.pw.CloseWithError(err)
}

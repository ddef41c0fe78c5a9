// Package transport runs an *mcp.Server over stdio or streamable HTTP.
//
// HTTP mode serves MCP at /mcp in stateless mode (each POST is complete in
// itself, as MCP 2026-07-28 requires; clients speaking older protocol
// versions keep working), with JSON responses, plus:
//
//	GET /healthz   the process is up
//	GET /readyz    the backend answers (Options.Ready)
//	GET /metrics   Prometheus text format
//
// The http.Server has header, read and idle timeouts and a header size cap;
// request bodies are capped; the SDK's localhost DNS-rebinding protection
// stays on, and cross-origin browser requests are refused. On SIGTERM or
// SIGINT (the caller's ctx is cancelled) the listener closes at once and
// in-flight calls get ShutdownGrace to finish.
package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bizmcp/bizmcp/shared/ratelimit"
	"github.com/bizmcp/bizmcp/shared/telemetry"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options configures Run.
type Options struct {
	Transport     string // "stdio" or "http"
	Addr          string
	MaxBodyBytes  int64
	CallTimeout   time.Duration
	ShutdownGrace time.Duration
	Logger        *slog.Logger
	// Ready reports whether the backend is reachable, for /readyz.
	Ready func(context.Context) error
	// Protect, if set, wraps the MCP endpoint (bearer-token checks).
	Protect func(http.Handler) http.Handler
	// Routes are extra HTTP endpoints (e.g. protected resource metadata).
	Routes map[string]http.Handler
	// Listening, if set, is called with the bound address once HTTP is up.
	Listening func(addr string)
	// Stdin and Stdout replace os.Stdin/os.Stdout for stdio (tests).
	Stdin  io.ReadCloser
	Stdout io.WriteCloser
}

// Run serves srv until ctx is cancelled (HTTP) or the client goes away
// (stdio).
func Run(ctx context.Context, srv *mcp.Server, o Options) error {
	switch o.Transport {
	case "stdio", "":
		var t mcp.Transport = &mcp.StdioTransport{}
		if o.Stdin != nil {
			t = &mcp.IOTransport{Reader: o.Stdin, Writer: o.Stdout}
		}
		err := srv.Run(ctx, t)
		if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, io.EOF)) {
			return nil
		}
		return err
	case "http":
		return serveHTTP(ctx, srv, o)
	}
	return fmt.Errorf("unknown transport %q", o.Transport)
}

// Handler returns the HTTP handler for srv (also used by tests).
func Handler(srv *mcp.Server, o Options) http.Handler {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mcpHandler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{
		Stateless:           true,
		JSONResponse:        true,
		Logger:              log,
		MaxRequestBodyBytes: o.MaxBodyBytes,
	})
	var endpoint http.Handler = mcpHandler
	if o.Protect != nil {
		endpoint = o.Protect(endpoint)
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", http.NewCrossOriginProtection().Handler(guard(endpoint)))
	for pattern, h := range o.Routes {
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if o.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
			defer cancel()
			if err := o.Ready(ctx); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintf(w, "not ready: backend: %v\n", err)
				return
			}
		}
		io.WriteString(w, "ready\n")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		telemetry.WritePrometheus(w)
	})
	return mux
}

// guard records the peer address for per-client rate limiting (replacing
// whatever the client sent in that header) and refuses JSON-RPC batches,
// which MCP no longer allows and which would let one request fan out into
// many backend calls.
func guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		r.Header.Set(ratelimit.ClientHeader, host)
		if r.Method == http.MethodPost && r.Body != nil {
			br := &peekBody{r: r.Body}
			if b := br.peek(); b == '[' {
				http.Error(w, "JSON-RPC batches are not accepted; send one request per POST", http.StatusBadRequest)
				return
			}
			r.Body = br
		}
		next.ServeHTTP(w, r)
	})
}

// peekBody lets guard look at the first non-space byte without consuming it.
type peekBody struct {
	r   io.ReadCloser
	buf []byte
}

func (p *peekBody) peek() byte {
	var b [64]byte
	for len(p.buf) < 4096 {
		n, err := p.r.Read(b[:])
		p.buf = append(p.buf, b[:n]...)
		if t := bytes.TrimLeft(p.buf, " \t\r\n"); len(t) > 0 {
			return t[0]
		}
		if err != nil {
			break
		}
	}
	return 0
}

func (p *peekBody) Read(b []byte) (int, error) {
	if len(p.buf) > 0 {
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		return n, nil
	}
	return p.r.Read(b)
}

func (p *peekBody) Close() error { return p.r.Close() }

func serveHTTP(ctx context.Context, srv *mcp.Server, o Options) error {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	write := o.CallTimeout + 10*time.Second
	hs := &http.Server{
		Handler:           Handler(srv, o),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      write,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	addr := ln.Addr().String()
	log.Info("listening", "addr", addr, "endpoint", "http://"+addr+"/mcp")
	if o.Listening != nil {
		o.Listening(addr)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	grace := o.ShutdownGrace
	if grace <= 0 {
		grace = 20 * time.Second
	}
	log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

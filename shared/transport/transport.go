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
	"os"
	"strconv"
	"time"

	"github.com/bizmcp/bizmcp/shared/jsonguard"
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
	// ReadyNote, when set, is added to /readyz answers: how the backend is
	// reached ("EasyPost test key").
	ReadyNote string
	// RequestsPerSecond and RequestBurst bound HTTP requests per client
	// address (0 = unlimited).
	RequestsPerSecond float64
	RequestBurst      int
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
		in, out := io.Reader(os.Stdin), io.Writer(os.Stdout)
		if o.Stdin != nil {
			in, out = o.Stdin, o.Stdout
		}
		err := srv.Run(ctx, &Stdio{In: in, Out: out, Logger: o.Logger})
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
	mux.Handle("/mcp", http.NewCrossOriginProtection().Handler(guard(endpoint, o)))
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
				if o.ReadyNote != "" {
					fmt.Fprintf(w, "not ready: backend (%s): %v\n", o.ReadyNote, err)
					return
				}
				fmt.Fprintf(w, "not ready: backend: %v\n", err)
				return
			}
		}
		if o.ReadyNote != "" {
			fmt.Fprintf(w, "ready: %s\n", o.ReadyNote)
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		telemetry.WritePrometheus(w)
	})
	return mux
}

// guard, in front of the SDK's handler: it rate-limits requests per client
// address (floods of sessions or initialize calls get 429 with
// Retry-After), records the peer address for per-client tool-call limits
// (replacing whatever the client sent in that header), reads the body once
// within the size cap, and refuses JSON-RPC batches (which MCP no longer
// allows and which would let one request fan out into many backend calls)
// and over-deep JSON, all before any JSON decoder runs.
func guard(next http.Handler, o Options) http.Handler {
	max := o.MaxBodyBytes
	if max <= 0 {
		max = 1 << 20
	}
	var lim *ratelimit.Limiter
	if o.RequestsPerSecond > 0 {
		lim = ratelimit.New(o.RequestsPerSecond, max1(o.RequestBurst))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if lim != nil {
			if ok, wait := lim.Allow(host); !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
				http.Error(w, "too many requests from this client; retry later", http.StatusTooManyRequests)
				return
			}
		}
		r.Header.Set(ratelimit.ClientHeader, host)
		if r.Method == http.MethodPost && r.Body != nil {
			body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
			r.Body.Close()
			switch {
			case err != nil:
				http.Error(w, "could not read the request body", http.StatusBadRequest)
				return
			case int64(len(body)) > max:
				http.Error(w, fmt.Sprintf("request body larger than %d bytes", max), http.StatusRequestEntityTooLarge)
				return
			case jsonguard.FirstByte(body) == '[':
				http.Error(w, "JSON-RPC batches are not accepted; send one request per POST", http.StatusBadRequest)
				return
			}
			if err := jsonguard.CheckDepth(body, jsonguard.MaxDepth); err != nil {
				http.Error(w, "invalid request: "+err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		next.ServeHTTP(w, r)
	})
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

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

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
// request bodies are capped one by one and together (a server-wide budget
// of bytes in flight); connections per client address, open and idle, are
// bounded; authentication and the per-address limit come before any body
// is read; /readyz answers from a cache and shows only a reason code; the
// localhost DNS-rebinding check covers every route, and cross-origin
// browser requests are refused. On SIGTERM or
// SIGINT (the caller's ctx is cancelled) the listener closes at once and
// in-flight calls get ShutdownGrace to finish.
package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
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
	// Ready reports whether the backend is reachable, for /readyz. It is
	// called through a cache (see Readiness): at most once per ReadyTTL.
	Ready    func(context.Context) error
	ReadyTTL time.Duration // default 5 s
	// ReadyNote, when set, is added to /readyz answers: how the backend is
	// reached ("EasyPost test key"). It must hold no secret.
	ReadyNote string
	// RequestsPerSecond and RequestBurst bound HTTP requests per client
	// address (0 = unlimited).
	RequestsPerSecond float64
	RequestBurst      int
	// MaxInflightBodyBytes caps the request-body bytes held by all
	// requests in flight together (0 = 32 MiB); over it, 503.
	MaxInflightBodyBytes int64
	// MaxConnsPerAddr and MaxIdleConnsPerAddr bound the connections (all,
	// and idle keep-alive ones) one client address holds (0 = 64 and 8;
	// negative = unlimited). Trusted proxies are exempt.
	MaxConnsPerAddr     int
	MaxIdleConnsPerAddr int
	// TrustedProxies are the proxies whose X-Forwarded-For / Forwarded
	// headers are believed (see ClientAddr).
	TrustedProxies []netip.Prefix
	// Protect, if set, wraps the MCP endpoint before its body is read: it
	// must decide from headers alone (bearer-token checks).
	Protect func(http.Handler) http.Handler
	// Authorize, if set, wraps the MCP endpoint after the body was read
	// (BodyFrom has it): checks that need the message (tool scopes).
	Authorize func(http.Handler) http.Handler
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
		err := srv.Run(ctx, &Stdio{In: in, Out: out, Logger: o.Logger, Drain: o.CallTimeout + 5*time.Second})
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
//
// On /mcp, in order: the Host check (DNS rebinding), cross-origin
// protection, the per-address request limit, Protect (authentication, from
// headers only), the body read (size cap, server-wide budget, no batches,
// bounded depth), Authorize (scopes), the SDK. Every other route gets the
// Host check too.
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
	if o.Authorize != nil {
		endpoint = o.Authorize(endpoint)
	}
	endpoint = bodyGuard(endpoint, o)
	if o.Protect != nil {
		endpoint = o.Protect(endpoint)
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", http.NewCrossOriginProtection().Handler(addrGuard(endpoint, o)))
	for pattern, h := range o.Routes {
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	var ready *Readiness
	if o.Ready != nil {
		ready = NewReadiness(o.Ready, o.ReadyTTL, 3*time.Second, log)
	}
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 4*time.Second)
			defer cancel()
			if err := ready.Check(ctx); err != nil {
				// Anonymous callers get a reason code; the log has the rest.
				w.WriteHeader(http.StatusServiceUnavailable)
				if o.ReadyNote != "" {
					fmt.Fprintf(w, "not ready: %s (%s)\n", Reason(err), o.ReadyNote)
					return
				}
				fmt.Fprintf(w, "not ready: %s\n", Reason(err))
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
	return hostCheck(mux)
}

// hostCheck refuses a request that reached a loopback listener with a
// non-loopback Host header (DNS rebinding), as the SDK does for /mcp, on
// every route.
func hostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && la != nil {
			if loopbackHostPort(la.String()) && !loopbackHostPort(r.Host) {
				http.Error(w, fmt.Sprintf("Forbidden: invalid Host header %q", r.Host), http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func loopbackHostPort(hp string) bool {
	host, _, err := net.SplitHostPort(hp)
	if err != nil {
		host = hp
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// addrGuard, first on /mcp: it works out the client address (the peer, or
// the forwarded client when the peer is a trusted proxy), rate-limits
// requests per address (floods of sessions or initialize calls get 429 with
// Retry-After) and records the address for per-client tool-call limits
// (replacing whatever the client sent in that header). No body is read.
func addrGuard(next http.Handler, o Options) http.Handler {
	var lim *ratelimit.Limiter
	if o.RequestsPerSecond > 0 {
		lim = ratelimit.New(o.RequestsPerSecond, max1(o.RequestBurst))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := ClientAddr(r, o.TrustedProxies)
		if lim != nil {
			if ok, wait := lim.Allow(host); !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
				http.Error(w, "too many requests from this client; retry later", http.StatusTooManyRequests)
				return
			}
		}
		r.Header.Set(ratelimit.ClientHeader, host)
		next.ServeHTTP(w, r)
	})
}

// bodyGuard reads the body once, within the per-request cap and the
// server-wide in-flight budget, and refuses JSON-RPC batches (which MCP no
// longer allows and which would let one request fan out into many backend
// calls) and over-deep JSON, all before any JSON decoder runs.
func bodyGuard(next http.Handler, o Options) http.Handler {
	max := o.MaxBodyBytes
	if max <= 0 {
		max = 1 << 20
	}
	total := o.MaxInflightBodyBytes
	if total == 0 {
		total = 32 << 20
	}
	b := &budget{max: total}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		body, taken, err := readBody(r, max, b)
		defer b.give(taken)
		r.Body.Close()
		switch {
		case errors.Is(err, errTooLarge):
			http.Error(w, fmt.Sprintf("request body larger than %d bytes", max), http.StatusRequestEntityTooLarge)
			return
		case errors.Is(err, errOverBudget):
			bodyBudgetRefused.Inc()
			w.Header().Set("Retry-After", "1")
			http.Error(w, "server busy: too many request bytes in flight; retry shortly", http.StatusServiceUnavailable)
			return
		case err != nil:
			http.Error(w, "could not read the request body", http.StatusBadRequest)
			return
		case jsonguard.FirstByte(body) == '[':
			http.Error(w, "JSON-RPC batches are not accepted; send one request per POST", http.StatusBadRequest)
			return
		}
		if err := jsonguard.CheckDepth(body, jsonguard.MaxDepth); err != nil {
			http.Error(w, "invalid request: "+err.Error(), http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, withBody(r, body))
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
	maxConns, maxIdle := o.MaxConnsPerAddr, o.MaxIdleConnsPerAddr
	if maxConns == 0 {
		maxConns = 64
	}
	if maxIdle == 0 {
		maxIdle = 8
	}
	cl := newConnLimiter(maxConns, maxIdle, o.TrustedProxies, log)
	ln = &limitedListener{Listener: ln, l: cl}
	hs := &http.Server{
		Handler:           Handler(srv, o),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      write,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ConnState:         cl.connState,
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

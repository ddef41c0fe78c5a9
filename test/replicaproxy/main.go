// Command replicaproxy is the load balancer of the stateless-replica test:
// a reverse proxy that sends each request to the next backend in turn
// (strict round robin, no session affinity), so consecutive requests of one
// MCP client session land on different server replicas.
//
//	replicaproxy --addr 127.0.0.1:18090 --backend http://127.0.0.1:18091 --backend http://127.0.0.1:18092
//
// GET /_proxy/stats answers {"backends":[{"url":"...","requests":N,"errors":N}]}
// so a test can check that every replica served part of the session. Logs
// are JSON lines on stderr; the first says "listening" with the bound
// address. Only loopback listen addresses are accepted.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

type backend struct {
	url      *url.URL
	requests atomic.Int64
	errors   atomic.Int64
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	var backends listFlag
	addr := flag.String("addr", "127.0.0.1:18090", "listen address (loopback only)")
	flag.Var(&backends, "backend", "backend base URL (repeat; at least two)")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(*addr, backends, log); err != nil {
		log.Error("replicaproxy failed", "error", err.Error())
		os.Exit(1)
	}
}

// newHandler returns the round-robin proxy over urls plus /_proxy/stats.
func newHandler(urls []string, log *slog.Logger) (http.Handler, error) {
	if len(urls) < 2 {
		return nil, errors.New("give at least two --backend URLs")
	}
	var bs []*backend
	for _, u := range urls {
		pu, err := url.Parse(u)
		if err != nil || pu.Host == "" {
			return nil, fmt.Errorf("bad --backend %q", u)
		}
		bs = append(bs, &backend{url: pu})
	}

	var next atomic.Uint64
	type ctxKey struct{}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			b := bs[(next.Add(1)-1)%uint64(len(bs))]
			b.requests.Add(1)
			pr.SetURL(b.url)
			pr.Out = pr.Out.WithContext(context.WithValue(pr.Out.Context(), ctxKey{}, b))
		},
		FlushInterval: -1, // pass event streams through unbuffered
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if b, ok := r.Context().Value(ctxKey{}).(*backend); ok {
				b.errors.Add(1)
				log.Warn("backend error", "backend", b.url.String(), "error", err.Error())
			}
			http.Error(w, "replicaproxy: backend error: "+err.Error(), http.StatusBadGateway)
		},
		ModifyResponse: func(resp *http.Response) error {
			if resp.StatusCode >= 500 {
				if b, ok := resp.Request.Context().Value(ctxKey{}).(*backend); ok {
					b.errors.Add(1)
				}
			}
			return nil
		},
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /_proxy/stats", func(w http.ResponseWriter, r *http.Request) {
		type stat struct {
			URL      string `json:"url"`
			Requests int64  `json:"requests"`
			Errors   int64  `json:"errors"`
		}
		out := struct {
			Backends []stat `json:"backends"`
		}{}
		for _, b := range bs {
			out.Backends = append(out.Backends, stat{b.url.String(), b.requests.Load(), b.errors.Load()})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	mux.Handle("/", bufferBody(proxy))
	return mux, nil
}

// maxBody bounds a buffered request body (the servers refuse more than
// 1 MiB by default).
const maxBody = 8 << 20

// bufferBody reads the whole request body before the request is proxied.
// Streaming it instead races in net/http: when the proxy writes the response
// header, the server discards and closes the inbound body once its
// Content-Length bytes are read, while the transport may still be about to
// read it once more for EOF; that read fails, the transport closes the
// backend connection, and a response still being copied is cut off (the
// client sees the connection end mid-body; golang/go#40747: the HTTP/1
// server does not support reading the request body after the response has
// begun). MCP request bodies are small.
func bufferBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "replicaproxy: reading the request body: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body.Close()
		r.ContentLength = int64(len(b))
		r.Body = io.NopCloser(bytes.NewReader(b))
		next.ServeHTTP(w, r)
	})
}

func run(addr string, urls []string, log *slog.Logger) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--addr %s is not a loopback address", addr)
	}
	mux, err := newHandler(urls, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info("replicaproxy listening", "addr", ln.Addr().String(), "backends", urls)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

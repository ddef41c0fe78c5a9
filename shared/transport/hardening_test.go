package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/ratelimit"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// /readyz answers a flood from one cached probe: concurrent requests share
// one run, later ones within the TTL reuse its result.
func TestReadyzCachedAndSingleflight(t *testing.T) {
	var probes atomic.Int64
	gate, started := make(chan struct{}), make(chan struct{})
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	h := Handler(srv, Options{ReadyTTL: time.Hour, Ready: func(ctx context.Context) error {
		if probes.Add(1) == 1 {
			close(started)
		}
		<-gate
		return nil
	}})
	var wg sync.WaitGroup
	codes := make(chan int, 50)
	for range 50 {
		wg.Go(func() {
			rec, _ := do(t, h, "GET", "/readyz", "", nil)
			codes <- rec.Code
		})
	}
	// The probe is running (and the others wait on it); release it.
	<-started
	close(gate)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("readyz %d", c)
		}
	}
	for range 100 {
		do(t, h, "GET", "/readyz", "", nil)
	}
	if n := probes.Load(); n != 1 {
		t.Errorf("%d probes for 150 /readyz, want 1", n)
	}
}

func TestReadinessRefreshesAfterTTL(t *testing.T) {
	now := time.Unix(1000, 0)
	var n atomic.Int64
	r := NewReadiness(func(context.Context) error {
		if n.Add(1) == 1 {
			return &backend.Error{Kind: backend.KindUnreachable, Op: "GET /health", Err: errors.New("dial tcp 10.0.0.5:80: refused")}
		}
		return nil
	}, 5*time.Second, time.Second, nil)
	r.now = func() time.Time { return now }
	if err := r.Check(context.Background()); Reason(err) != "unreachable" {
		t.Fatalf("first: %v", err)
	}
	now = now.Add(4 * time.Second)
	if err := r.Check(context.Background()); err == nil || n.Load() != 1 {
		t.Fatalf("within the TTL: %v after %d probes", err, n.Load())
	}
	now = now.Add(2 * time.Second)
	if err := r.Check(context.Background()); err != nil || n.Load() != 2 {
		t.Fatalf("after the TTL: %v after %d probes", err, n.Load())
	}
}

// A caller that goes away does not cancel the probe others wait for.
func TestReadinessProbeOutlivesCaller(t *testing.T) {
	gate := make(chan struct{})
	r := NewReadiness(func(ctx context.Context) error {
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}, time.Hour, 5*time.Second, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Check(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	close(gate)
	if err := r.Check(context.Background()); err != nil {
		t.Fatalf("probe was cancelled with its first caller: %v", err)
	}
}

func TestReadyzShowsOnlyAReasonCode(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	h := Handler(srv, Options{Ready: func(context.Context) error {
		return &backend.Error{Kind: backend.KindMisconfigured, Op: "GET /health", Status: 404, Message: "CRM_API_URL http://admin:s3cret@10.1.2.3:9000 is wrong"}
	}})
	rec, body := do(t, h, "GET", "/readyz", "", nil)
	if rec.Code != 503 || body != "not ready: misconfigured\n" {
		t.Errorf("%d %q", rec.Code, body)
	}
}

// /metrics, /readyz, /healthz and /.well-known/* get the DNS-rebinding
// Host check that the SDK applies to /mcp.
func TestHostCheckOnEveryRoute(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	meta := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") })
	h := Handler(srv, Options{Ready: func(context.Context) error { return nil }, Routes: map[string]http.Handler{"GET /.well-known/oauth-protected-resource": meta}})
	for _, path := range []string{"/metrics", "/readyz", "/.well-known/oauth-protected-resource"} {
		for host, want := range map[string]int{"evil.example": 403, "localhost:8080": 200, "127.0.0.1:8080": 200, "[::1]:8080": 200} {
			req := httptest.NewRequest("GET", "http://x"+path, nil)
			req.Host = host
			req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, &fakeAddr{"127.0.0.1:8080"}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				t.Errorf("%s Host %s: %d, want %d", path, host, rec.Code, want)
			}
		}
	}
}

// readCounter counts body bytes read.
type readCounter struct {
	n atomic.Int64
	r io.Reader
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Authentication (Protect) and the per-address limit run before a byte
// of the body is read; Authorize runs after it, with the body at hand.
func TestAuthBeforeBodyRead(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	var sawBody []byte
	h := Handler(srv, Options{
		MaxBodyBytes:      1 << 20,
		RequestsPerSecond: 1, RequestBurst: 1,
		Protect: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") == "" {
					http.Error(w, "no bearer token", 401)
					return
				}
				next.ServeHTTP(w, r)
			})
		},
		Authorize: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sawBody, _ = BodyFrom(r)
				next.ServeHTTP(w, r)
			})
		},
	})
	body := `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", 512<<10) + `"}}`
	post := func(remote string, hdr map[string]string) (int, int64) {
		rc := &readCounter{r: strings.NewReader(body)}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, mcpRequest("POST", "/mcp", rc, remote, hdr))
		return rec.Code, rc.n.Load()
	}
	if code, n := post("10.0.0.1:1", nil); code != 401 || n != 0 {
		t.Errorf("no token: %d after reading %d body bytes", code, n)
	}
	if code, n := post("10.0.0.1:1", map[string]string{"Authorization": "Bearer x"}); code != 429 || n != 0 {
		t.Errorf("over the per-address limit: %d after reading %d body bytes", code, n)
	}
	if code, _ := post("10.0.0.2:1", map[string]string{"Authorization": "Bearer x"}); code != 200 || len(sawBody) != len(body) {
		t.Errorf("authenticated: %d, Authorize saw %d bytes", code, len(sawBody))
	}
}

// The bytes buffered by all requests in flight together are capped: over
// the budget a request gets 503 with Retry-After before its body is read,
// and the budget comes back when requests end.
func TestInflightBodyBudget(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	hold := make(chan struct{})
	entered := make(chan struct{}, 10)
	h := Handler(srv, Options{
		MaxBodyBytes:         64 << 10,
		MaxInflightBodyBytes: 200 << 10,
		Authorize: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				entered <- struct{}{}
				<-hold // the body stays buffered while the call runs
				next.ServeHTTP(w, r)
			})
		},
	})
	body := `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", 60<<10) + `"}}`
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { do(t, h, "POST", "/mcp", body, nil) })
	}
	for range 3 {
		<-entered
	}
	// 3 x ~60 KiB held; a fourth does not fit in 200 KiB.
	rec, _ := do(t, h, "POST", "/mcp", body, nil)
	if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("over the budget: %d", rec.Code)
	}
	close(hold)
	wg.Wait()
	go func() {
		for range entered {
		}
	}()
	if rec, _ := do(t, h, "POST", "/mcp", body, nil); rec.Code != 200 {
		t.Errorf("after the others ended: %d", rec.Code)
	}
	close(entered)
}

// Chunked bodies (no Content-Length) are budgeted as they are read.
func TestInflightBudgetChunked(t *testing.T) {
	b := &budget{max: 100 << 10}
	req := httptest.NewRequest("POST", "/mcp", io.MultiReader(strings.NewReader(strings.Repeat("x", 200<<10))))
	req.ContentLength = -1
	_, taken, err := readBody(req, 1<<20, b)
	if !errors.Is(err, errOverBudget) {
		t.Fatalf("chunked body over the budget: %v", err)
	}
	b.give(taken)
	if b.used.Load() != 0 {
		t.Errorf("budget not given back: %d", b.used.Load())
	}
}

func TestClientAddrTrustedProxies(t *testing.T) {
	proxies, err := ParseTrustedProxies([]string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTrustedProxies([]string{"not-a-cidr"}); err == nil {
		t.Error("bad entry accepted")
	}
	for _, tc := range []struct {
		remote string
		hdr    map[string]string
		want   string
	}{
		{"203.0.113.9:1", map[string]string{"X-Forwarded-For": "1.2.3.4"}, "203.0.113.9"},             // untrusted peer: header ignored
		{"10.1.1.1:1", map[string]string{"X-Forwarded-For": "1.2.3.4"}, "1.2.3.4"},                    // trusted proxy
		{"10.1.1.1:1", map[string]string{"X-Forwarded-For": "6.6.6.6, 1.2.3.4"}, "1.2.3.4"},           // spoofed left entry ignored
		{"10.1.1.1:1", map[string]string{"X-Forwarded-For": "6.6.6.6, 1.2.3.4, 10.9.9.9"}, "1.2.3.4"}, // two trusted hops
		{"10.1.1.1:1", map[string]string{"X-Forwarded-For": "10.2.2.2, 192.0.2.7"}, "10.2.2.2"},       // all trusted: leftmost
		{"10.1.1.1:1", nil, "10.1.1.1"}, // no header
		{"10.1.1.1:1", map[string]string{"Forwarded": `for=6.6.6.6, for="[2001:db9::1]:4711"`}, "2001:db9::1"}, // RFC 7239
		{"[2001:db8::5]:1", map[string]string{"Forwarded": "for=1.2.3.4;proto=https"}, "1.2.3.4"},
		{"10.1.1.1:1", map[string]string{"X-Forwarded-For": "5.5.5.5", "Forwarded": "for=6.6.6.6"}, "5.5.5.5"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = tc.remote
		for k, v := range tc.hdr {
			req.Header.Set(k, v)
		}
		if got := ClientAddr(req, proxies); got != tc.want {
			t.Errorf("%s %v: %s, want %s", tc.remote, tc.hdr, got, tc.want)
		}
	}
}

// Behind a trusted proxy, the per-address limit and the client identity
// use the forwarded client, so one client's flood does not limit another.
func TestPerAddressLimitBehindProxy(t *testing.T) {
	proxies, _ := ParseTrustedProxies([]string{"10.0.0.0/8"})
	var seen []string
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	h := Handler(srv, Options{RequestsPerSecond: 1, RequestBurst: 2, TrustedProxies: proxies,
		Authorize: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = append(seen, r.Header.Get(ratelimit.ClientHeader))
				next.ServeHTTP(w, r)
			})
		}})
	ping := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	post := func(xff string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, mcpRequest("POST", "/mcp", strings.NewReader(ping), "10.0.0.2:5555", map[string]string{"X-Forwarded-For": xff}))
		return rec.Code
	}
	for range 5 {
		post("198.51.100.1")
	}
	if c := post("198.51.100.2"); c != 200 {
		t.Errorf("second client behind the same proxy: %d", c)
	}
	if c := post("198.51.100.1"); c != 429 {
		t.Errorf("flooding client: %d", c)
	}
	if seen[len(seen)-1] != "198.51.100.2" {
		t.Errorf("client header: %v", seen)
	}
}

// One address holds at most MaxConnsPerAddr connections and
// MaxIdleConnsPerAddr idle ones.
func TestConnectionsPerAddress(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serveHTTP(ctx, srv, Options{Addr: "127.0.0.1:0", MaxConnsPerAddr: 4, MaxIdleConnsPerAddr: 2, Listening: func(a string) { addrc <- a }})
	}()
	addr := <-addrc
	// Open connections that send nothing: the fifth is closed at once.
	var conns []net.Conn
	for range 5 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	conns[4].SetReadDeadline(time.Now().Add(2 * time.Second))
	var ne net.Error
	if _, err := conns[4].Read(make([]byte, 1)); err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Errorf("fifth connection from one address was kept open: %v", err)
	}
	for _, c := range conns {
		c.Close()
	}
	// Keep-alive: after a request each connection goes idle; beyond two
	// idle ones per address the server closes them.
	var alive atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		// From another loopback address: the closed ones above may not be
		// counted down yet.
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		wg.Go(func() {
			defer c.Close()
			buf := make([]byte, 4096)
			c.SetReadDeadline(time.Now().Add(time.Second))
			n, _ := c.Read(buf) // the response
			if !strings.Contains(string(buf[:n]), "200 OK") {
				return
			}
			// Then either the server closes it (EOF) or it stays idle
			// until our deadline.
			if _, err := c.Read(buf); err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					alive.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := alive.Load(); n > 2 {
		t.Errorf("%d idle connections kept for one address, want at most 2", n)
	}
	cancel()
	<-done
}

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// startProxy starts two backends (backend(0), backend(1)) and the proxy
// over them; all are closed when the test ends.
func startProxy(t *testing.T, backend func(i int) http.HandlerFunc) *httptest.Server {
	t.Helper()
	var urls []string
	for i := range 2 {
		b := httptest.NewServer(backend(i))
		t.Cleanup(b.Close)
		urls = append(urls, b.URL)
	}
	h, err := newHandler(urls, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p := httptest.NewServer(h)
	t.Cleanup(p.Close)
	return p
}

func TestRoundRobin(t *testing.T) {
	p := startProxy(t, func(i int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "replica-%d", i) }
	})
	var got []string
	for range 4 {
		resp, err := http.Post(p.URL+"/mcp", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, string(b))
	}
	if fmt.Sprint(got) != "[replica-0 replica-1 replica-0 replica-1]" {
		t.Fatalf("requests went to %v, want strict alternation", got)
	}
	resp, err := http.Get(p.URL + "/_proxy/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Backends []struct{ Requests, Errors int64 }
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	for i, b := range st.Backends {
		if b.Requests != 2 || b.Errors != 0 {
			t.Errorf("backend %d: %+v, want 2 requests and no errors", i, b)
		}
	}
}

func TestNeedsTwoBackends(t *testing.T) {
	if _, err := newHandler([]string{"http://127.0.0.1:1"}, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("one backend accepted")
	}
}

// TestResponsesWholeAfterBody: a POST with a small body whose response is
// large and streamed must arrive whole every time. With the request body
// streamed through, net/http's post-header discard closed the inbound body
// under the transport's final EOF read, and the transport cut the
// connection to the backend mid-response (the replica check in .ci/run
// failed on it with "terminated"). On 2 cores this test failed 5 of 6 runs
// against that proxy; the race needs no special backend, only timing.
func TestResponsesWholeAfterBody(t *testing.T) {
	chunk := strings.Repeat("x", 1024)
	const chunks = 24
	p := startProxy(t, func(int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			for i := range chunks {
				io.WriteString(w, chunk)
				if i == 0 {
					w.(http.Flusher).Flush()
				}
			}
		}
	})
	// Each request's body goes in its own write after the header, as Node's
	// fetch sends it, so the proxy reads it from the socket while proxying;
	// many clients at once widen the race's window.
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}`
	// More Ps than cores let the OS preempt the transport's write goroutine
	// right after it sent the body, which is when the race bites.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4 * runtime.NumCPU()))
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			c, err := net.Dial("tcp", p.Listener.Addr().String())
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			br := bufio.NewReader(c)
			for i := range 300 {
				fmt.Fprintf(c, "POST /mcp HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
					p.Listener.Addr(), len(body))
				io.WriteString(c, body)
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					errs <- fmt.Errorf("request %d: %v", i, err)
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || len(b) != chunks*len(chunk) {
					errs <- fmt.Errorf("request %d: read %d of %d bytes, error %v", i, len(b), chunks*len(chunk), err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

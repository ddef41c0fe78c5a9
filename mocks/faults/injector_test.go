package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// backend is a tiny JSON API that counts the requests it serves.
type backend struct{ served atomic.Int64 }

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.served.Add(1)
	body, _ := io.ReadAll(r.Body)
	resp, _ := json.Marshal(map[string]any{"ok": true, "path": r.URL.Path, "echo": string(body), "items": strings.Repeat("abc", 200)})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Backend", "yes")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(resp)
}

// firedHandler is a slog.Handler that signals every injected fault, so
// tests can wait for a request to be parked in a fault without sleeping.
type firedHandler struct{ ch chan string }

func (h firedHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h firedHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "fault injected" {
		h.ch <- r.Message
	}
	return nil
}
func (h firedHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h firedHandler) WithGroup(string) slog.Handler      { return h }

type env struct {
	in    *Injector
	be    *backend
	srv   *httptest.Server
	fired chan string
}

func newEnv(t *testing.T, spec string, opts Options) *env {
	t.Helper()
	rules, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{be: &backend{}, fired: make(chan string, 16)}
	opts.Logger = slog.New(firedHandler{e.fired})
	e.in = New(rules, opts)
	e.srv = httptest.NewServer(e.in.Wrap(e.be))
	t.Cleanup(func() { e.in.Close(); e.srv.Close() })
	return e
}

// client returns a client that never reuses connections, so a broken
// connection is never retried by net/http.
func (e *env) client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

func (e *env) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	res, err := e.client(10 * time.Second).Get(e.srv.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s body: %v", path, err)
	}
	return res, b
}

func TestNoRulePassesThrough(t *testing.T) {
	e := newEnv(t, "/other=status:500", Options{})
	res, b := e.get(t, "/x")
	if res.StatusCode != 201 || !json.Valid(b) || res.Header.Get(HeaderFault) != "" {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
}

func TestLatency(t *testing.T) {
	e := newEnv(t, "/slow=latency:80ms", Options{})
	start := time.Now()
	res, _ := e.get(t, "/slow")
	if el := time.Since(start); el < 80*time.Millisecond || res.StatusCode != 201 {
		t.Fatalf("status %d after %v", res.StatusCode, el)
	}

	// A client that gives up during the delay: the backend is never called.
	e2 := newEnv(t, "*=latency:1h", Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e2.srv.URL+"/x", nil)
	if _, err := e2.client(0).Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	e2.srv.Close() // waits for the handler to return
	if n := e2.be.served.Load(); n != 0 {
		t.Errorf("backend served %d requests", n)
	}
}

func TestStatus(t *testing.T) {
	e := newEnv(t, "/a=status:503; /b=status:500; /c=status:418", Options{})
	for path, want := range map[string]struct {
		status int
		code   string
	}{"/a": {503, "unavailable"}, "/b": {500, "internal"}, "/c": {418, "i_m_a_teapot"}} {
		res, b := e.get(t, path)
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(b, &body); err != nil || res.StatusCode != want.status || body.Error.Code != want.code ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || res.Header.Get(HeaderFault) == "" {
			t.Errorf("%s: %d %s %v", path, res.StatusCode, b, err)
		}
	}
	if e.be.served.Load() != 0 {
		t.Error("backend was called")
	}
}

func TestTooManyRequests(t *testing.T) {
	now := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	e := newEnv(t, "/secs=429:7; /bare=429; /date=429date:30", Options{Now: func() time.Time { return now }})
	res, b := e.get(t, "/secs")
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "7" || !strings.Contains(string(b), "rate_limited") {
		t.Errorf("secs: %d %v %s", res.StatusCode, res.Header, b)
	}
	res, _ = e.get(t, "/bare")
	if _, ok := res.Header["Retry-After"]; res.StatusCode != 429 || ok {
		t.Errorf("bare: %d %v", res.StatusCode, res.Header)
	}
	res, _ = e.get(t, "/date")
	if got := res.Header.Get("Retry-After"); res.StatusCode != 429 || got != "Mon, 06 May 2030 07:08:39 GMT" {
		t.Errorf("date: %d %q", res.StatusCode, got)
	}
	if at, err := http.ParseTime(res.Header.Get("Retry-After")); err != nil || at.Sub(now) != 30*time.Second {
		t.Errorf("date parses to %v %v", at, err)
	}
}

func isConnDrop(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset")
}

func TestReset(t *testing.T) {
	e := newEnv(t, "/r=reset", Options{})
	_, err := e.client(10*time.Second).Post(e.srv.URL+"/r", "application/json", strings.NewReader(`{"a":1}`))
	if err == nil || !isConnDrop(err) {
		t.Fatalf("err = %v, want a dropped connection", err)
	}
	t.Logf("reset error: %v (ECONNRESET: %v)", err, errors.Is(err, syscall.ECONNRESET))
	if e.be.served.Load() != 0 {
		t.Error("reset must not reach the backend")
	}
}

func TestResetAfter(t *testing.T) {
	e := newEnv(t, "POST /w=reset-after#1", Options{})
	_, err := e.client(10*time.Second).Post(e.srv.URL+"/w", "application/json", strings.NewReader(`{"a":1}`))
	if err == nil || !isConnDrop(err) {
		t.Fatalf("err = %v", err)
	}
	if n := e.be.served.Load(); n != 1 {
		t.Fatalf("backend served %d, want 1 (the write happened)", n)
	}
	// #1: the retry goes through.
	res, err := e.client(10*time.Second).Post(e.srv.URL+"/w", "application/json", strings.NewReader(`{"a":1}`))
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("retry: %v", err)
	}
	res.Body.Close()
}

func TestHang(t *testing.T) {
	e := newEnv(t, "/h=hang; POST /ha=hang-after", Options{})
	for _, c := range []struct {
		method, path string
		served       int64
	}{{"GET", "/h", 0}, {"POST", "/ha", 1}} {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, c.method, e.srv.URL+c.path, strings.NewReader(`{"x":1}`))
		errc := make(chan error, 1)
		go func() {
			_, err := e.client(0).Do(req)
			errc <- err
		}()
		<-e.fired // the request is parked in the fault
		select {
		case err := <-errc:
			t.Fatalf("%s: answered while hanging: %v", c.path, err)
		default:
		}
		cancel() // the client gives up
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context canceled", c.path, err)
		}
	}
	e.srv.Close() // returns only once the hung handlers noticed the clients left
	if n := e.be.served.Load(); n != 1 {
		t.Errorf("backend served %d, want 1 (hang-after only)", n)
	}
}

func TestCloseReleasesHang(t *testing.T) {
	e := newEnv(t, "*=hang", Options{})
	errc := make(chan error, 1)
	go func() {
		_, err := e.client(30 * time.Second).Get(e.srv.URL + "/x")
		errc <- err
	}()
	<-e.fired // the request is parked in the hang
	e.in.Close()
	if err := <-errc; err == nil || !isConnDrop(err) {
		t.Fatalf("released hang: err = %v, want a dropped connection", err)
	}
}

func TestMalformed(t *testing.T) {
	e := newEnv(t, "*=malformed", Options{})
	res, b := e.get(t, "/m")
	if res.StatusCode != 200 || json.Valid(b) || len(b) == 0 || res.Header.Get("Content-Length") != strconv.Itoa(len(b)) {
		t.Fatalf("%d valid=%v %q", res.StatusCode, json.Valid(b), b)
	}
	if !strings.HasPrefix(string(b), `{"echo":""`) || res.Header.Get("X-Backend") != "yes" {
		t.Errorf("want the real body truncated: %q %v", b, res.Header)
	}
	for _, body := range []string{"", "123456", `{"a":1}`, "[]", "\n"} {
		if out := malformed([]byte(body)); json.Valid(out) {
			t.Errorf("malformed(%q) = %q is valid JSON", body, out)
		}
	}
}

func TestOversize(t *testing.T) {
	e := newEnv(t, "*=oversize:20MB", Options{})
	res, err := e.client(30 * time.Second).Get(e.srv.URL + "/big")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, res.Body)
	if err != nil || n != 20<<20 || res.ContentLength != 20<<20 || res.StatusCode != 200 {
		t.Fatalf("read %d bytes (Content-Length %d, status %d): %v", n, res.ContentLength, res.StatusCode, err)
	}
	var doc struct {
		Customers []map[string]any `json:"customers"`
		Oversize  bool             `json:"oversize"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || !doc.Oversize || len(doc.Customers) < 1000 {
		t.Fatalf("not a valid document: %v (%d customers)", err, len(doc.Customers))
	}
	for _, size := range []int64{2, 3, 31, 32, 33, 100, 250, 251, 252, 4096, 100_003} {
		var b bytes.Buffer
		if err := WriteOversize(&b, size); err != nil || int64(b.Len()) != size || !json.Valid(b.Bytes()) {
			t.Errorf("WriteOversize(%d): len %d valid %v err %v", size, b.Len(), json.Valid(b.Bytes()), err)
		}
	}
}

func TestSlowBody(t *testing.T) {
	e := newEnv(t, "*=slowbody:300ms", Options{})
	start := time.Now()
	res, err := e.client(10 * time.Second).Get(e.srv.URL + "/s")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	headers := time.Since(start)
	var reads int
	var body []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := res.Body.Read(buf)
		if n > 0 {
			reads++
			body = append(body, buf[:n]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	total := time.Since(start)
	if res.StatusCode != 201 || !json.Valid(body) || total < 280*time.Millisecond || headers > total/2 || reads < 4 {
		t.Errorf("status %d valid %v headers after %v, body after %v, %d reads", res.StatusCode, json.Valid(body), headers, total, reads)
	}

	// A client timeout during the slow body fails the read.
	e2 := newEnv(t, "*=slowbody:1h", Options{})
	res, err = e2.client(150 * time.Millisecond).Get(e2.srv.URL + "/s")
	if err == nil {
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	if err == nil {
		t.Error("want a timeout reading the slow body")
	}
}

// firePattern runs n sequential requests through a fresh injector.
func firePattern(t *testing.T, spec string, seed uint64, n int) string {
	t.Helper()
	in, err := NewFromSpec(spec, Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	h := in.Wrap(&backend{})
	var b strings.Builder
	for range n {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
		if rec.Code == 500 {
			b.WriteByte('F')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

func TestProbabilityIsSeeded(t *testing.T) {
	a := firePattern(t, "*=status:500@0.5", 0, 200)
	b := firePattern(t, "*=status:500@0.5", 0, 200)
	c := firePattern(t, "*=status:500@0.5", 99, 200)
	if a != b {
		t.Fatalf("same seed, different patterns:\n%s\n%s", a, b)
	}
	if a == c {
		t.Errorf("different seeds, same pattern")
	}
	if n := strings.Count(a, "F"); n < 70 || n > 130 {
		t.Errorf("fired %d/200 at p=0.5", n)
	}
	if p := firePattern(t, "*=status:500@0", 0, 50); strings.Contains(p, "F") {
		t.Errorf("p=0 fired: %s", p)
	}
	if p := firePattern(t, "*=status:500@0.5#3", 0, 100); strings.Count(p, "F") != 3 {
		t.Errorf("count 3 with p=0.5: %s", p)
	}
}

func TestCountAndOrder(t *testing.T) {
	if p := firePattern(t, "*=status:500#2", 0, 5); p != "FF..." {
		t.Errorf("#2: %s", p)
	}
	in, _ := NewFromSpec("/a=status:500#1; GET *=status:502; POST *=status:503", Options{})
	h := in.Wrap(&backend{})
	codes := func(method, path string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec.Code
	}
	got := []int{codes("GET", "/a"), codes("GET", "/a"), codes("GET", "/b"), codes("POST", "/a"), codes("PUT", "/a")}
	if want := []int{500, 502, 502, 503, 201}; !equalInts(got, want) {
		t.Errorf("codes %v, want %v", got, want)
	}
	st := in.Rules()
	if st[0].Matched != 4 || st[0].Fired != 1 || st[1].Fired != 2 || st[2].Fired != 1 {
		t.Errorf("rule stats %+v", st)
	}
	// Replacing the rules resets counters and PRNGs.
	in.SetRules(nil)
	if codes("GET", "/a") != 201 || len(in.Rules()) != 0 {
		t.Error("cleared rules still fire")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestControlHandler(t *testing.T) {
	in := New(nil, Options{})
	srv := httptest.NewServer(in.ControlHandler())
	defer srv.Close()
	do := func(method, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL, strings.NewReader(body))
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := do("GET", ""); code != 200 || !strings.Contains(body, `"rules":[]`) {
		t.Errorf("GET empty: %d %s", code, body)
	}
	code, body := do("PUT", "/crm/*=status:503@0.5#2; POST */notes=reset-after")
	var got struct {
		Spec  string
		Rules []RuleStatus
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 || len(got.Rules) != 2 ||
		got.Rules[0].Fault != "status:503" || got.Rules[0].Count != 2 || got.Rules[0].Prob != 0.5 || got.Rules[1].Method != "POST" {
		t.Fatalf("PUT: %d %s", code, body)
	}
	if got.Spec != "/crm/*=status:503@0.5#2;POST */notes=reset-after" {
		t.Errorf("spec = %q", got.Spec)
	}
	code, body = do("PUT", "/ok=reset; /bad=explode")
	if code != 400 || !strings.Contains(body, `rule 2`) || !strings.Contains(body, "/bad=explode") || len(in.Rules()) != 2 {
		t.Errorf("bad PUT: %d %s (rules kept: %d)", code, body, len(in.Rules()))
	}
	if code, _ := do("DELETE", ""); code != 200 || len(in.Rules()) != 0 {
		t.Error("DELETE did not clear")
	}
	do("POST", "*=hang")
	if code, _ := do("PUT", ""); code != 200 || len(in.Rules()) != 0 {
		t.Error("empty PUT did not clear")
	}
	if code, _ := do("PATCH", ""); code != 405 {
		t.Errorf("PATCH: %d", code)
	}
}

package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HeaderFault is set on responses produced or altered by a fault (not on
// resets and hangs, which send nothing).
const HeaderFault = "X-Mock-Fault"

// DefaultSeed seeds the per-rule PRNGs when Options.Seed is 0.
const DefaultSeed = 1

// Options configures an Injector.
type Options struct {
	Seed   uint64           // PRNG seed for probabilities; 0 = DefaultSeed
	Now    func() time.Time // clock for 429date; nil = time.Now
	Logger *slog.Logger     // logs each injected fault at Debug; nil = silent
}

type liveRule struct {
	Rule
	rng     *rand.Rand
	matched int64
	fired   int64
}

// Injector is fault-injection middleware whose rules can be replaced at
// run time. It is safe for concurrent use.
type Injector struct {
	opts  Options
	mu    sync.Mutex
	rules []*liveRule
	done  chan struct{}
	close sync.Once
}

// New returns an Injector with the given rules.
func New(rules []Rule, opts Options) *Injector {
	if opts.Seed == 0 {
		opts.Seed = DefaultSeed
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	in := &Injector{opts: opts, done: make(chan struct{})}
	in.SetRules(rules)
	return in
}

// NewFromSpec parses spec and returns an Injector.
func NewFromSpec(spec string, opts Options) (*Injector, error) {
	rules, err := Parse(spec)
	if err != nil {
		return nil, err
	}
	return New(rules, opts), nil
}

// SetRules replaces all rules and resets their counters and PRNGs, so the
// same rules installed twice behave identically.
func (in *Injector) SetRules(rules []Rule) {
	live := make([]*liveRule, len(rules))
	for i, r := range rules {
		live[i] = &liveRule{Rule: r, rng: rand.New(rand.NewPCG(in.opts.Seed, uint64(i)+1))}
	}
	in.mu.Lock()
	in.rules = live
	in.mu.Unlock()
}

// SetSpec parses spec and replaces the rules; on error the rules are kept.
func (in *Injector) SetSpec(spec string) error {
	rules, err := Parse(spec)
	if err != nil {
		return err
	}
	in.SetRules(rules)
	return nil
}

// RuleStatus describes an installed rule and how often it matched/fired.
type RuleStatus struct {
	Rule    string  `json:"rule"`
	Method  string  `json:"method,omitempty"`
	Path    string  `json:"path"`
	Fault   string  `json:"fault"`
	Prob    float64 `json:"prob"`
	Count   int     `json:"count,omitempty"`
	Matched int64   `json:"matched"`
	Fired   int64   `json:"fired"`
}

// Rules returns the installed rules with their counters.
func (in *Injector) Rules() []RuleStatus {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]RuleStatus, 0, len(in.rules))
	for _, r := range in.rules {
		out = append(out, RuleStatus{Rule: r.String(), Method: r.Method, Path: r.Path, Fault: r.FaultString(),
			Prob: r.Prob, Count: r.Count, Matched: r.matched, Fired: r.fired})
	}
	return out
}

// Spec returns the installed rules in canonical syntax.
func (in *Injector) Spec() string {
	var parts []string
	for _, r := range in.Rules() {
		parts = append(parts, r.Rule)
	}
	return strings.Join(parts, ";")
}

// Close releases every hanging and delayed request (hangs end with an
// aborted connection, delays proceed at once). Use it before
// http.Server.Shutdown. The injector still works afterwards, but hang
// faults no longer block.
func (in *Injector) Close() { in.close.Do(func() { close(in.done) }) }

// pick returns the first rule that fires for r, or nil.
func (in *Injector) pick(r *http.Request) *Rule {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, lr := range in.rules {
		if !lr.Matches(r.Method, r.URL.Path) {
			continue
		}
		lr.matched++
		if lr.Count > 0 && lr.fired >= int64(lr.Count) {
			continue
		}
		if lr.Prob < 1 && lr.rng.Float64() >= lr.Prob {
			continue
		}
		lr.fired++
		rule := lr.Rule
		return &rule
	}
	return nil
}

// Wrap returns next with faults applied.
func (in *Injector) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rule := in.pick(r)
		if rule == nil {
			next.ServeHTTP(w, r)
			return
		}
		if in.opts.Logger != nil {
			in.opts.Logger.Debug("fault injected", "method", r.Method, "path", r.URL.Path, "rule", rule.String())
		}
		in.apply(rule, next, w, r)
	})
}

func (in *Injector) apply(rule *Rule, next http.Handler, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	switch rule.Kind {
	case Latency:
		t := time.NewTimer(rule.Duration)
		defer t.Stop()
		select {
		case <-t.C:
		case <-in.done:
		case <-ctx.Done():
			return
		}
		next.ServeHTTP(w, r)

	case Status:
		w.Header().Set(HeaderFault, rule.FaultString())
		writeError(w, rule.Status, codeFor(rule.Status), fmt.Sprintf("injected fault: HTTP %d", rule.Status))

	case TooMany, TooManyAt:
		w.Header().Set(HeaderFault, rule.FaultString())
		switch {
		case rule.Kind == TooManyAt:
			w.Header().Set("Retry-After", in.opts.Now().Add(time.Duration(rule.RetryAfter)*time.Second).UTC().Format(http.TimeFormat))
		case rule.RetryAfter >= 0:
			w.Header().Set("Retry-After", strconv.Itoa(rule.RetryAfter))
		}
		writeError(w, http.StatusTooManyRequests, "rate_limited", "injected fault: too many requests")

	case Reset:
		drain(r)
		abortConn(w)

	case ResetAfter:
		serveBuffered(next, w, r)
		abortConn(w)

	case Hang:
		drain(r)
		in.hang(ctx)

	case HangAfter:
		serveBuffered(next, w, r)
		in.hang(ctx)

	case Malformed:
		rec := serveBuffered(next, w, r)
		body := malformed(rec.buf.Bytes())
		copyHeader(w.Header(), rec.header)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set(HeaderFault, rule.FaultString())
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)

	case Oversize:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.FormatInt(rule.Size, 10))
		w.Header().Set(HeaderFault, rule.FaultString())
		w.WriteHeader(http.StatusOK)
		_ = WriteOversize(w, rule.Size)

	case SlowBody:
		rec := serveBuffered(next, w, r)
		copyHeader(w.Header(), rec.header)
		body := rec.buf.Bytes()
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set(HeaderFault, rule.FaultString())
		w.WriteHeader(rec.status)
		in.writeSlowly(w, r, body, rule.Duration)

	default:
		writeError(w, http.StatusInternalServerError, "internal", "unknown fault "+string(rule.Kind))
	}
}

// hang blocks until the client goes away (or Close), then aborts the
// connection so that no response is ever sent.
func (in *Injector) hang(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-in.done:
	}
	panic(http.ErrAbortHandler)
}

// drain reads the request body so the server can notice a client that
// disconnects (net/http cancels the request context only once the body is
// consumed).
func drain(r *http.Request) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20))
	}
}

// abortConn drops the client connection without a response: hijack and
// close with SO_LINGER=0 (TCP RST) when possible; otherwise abort the
// handler, which makes net/http close the connection (HTTP/1) or reset the
// stream (HTTP/2), and makes mocks.Transport return a connection-reset error.
func abortConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	c := conn
	if nc, ok := c.(interface{ NetConn() net.Conn }); ok { // *tls.Conn
		c = nc.NetConn()
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func (in *Injector) writeSlowly(w http.ResponseWriter, r *http.Request, body []byte, d time.Duration) {
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	chunks := min(len(body), 16)
	if chunks == 0 {
		chunks = 1
	}
	step := d / time.Duration(chunks)
	size := (len(body) + chunks - 1) / chunks
	t := time.NewTimer(step)
	defer t.Stop()
	for i := 0; i < chunks; i++ {
		select {
		case <-t.C:
		case <-in.done:
		case <-r.Context().Done():
			return
		}
		lo := min(i*size, len(body))
		hi := min(lo+size, len(body))
		if _, err := w.Write(body[lo:hi]); err != nil {
			return
		}
		_ = rc.Flush()
		t.Reset(step)
	}
}

// malformed truncates a response body so that it is no longer valid JSON.
func malformed(body []byte) []byte {
	body = bytes.TrimRight(body, "\n")
	out := append([]byte(nil), body[:len(body)/2]...)
	if len(out) == 0 {
		out = []byte(`{"data":`)
	}
	if json.Valid(out) {
		out = append(out, `{"`...)
	}
	return out
}

// WriteOversize writes a syntactically valid JSON document of exactly size
// bytes (size >= 2) that looks like a customer search result:
// {"customers":[{...},{...},...   ],"oversize":true}.
func WriteOversize(w io.Writer, size int64) error {
	const prefix, suffix = `{"customers":[`, `],"oversize":true}`
	if size < int64(len(prefix)+len(suffix)) {
		_, err := io.WriteString(w, "{}"+strings.Repeat(" ", int(size-2)))
		return err
	}
	pad := strings.Repeat("x", 180)
	bw := newChunkWriter(w, 32<<10)
	remaining := size - int64(len(prefix)+len(suffix))
	bw.WriteString(prefix)
	for i := 0; ; i++ {
		rec := fmt.Sprintf(`{"id":"C-9%06d","name":"Oversize Filler","company":"Bloat Industries","padding":"%s"}`, i%1000000, pad)
		if i > 0 {
			rec = "," + rec
		}
		if int64(len(rec)) > remaining {
			break
		}
		bw.WriteString(rec)
		remaining -= int64(len(rec))
		if bw.err != nil {
			return bw.err
		}
	}
	for remaining > 0 {
		n := min(remaining, 4096)
		bw.WriteString(strings.Repeat(" ", int(n)))
		remaining -= n
	}
	bw.WriteString(suffix)
	bw.Flush()
	return bw.err
}

type chunkWriter struct {
	w   io.Writer
	buf []byte
	n   int
	err error
}

func newChunkWriter(w io.Writer, n int) *chunkWriter {
	return &chunkWriter{w: w, buf: make([]byte, 0, n), n: n}
}

func (c *chunkWriter) WriteString(s string) {
	if c.err != nil {
		return
	}
	c.buf = append(c.buf, s...)
	if len(c.buf) >= c.n {
		c.Flush()
	}
}

func (c *chunkWriter) Flush() {
	if c.err != nil || len(c.buf) == 0 {
		return
	}
	_, c.err = c.w.Write(c.buf)
	c.buf = c.buf[:0]
}

// bufferWriter records a response in memory.
type bufferWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.buf.Write(p)
}
func (b *bufferWriter) Flush() {}

// serveBuffered runs next with the response captured in memory; the request
// body is drained afterwards.
func serveBuffered(next http.Handler, w http.ResponseWriter, r *http.Request) *bufferWriter {
	rec := &bufferWriter{header: w.Header().Clone()}
	next.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	drain(r)
	return rec
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		if k == "Content-Length" {
			continue
		}
		dst[k] = append([]string(nil), v...)
	}
}

func codeFor(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusInternalServerError:
		return "internal"
	case http.StatusBadGateway:
		return "bad_gateway"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusGatewayTimeout:
		return "gateway_timeout"
	}
	t := strings.ToLower(http.StatusText(status))
	if t == "" {
		return "error"
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return '_'
	}, t)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string]map[string]string{"error": {"code": code, "message": msg}})
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// ControlHandler serves the runtime control endpoint (mounted at /_faults):
//
//	GET          current rules as JSON {"spec": "...", "rules": [...]}
//	PUT, POST    body = SPEC text; replaces all rules (empty body clears)
//	DELETE       clears all rules
//
// Parse errors are 400 with a JSON error naming the bad rule.
func (in *Injector) ControlHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodPut, http.MethodPost:
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
			if err != nil {
				writeError(w, http.StatusBadRequest, "bad_request", "reading spec: "+err.Error())
				return
			}
			if err := in.SetSpec(string(b)); err != nil {
				writeError(w, http.StatusBadRequest, "bad_request", err.Error())
				return
			}
		case http.MethodDelete:
			in.SetRules(nil)
		default:
			w.Header().Set("Allow", "GET, PUT, POST, DELETE")
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use GET, PUT, POST or DELETE")
			return
		}
		rules := in.Rules()
		b, _ := json.Marshal(struct {
			Spec  string       `json:"spec"`
			Rules []RuleStatus `json:"rules"`
		}{in.Spec(), rules})
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(append(b, '\n'))
	})
}

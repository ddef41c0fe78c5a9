package mocks

import (
	"maps"
	"net/http"
	"strings"
	"sync"

	"github.com/bizmcp/bizmcp/mocks/internal/apijson"
)

// Stats is a snapshot of the request counters (GET /_stats).
type Stats struct {
	// Requests is the number of requests that reached the domains (control
	// endpoints and the index are not counted), faulted or not.
	Requests int64 `json:"requests"`
	// Paths counts requests per URL path, e.g. "/crm/customers/C-1001".
	Paths map[string]int64 `json:"paths"`
	// Routes counts requests per "METHOD path".
	Routes map[string]int64 `json:"routes"`
	// Writes counts committed writes per "METHOD path" (see DomainStats.Writes).
	Writes map[string]int64 `json:"writes"`
	// Domains holds per-domain counters; every mounted domain is present.
	Domains map[string]DomainStats `json:"domains"`
}

// DomainStats are the counters of one domain.
type DomainStats struct {
	Requests int64 `json:"requests"`
	// Writes counts POST/PUT/PATCH/DELETE requests the domain handler
	// answered 2xx without Idempotent-Replayed: true, i.e. writes that took
	// effect. Writes whose response a fault then discarded (reset-after,
	// hang-after) are counted: they did happen.
	Writes int64 `json:"writes"`
	// Replays counts idempotent replays (Idempotent-Replayed: true).
	Replays int64 `json:"replays"`
	// RejectedWrites counts write requests the handler answered non-2xx.
	RejectedWrites int64 `json:"rejected_writes"`
}

type statsRecorder struct {
	mu sync.Mutex
	s  Stats
	// names of mounted domains, so they always appear in snapshots
	names []string
}

func newStatsRecorder() *statsRecorder {
	r := &statsRecorder{}
	r.reset()
	return r
}

func (r *statsRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s = Stats{Paths: map[string]int64{}, Routes: map[string]int64{}, Writes: map[string]int64{}, Domains: map[string]DomainStats{}}
	for _, n := range r.names {
		r.s.Domains[n] = DomainStats{}
	}
}

func (r *statsRecorder) snapshot() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.s
	out.Paths = maps.Clone(r.s.Paths)
	out.Routes = maps.Clone(r.s.Routes)
	out.Writes = maps.Clone(r.s.Writes)
	out.Domains = maps.Clone(r.s.Domains)
	return out
}

// countRequests counts every request on entry (before faults).
func (r *statsRecorder) countRequests(domains []string, next http.Handler) http.Handler {
	r.mu.Lock()
	r.names = domains
	for _, n := range domains {
		r.s.Domains[n] = DomainStats{}
	}
	r.mu.Unlock()
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p := req.URL.Path
		domain, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
		r.mu.Lock()
		r.s.Requests++
		r.s.Paths[p]++
		r.s.Routes[req.Method+" "+p]++
		if d, ok := r.s.Domains[domain]; ok {
			d.Requests++
			r.s.Domains[domain] = d
		}
		r.mu.Unlock()
		next.ServeHTTP(w, req)
	})
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// countWrites wraps a domain handler (inside the fault injector) and counts
// the writes it answers. A write is counted when its status is written,
// before any byte of the response reaches the client: a client that has
// read the whole response (a declared length needs no EOF) and asks for
// the stats at once finds it counted.
func (r *statsRecorder) countWrites(domain string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !isWrite(req.Method) {
			next.ServeHTTP(w, req)
			return
		}
		route := req.Method + " /" + domain + req.URL.Path
		sw := &statusWriter{ResponseWriter: w, onStatus: func(status int) { r.countWrite(domain, route, status, w.Header()) }}
		next.ServeHTTP(sw, req)
		// A handler that returns without writing answers 200. One that
		// panics (e.g. http.ErrAbortHandler) before answering is not
		// counted: nothing was answered.
		sw.decide(http.StatusOK)
	})
}

func (r *statsRecorder) countWrite(domain, route string, status int, h http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.s.Domains[domain]
	switch {
	case status < 200 || status > 299:
		d.RejectedWrites++
	case h.Get("Idempotent-Replayed") == "true":
		d.Replays++
	default:
		d.Writes++
		r.s.Writes[route]++
	}
	r.s.Domains[domain] = d
}

// statusWriter tells onStatus, once, the final status of the response
// before the header goes out.
type statusWriter struct {
	http.ResponseWriter
	status   int
	onStatus func(int)
}

func (s *statusWriter) decide(code int) {
	if s.status != 0 {
		return
	}
	s.status = code
	if s.onStatus != nil {
		s.onStatus(code)
	}
}

func (s *statusWriter) WriteHeader(code int) {
	if code >= 200 {
		s.decide(code)
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.decide(http.StatusOK)
	return s.ResponseWriter.Write(p)
}

func (s *statusWriter) Flush() {
	s.decide(http.StatusOK) // flushing sends the header: 200 unless one was written
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// serveHTTP serves /_stats: GET snapshot, DELETE (or POST) reset.
func (r *statsRecorder) serveHTTP(w http.ResponseWriter, req *http.Request) {
	switch req.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodDelete, http.MethodPost:
		r.reset()
	default:
		w.Header().Set("Allow", "GET, DELETE, POST")
		apijson.Error(w, http.StatusMethodNotAllowed, "method_not_allowed", "use GET, or DELETE to reset")
		return
	}
	apijson.Write(w, http.StatusOK, r.snapshot())
}

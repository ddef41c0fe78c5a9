// Package mocks serves the reference backend APIs (CRM, orders, email,
// shipping) that the MCP servers talk to in tests and demos. Each domain is
// mounted under /<name> (e.g. /crm/customers/C-1001), wrapped by the fault
// injector of package faults, with control endpoints at the root:
//
//	GET  /           index: domains and control endpoints
//	GET  /_faults    installed fault rules (PUT/POST body = SPEC replaces, DELETE clears)
//	GET  /_stats     request counts per path and route, write counts per domain (DELETE resets)
//
// Transport serves a handler in-process (no network) for the servers'
// --demo mode. See README.md for the API reference, fixtures and faults.
package mocks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/bizmcp/bizmcp/mocks/crm"
	"github.com/bizmcp/bizmcp/mocks/email"
	"github.com/bizmcp/bizmcp/mocks/faults"
	"github.com/bizmcp/bizmcp/mocks/inproc"
	"github.com/bizmcp/bizmcp/mocks/internal/apijson"
	"github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/mocks/shipping"
)

// Domain is one reference backend, mounted under /Name().
type Domain interface {
	// Name is the mount point and fixtures key: lower-case letters, digits, '-'.
	Name() string
	// Handler serves the domain's API with paths relative to its mount point
	// (it must serve GET /health). It is called once, at New.
	Handler() http.Handler
	// LoadFixtures replaces the domain's sample data with the fixtures file's
	// section for this domain.
	LoadFixtures(json.RawMessage) error
}

// DefaultDomains returns fresh instances of every reference domain, loaded
// with their sample data, in mount order. To add a domain, add one line.
func DefaultDomains() []Domain {
	return []Domain{
		crm.NewDomain(),
		orders.NewDomain(),
		email.NewDomain(),
		shipping.NewDomain(),
	}
}

// Options configures New.
type Options struct {
	// Domains to mount; nil means DefaultDomains().
	Domains []Domain
	// Fixtures is a fixtures document {"crm": {...}, "orders": {...}}; each
	// present key replaces that domain's sample data. Unknown keys are an
	// error. Nil or empty keeps the sample data.
	Fixtures []byte
	// Faults is the initial fault SPEC (see package faults); "" = none.
	Faults string
	// Seed seeds fault probabilities; 0 = faults.DefaultSeed.
	Seed uint64
	// Logger receives Debug logs of injected faults; nil = silent.
	Logger *slog.Logger
}

// Server is the mock-backends handler. New returns it as an http.Handler;
// NewServer exposes its Go API (stats, faults) for tests.
type Server struct {
	domains  []Domain
	injector *faults.Injector
	stats    *statsRecorder
	root     *http.ServeMux
	reqSeq   atomic.Uint64
}

// New builds the mock-backends handler.
func New(opts Options) (http.Handler, error) {
	s, err := NewServer(opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// NewServer is New returning the concrete *Server.
func NewServer(opts Options) (*Server, error) {
	domains := opts.Domains
	if domains == nil {
		domains = DefaultDomains()
	}
	seen := map[string]bool{}
	for _, d := range domains {
		name := d.Name()
		if !validName(name) {
			return nil, fmt.Errorf("mocks: invalid domain name %q (want lower-case letters, digits, '-')", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("mocks: duplicate domain %q", name)
		}
		seen[name] = true
	}
	if err := LoadFixtures(domains, opts.Fixtures); err != nil {
		return nil, err
	}
	inj, err := faults.NewFromSpec(opts.Faults, faults.Options{Seed: opts.Seed, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	s := &Server{domains: domains, injector: inj, stats: newStatsRecorder(), root: http.NewServeMux()}

	dmux := http.NewServeMux()
	for _, d := range domains {
		prefix := "/" + d.Name()
		dmux.Handle(prefix+"/", http.StripPrefix(prefix, s.stats.countWrites(d.Name(), d.Handler())))
	}
	dmux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no domain serves %s (domains: %s)", r.URL.Path, strings.Join(s.DomainNames(), ", ")))
	})

	s.root.HandleFunc("GET /{$}", s.index)
	s.root.Handle("/_faults", inj.ControlHandler())
	s.root.HandleFunc("/_stats", s.stats.serveHTTP)
	s.root.Handle("/", s.stats.countRequests(s.DomainNames(), inj.Wrap(dmux)))
	return s, nil
}

func validName(n string) bool {
	if n == "" || n[0] == '_' || n[0] == '-' {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// LoadFixtures applies a fixtures document to domains: each top-level key
// names a domain whose data the value replaces. Unknown keys are an error.
func LoadFixtures(domains []Domain, data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("fixtures: not a JSON object: %w", err)
	}
	if doc == nil {
		return errors.New("fixtures: not a JSON object")
	}
	byName := map[string]Domain{}
	var names []string
	for _, d := range domains {
		byName[d.Name()] = d
		names = append(names, d.Name())
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, ok := byName[k]; !ok {
			return fmt.Errorf("fixtures: unknown domain %q (known: %s)", k, strings.Join(names, ", "))
		}
	}
	for _, k := range keys {
		if err := byName[k].LoadFixtures(doc[k]); err != nil {
			return fmt.Errorf("fixtures: %s: %w", k, err)
		}
	}
	return nil
}

// ServeHTTP implements http.Handler. Every response carries X-Request-Id
// (the client's own when it sent a sane one).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("X-Request-Id")
	if !saneRequestID(id) {
		id = fmt.Sprintf("req-%06d", s.reqSeq.Add(1))
	}
	w.Header().Set("X-Request-Id", id)
	s.root.ServeHTTP(w, r)
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// DomainNames lists the mounted domains in mount order.
func (s *Server) DomainNames() []string {
	names := make([]string, len(s.domains))
	for i, d := range s.domains {
		names[i] = d.Name()
	}
	return names
}

// Domain returns a mounted domain by name (nil if absent). Type-assert it to
// reach domain specifics, e.g. s.Domain("crm").(*crm.Domain).Store().
func (s *Server) Domain(name string) Domain {
	for _, d := range s.domains {
		if d.Name() == name {
			return d
		}
	}
	return nil
}

// Faults is the server's fault injector (SetSpec, Rules, Close...).
func (s *Server) Faults() *faults.Injector { return s.injector }

// SetFaults replaces the fault rules (same as PUT /_faults).
func (s *Server) SetFaults(spec string) error { return s.injector.SetSpec(spec) }

// Stats returns a snapshot of the request/write counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the counters (same as DELETE /_stats).
func (s *Server) ResetStats() { s.stats.reset() }

// Close releases requests blocked in hang/latency faults. Call it before
// http.Server.Shutdown.
func (s *Server) Close() { s.injector.Close() }

type domainInfo struct {
	Name     string `json:"name"`
	BasePath string `json:"base_path"`
	Health   string `json:"health"`
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	var ds []domainInfo
	for _, n := range s.DomainNames() {
		ds = append(ds, domainInfo{Name: n, BasePath: "/" + n, Health: "/" + n + "/health"})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"service": "mock-backends",
		"domains": ds,
		"control": map[string]string{"faults": "/_faults", "stats": "/_stats"},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) { apijson.Write(w, status, v) }

func writeError(w http.ResponseWriter, status int, code, msg string) {
	apijson.Error(w, status, code, msg)
}

// Transport serves h in-process (see package inproc).
func Transport(h http.Handler) http.RoundTripper { return inproc.Transport(h) }

package mocks

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/mocks/crm"
)

type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

func serve(t *testing.T, opts Options) (*Server, func(method, path, body string, hdr ...string) result) {
	t.Helper()
	s, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); srv.Close() })
	return s, func(method, path, body string, hdr ...string) result {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if res.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s: no X-Request-Id", method, path)
		}
		return result{res.StatusCode, res.Header, b}
	}
}

func TestIndexAndMount(t *testing.T) {
	_, call := serve(t, Options{})
	var idx struct {
		Service string
		Domains []struct {
			Name     string `json:"name"`
			BasePath string `json:"base_path"`
			Health   string `json:"health"`
		}
		Control map[string]string
	}
	r := call("GET", "/", "")
	r.json(t, &idx)
	if r.status != 200 || idx.Service != "mock-backends" || len(idx.Domains) == 0 || idx.Domains[0].Name != "crm" || idx.Control["faults"] != "/_faults" {
		t.Fatalf("index: %d %s", r.status, r.body)
	}
	for _, d := range idx.Domains {
		if r := call("GET", d.Health, ""); r.status != 200 || !strings.Contains(string(r.body), `"ok"`) {
			t.Errorf("%s: %d %s", d.Health, r.status, r.body)
		}
	}
	var c crm.Customer
	r = call("GET", "/crm/customers/C-1013", "")
	r.json(t, &c)
	if c.Company != crm.InjectionCompanyC1013 {
		t.Errorf("C-1013 company = %q", c.Company)
	}
	for _, p := range []string{"/nope", "/crm/customers/C-0001", "/crm/unknown"} {
		r := call("GET", p, "")
		var e struct{ Error struct{ Code string } }
		r.json(t, &e)
		if r.status != 404 || e.Error.Code != "not_found" {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	if r := call("GET", "/crm/health", "", "X-Request-Id", "trace-123"); r.header.Get("X-Request-Id") != "trace-123" {
		t.Errorf("client request id not echoed: %q", r.header.Get("X-Request-Id"))
	}
	if a, b := call("GET", "/crm/health", ""), call("GET", "/crm/health", ""); a.header.Get("X-Request-Id") == b.header.Get("X-Request-Id") {
		t.Error("request ids repeat")
	}
}

func TestFixturesExample(t *testing.T) {
	data, err := os.ReadFile("testdata/fixtures.example.json")
	if err != nil {
		t.Fatal(err)
	}
	s, call := serve(t, Options{Fixtures: data})
	var sr struct {
		Customers []crm.Customer
		Total     int
	}
	call("GET", "/crm/customers/search", "").json(t, &sr)
	if sr.Total != 3 || sr.Customers[0].Name != "Ada Lovelace" || sr.Customers[1].Company != "株式会社テスト物流" {
		t.Fatalf("search over fixtures: %+v", sr)
	}
	if st := s.Domain("crm").(*crm.Domain).Store(); st.Len() != 3 {
		t.Errorf("store has %d customers", st.Len())
	}
	var c crm.Customer
	call("GET", "/crm/customers/C-1003", "").json(t, &c)
	if c.Version != 1 || c.Notes == nil || c.Tags == nil {
		t.Errorf("minimal fixture defaults: %+v", c)
	}
}

func TestFixturesErrors(t *testing.T) {
	for name, c := range map[string]struct{ doc, mention string }{
		"unknown domain": {`{"crm":{"customers":[]},"billing":{}}`, `unknown domain "billing" (known: crm, orders, email, shipping)`},
		"not json":       {`{"crm":`, "not a JSON object"},
		"array":          {`[]`, "not a JSON object"},
		"bad crm":        {`{"crm":{"customers":[{"name":"no id"}]}}`, "crm fixtures: customers[0]: id is required"},
	} {
		_, err := New(Options{Fixtures: []byte(c.doc)})
		if err == nil || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: err = %v, want mention of %q", name, err, c.mention)
		}
	}
	// Absent keys keep the sample data.
	s, err := NewServer(Options{Fixtures: []byte(`{}`)})
	if err != nil || s.Domain("crm").(*crm.Domain).Store().Len() != crm.SampleCount {
		t.Fatalf("empty fixtures: %v", err)
	}
}

type fakeDomain struct{ name string }

func (f fakeDomain) Name() string { return f.name }
func (f fakeDomain) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == "POST" {
			w.WriteHeader(201)
		}
		_, _ = w.Write([]byte(`{"fake":"` + r.URL.Path + `"}`))
	})
}
func (f fakeDomain) LoadFixtures(json.RawMessage) error { return nil }

func TestCustomDomains(t *testing.T) {
	_, call := serve(t, Options{Domains: []Domain{crm.NewDomain(), fakeDomain{"orders"}}})
	if r := call("GET", "/orders/refunds/R-1", ""); r.status != 200 || string(r.body) != `{"fake":"/refunds/R-1"}` {
		t.Errorf("mounted fake: %d %s", r.status, r.body)
	}
	if _, err := New(Options{Domains: []Domain{fakeDomain{"Bad Name"}}}); err == nil {
		t.Error("invalid name accepted")
	}
	if _, err := New(Options{Domains: []Domain{fakeDomain{"x"}, fakeDomain{"x"}}}); err == nil {
		t.Error("duplicate accepted")
	}
	if _, err := New(Options{Faults: "*=bogus"}); err == nil || !strings.Contains(err.Error(), `"*=bogus"`) {
		t.Errorf("bad faults: %v", err)
	}
}

func TestRuntimeFaults(t *testing.T) {
	s, call := serve(t, Options{Faults: "/crm/customers/C-1001=status:502#1"})
	if r := call("GET", "/crm/customers/C-1001", ""); r.status != 502 {
		t.Errorf("initial fault: %d", r.status)
	}
	if r := call("GET", "/crm/customers/C-1001", ""); r.status != 200 {
		t.Errorf("#1 exhausted: %d", r.status)
	}
	r := call("PUT", "/_faults", "GET /crm/*=429:3")
	if r.status != 200 || !strings.Contains(string(r.body), `"fault":"429:3"`) {
		t.Fatalf("PUT /_faults: %d %s", r.status, r.body)
	}
	if r := call("GET", "/crm/health", ""); r.status != 429 || r.header.Get("Retry-After") != "3" {
		t.Errorf("429: %d %v", r.status, r.header)
	}
	// Control endpoints and the index are never faulted.
	if r := call("GET", "/_faults", ""); r.status != 200 || !strings.Contains(string(r.body), `"fired":1`) {
		t.Errorf("GET /_faults: %d %s", r.status, r.body)
	}
	if r := call("PUT", "/_faults", "*=teleport"); r.status != 400 || !strings.Contains(string(r.body), "teleport") {
		t.Errorf("bad spec: %d %s", r.status, r.body)
	}
	if err := s.SetFaults(""); err != nil || call("GET", "/crm/health", "").status != 200 {
		t.Errorf("clear: %v", err)
	}
}

func TestStatsCountWrites(t *testing.T) {
	// The first note POST is committed but its response is lost; the
	// client retries with the same Idempotency-Key and gets a replay.
	s, call := serve(t, Options{Faults: "POST /crm/customers/*/notes=reset-after#1"})
	ts := httptest.NewServer(s)
	defer ts.Close()
	post := func() (*http.Response, error) {
		req, _ := http.NewRequest("POST", ts.URL+"/crm/customers/C-1001/notes", strings.NewReader(`{"body":"refund issued"}`))
		req.Header.Set("Idempotency-Key", "refund-1")
		return (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	}
	if _, err := post(); err == nil {
		t.Fatal("reset-after: want a connection error")
	}
	res, err := post()
	if err != nil || res.StatusCode != 200 || res.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %v %v", err, res)
	}
	res.Body.Close()
	call("PATCH", "/crm/customers/C-1001", `{"tier":"diamond"}`) // rejected

	st := s.Stats()
	crmStats := st.Domains["crm"]
	if crmStats.Writes != 1 || crmStats.Replays != 1 || crmStats.RejectedWrites != 1 || crmStats.Requests != 3 {
		t.Errorf("crm stats %+v", crmStats)
	}
	if st.Writes["POST /crm/customers/C-1001/notes"] != 1 || st.Paths["/crm/customers/C-1001/notes"] != 2 || st.Routes["PATCH /crm/customers/C-1001"] != 1 {
		t.Errorf("stats %+v", st)
	}
	c, _ := s.Domain("crm").(*crm.Domain).Store().Get("C-1001")
	n := 0
	for _, note := range c.Notes {
		if note.Body == "refund issued" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d notes created, want 1", n)
	}

	var httpStats Stats
	call("GET", "/_stats", "").json(t, &httpStats)
	if httpStats.Domains["crm"].Writes != 1 {
		t.Errorf("GET /_stats: %+v", httpStats)
	}
	if r := call("DELETE", "/_stats", ""); r.status != 200 {
		t.Errorf("reset: %d", r.status)
	}
	if st := s.Stats(); st.Requests != 0 || st.Domains["crm"] != (DomainStats{}) || len(st.Paths) != 0 {
		t.Errorf("after reset: %+v", st)
	}
}

// signalHandler is a slog.Handler that reports injected faults on a channel.
type signalHandler struct{ ch chan struct{} }

func (h signalHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h signalHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "fault injected" {
		h.ch <- struct{}{}
	}
	return nil
}
func (h signalHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h signalHandler) WithGroup(string) slog.Handler      { return h }

func TestServerCloseReleasesHang(t *testing.T) {
	fired := make(chan struct{}, 1)
	s, err := NewServer(Options{Faults: "*=hang", Logger: slog.New(signalHandler{fired})})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	errc := make(chan error, 1)
	go func() {
		c := &http.Client{Timeout: 30 * time.Second}
		_, err := c.Get(ts.URL + "/crm/health")
		errc <- err
	}()
	<-fired
	s.Close()
	if err := <-errc; err == nil {
		t.Fatal("want an error from the released hang")
	}
}

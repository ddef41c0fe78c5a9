package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// misconfState remembers that the backend base URL looks wrong: a
// readiness probe got a 404, or a call got a 404 that did not come from the
// API. It is cleared by the next successful probe.
type misconfState struct {
	mu      sync.Mutex
	since   time.Time // zero: not misconfigured
	op      string
	lastLog time.Time
}

func (m *misconfState) set(op string) (first bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.since.IsZero() {
		m.since, first = time.Now(), true
	}
	m.op = op
	if time.Since(m.lastLog) > time.Minute {
		m.lastLog, first = time.Now(), true
	}
	return first
}

func (m *misconfState) clear() {
	m.mu.Lock()
	m.since = time.Time{}
	m.mu.Unlock()
}

func (m *misconfState) get() (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.op, !m.since.IsZero()
}

// setting names the configuration of the base URL, e.g. CRM_API_URL.
func (s *sizeCapRT) setting() string {
	return strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(s.name)) + "_API_URL"
}

// classify turns a 404 that is not the API's into KindMisconfigured, and
// logs it (at most once a minute).
func (s *sizeCapRT) classify(ctx context.Context, e *Error, body []byte) {
	if e.Status != http.StatusNotFound {
		return
	}
	_, known := s.misconf.get()
	if !isProbe(ctx) && !known && jsonObject(body) {
		return // the API's own "no such record"
	}
	e.Kind = KindMisconfigured
	e.Code = ""
	e.Message = fmt.Sprintf("the backend answered HTTP 404 for %s, which is not its API's answer: the server's backend base URL (%s) is probably wrong (for example missing a path prefix). "+
		"This is a deployment problem, not a missing record; retrying will not help: tell the user so an administrator can fix %s.", e.Op, s.setting(), s.setting())
	if s.misconf.set(e.Op) && s.log != nil {
		s.log.Error("backend base URL looks wrong: a 404 that is not the API's", "setting", s.setting(), "op", e.Op, "probe", isProbe(ctx), "body_bytes", len(body))
	}
}

// jsonObject reports whether body is a JSON object (an API's error
// envelope), as opposed to an HTML or text page or nothing.
func jsonObject(body []byte) bool {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil
}

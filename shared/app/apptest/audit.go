package apptest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"sync"
	"testing"

	"github.com/bizmcp/bizmcp/shared/audit"
)

// AuditBuffer is an audit sink (the auditTo of Build and Server) that is
// safe to read while the server's goroutines write to it.
type AuditBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (a *AuditBuffer) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.b.Write(p)
}

// String returns everything written so far: one JSON record a line.
func (a *AuditBuffer) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.b.String()
}

// Records decodes the records written so far, failing the test on a line
// that is not JSON.
func (a *AuditBuffer) Records(t testing.TB) []audit.Record {
	t.Helper()
	var out []audit.Record
	sc := bufio.NewScanner(bytes.NewReader([]byte(a.String())))
	for sc.Scan() {
		var r audit.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line not JSON: %s", sc.Text())
		}
		out = append(out, r)
	}
	return out
}

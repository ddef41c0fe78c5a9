package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestRedact(t *testing.T) {
	args := json.RawMessage(`{"id":"C-1","body":"secret note text","to":["a@x.example"],"api_token":"t0k","query":"` + strings.Repeat("q", 100) + `","limit":5,"nested":{"password":"p","ok":true}}`)
	r := Redact(args)
	b, _ := json.Marshal(r)
	s := string(b)
	for _, leak := range []string{"secret note text", "t0k", `"p"`, strings.Repeat("q", 100)} {
		if strings.Contains(s, leak) {
			t.Errorf("redacted args leak %q: %s", leak, s)
		}
	}
	for _, keep := range []string{`"id":"C-1"`, `"limit":5`, `a@x.example`, `"ok":true`, `[redacted: 16 chars]`} {
		if !strings.Contains(s, keep) {
			t.Errorf("redacted args lack %s: %s", keep, s)
		}
	}
	if Digest(json.RawMessage(`{"b":1,"a":2}`)) != Digest(json.RawMessage(`{ "a":2, "b":1 }`)) {
		t.Error("digest depends on key order or spacing")
	}
}

func TestFileSink(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, c, err := Open("crm-mcp", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Denied(policy.Principal{Subject: "ann"}, "crm_add_note", json.RawMessage(`{"body":"x"}`), DeniedScope)
	l.Denied(policy.Principal{}, "crm_get_customer", nil, DeniedAuth)
	c.Close()
	b, _ := os.ReadFile(path)
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	var r Record
	if err := json.Unmarshal(lines[0], &r); err != nil || r.Principal != "ann" || r.Decision != DeniedScope || r.Server != "crm-mcp" || r.Time == "" {
		t.Errorf("%+v %v", r, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("audit file mode %v", st.Mode())
	}
}

// TestCallerInfo: the client's name and version come from the request's
// _meta as it arrives over the wire (a JSON object), or from the SDK when
// the request carries none; a malformed entry yields nothing, not a panic.
func TestCallerInfo(t *testing.T) {
	for _, tc := range []struct {
		meta          mcp.Meta
		name, version string
	}{
		{mcp.Meta{mcp.MetaKeyClientInfo: map[string]any{"name": "claude-code", "version": "2.1.0"}}, "claude-code", "2.1.0"},
		{mcp.Meta{mcp.MetaKeyClientInfo: map[string]any{"name": "only-name"}}, "only-name", ""},
		{mcp.Meta{mcp.MetaKeyClientInfo: map[string]any{"name": 7, "version": []any{}}}, "", ""},
		{mcp.Meta{mcp.MetaKeyClientInfo: "not an object"}, "", ""},
		{nil, "", ""},
	} {
		r := &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Meta: tc.meta, Name: "t"}}
		if n, v := callerInfo(r); n != tc.name || v != tc.version {
			t.Errorf("%v: %q %q, want %q %q", tc.meta, n, v, tc.name, tc.version)
		}
	}
	if n, v := callerInfo(&mcp.CallToolRequest{}); n != "" || v != "" {
		t.Errorf("no params: %q %q", n, v)
	}
}

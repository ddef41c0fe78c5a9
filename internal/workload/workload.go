// Package workload names, per server, the calls that the load test, the
// benchmark report, the compression and fault-matrix tests, the container
// client and the demo drive: representative reads against the sample data,
// and the backend request each one makes (for the bare go-sdk floor).
//
// Each server keeps its own in servers/<name>/workload.json, so adding a
// server adds its workload without touching this package; the list of
// servers is the servers/ folders (internal/serverlist).
package workload

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bizmcp/bizmcp/internal/serverlist"
)

// Call is one tool call.
type Call struct {
	Tool string         `json:"tool"`
	Args map[string]any `json:"args"`
	// BackendPath is the backend request the call makes (relative to the
	// mock-backends root), for the bare floor server.
	BackendPath string `json:"backend_path,omitempty"`
}

// Read is a read tool call measured by the compression report: the raw
// backend response it replaces, and what its result must still say.
type Read struct {
	Call
	// Single marks one of the largest single records (target: at least 5x
	// smaller than raw). Small records are measured too, without the target:
	// a 1 KB record has little to trim and the result carries both a text
	// rendering and structured content.
	Single bool     `json:"single,omitempty"`
	Want   []string `json:"want,omitempty"` // facts the tool's description promises, present in the result
}

// Smoke is the minimal check every client of the server makes (the
// container test's TypeScript client, the demo of a server without a
// scripted scenario): a read whose text carries Expect, and an unknown id
// that must come back as a tool error.
type Smoke struct {
	Read struct {
		Call
		Expect string `json:"expect"`
	} `json:"read"`
	Missing Call `json:"missing"`
}

// Server describes one server for load and benchmarks.
type Server struct {
	Name   string `json:"-"`     // "crm"
	Binary string `json:"-"`     // "crm-mcp"
	Prefix string `json:"-"`     // "CRM_"
	Calls  []Call `json:"calls"` // a mix of reads; Calls[0] is the benchmark's call
	Reads  []Read `json:"reads"` // every read tool, on the largest sample records
	Smoke  Smoke  `json:"smoke"`
	// ToolTokenBudget bounds the estimated tokens of the server's tools/list.
	ToolTokenBudget int `json:"tool_token_budget"`
}

// File is the name of a server's workload file in its folder.
const File = "workload.json"

// Servers lists every server's workload, read from servers/*/workload.json
// of the checkout around the working directory (set BIZMCP_ROOT elsewhere).
var Servers = mustLoad()

func mustLoad() []Server {
	all, err := Load()
	if err != nil {
		panic(err)
	}
	return all
}

// Load reads every server's workload file.
func Load() ([]Server, error) {
	list, err := serverlist.All()
	if err != nil {
		return nil, err
	}
	out := make([]Server, 0, len(list))
	for _, s := range list {
		w, err := read(s)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

func read(s serverlist.Server) (Server, error) {
	path := filepath.Join(s.Dir, File)
	b, err := os.ReadFile(path)
	if err != nil {
		return Server{}, fmt.Errorf("workload: every server needs %s (docs/adding-a-server.md): %w", filepath.Join("servers", s.Name, File), err)
	}
	var w Server
	if err := json.Unmarshal(b, &w); err != nil {
		return Server{}, fmt.Errorf("workload: %s: %w", path, err)
	}
	w.Name, w.Binary, w.Prefix = s.Name, s.Binary, s.Prefix
	if len(w.Calls) == 0 || w.Smoke.Read.Tool == "" || w.Smoke.Missing.Tool == "" || w.ToolTokenBudget <= 0 {
		return Server{}, fmt.Errorf("workload: %s needs calls, smoke.read, smoke.missing and tool_token_budget", path)
	}
	return w, nil
}

// Find returns the workload of server name.
func Find(name string) (Server, bool) {
	for _, s := range Servers {
		if s.Name == name {
			return s, true
		}
	}
	return Server{}, false
}

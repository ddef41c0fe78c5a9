package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkSanitizerShare measures what sanitizing costs inside a tool call:
// a crm_get_customer call of the largest record against sanitizing every
// backend string the call puts in its result (the texts the tool runs
// through the sanitizer), and reports the share as sanitize-% (warm cache,
// as in a running server) and sanitize-cold-% (a new sanitizer: every text
// sanitized from scratch). The backend is the mock, either in process
// (demo: no network at all, the shortest possible call) or over loopback
// HTTP (the nearest a test gets to a real backend, which is further away).
func BenchmarkSanitizerShare(b *testing.B) {
	b.Run("backend=inprocess", func(b *testing.B) { sanitizerShare(b, "--demo") })
	b.Run("backend=loopback", func(b *testing.B) {
		h, err := mocks.New(mocks.Options{})
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(h)
		b.Cleanup(srv.Close)
		sanitizerShare(b, "", "CRM_API_URL="+srv.URL+"/crm")
	})
}

func sanitizerShare(b *testing.B, flag string, env ...string) {
	var args []string
	if flag != "" {
		args = []string{flag}
	}
	cs := session(b, args, append(env, "MCP_RATE_LIMIT=1000000", "MCP_RATE_BURST=1000000", "CRM_API_RATE_LIMIT=1000000", "MCP_AUDIT_LOG=/dev/null")...)
	call1 := &mcp.CallToolParams{Name: "crm_get_customer", Arguments: map[string]any{"id": "C-1007"}}
	ctx := context.Background()
	first, err := cs.CallTool(ctx, call1)
	if err != nil {
		b.Fatal(err)
	}
	// The texts the tool sanitized are the string values of its structured
	// output (unchanged by sanitizing for clean text); the keys are the
	// output type's field names, which are not sanitized.
	texts := resultTexts(b, first)
	// A running server has seen other customers before: their texts
	// (regions, tiers, statuses, authors, ...) are in its cache, this
	// record's own are not.
	var others []string
	for _, id := range []string{"C-1001", "C-1002", "C-1003", "C-1004", "C-1005", "C-1006", "C-1008", "C-1009", "C-1010", "C-1011"} {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "crm_get_customer", Arguments: map[string]any{"id": id}})
		if err != nil {
			b.Fatal(err)
		}
		others = append(others, resultTexts(b, res)...)
	}
	warm := sanitize.New(sanitize.Options{Nonce: "bench"}) // has seen this record before
	b.ResetTimer()
	var call, cold, fresh, cleanWarm time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := cs.CallTool(ctx, call1); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		san := sanitize.New(sanitize.Options{Nonce: "bench"}) // empty cache: the worst case
		for _, s := range texts {
			san.Text(s)
		}
		t2 := time.Now()
		for _, s := range texts {
			warm.Text(s)
		}
		t3 := time.Now()
		b.StopTimer()
		seen := sanitize.New(sanitize.Options{Nonce: "bench"})
		for _, s := range others {
			seen.Text(s)
		}
		b.StartTimer()
		t4 := time.Now()
		for _, s := range texts {
			seen.Text(s)
		}
		call += t1.Sub(t0)
		cold += t2.Sub(t1)
		cleanWarm += t3.Sub(t2)
		fresh += time.Since(t4)
	}
	b.ReportMetric(float64(call.Nanoseconds())/float64(b.N), "call-ns")
	b.ReportMetric(float64(cold.Nanoseconds())/float64(b.N), "sanitize-cold-ns")
	b.ReportMetric(float64(len(texts)), "texts")
	b.ReportMetric(100*float64(cold)/float64(call), "sanitize-cold-%")
	b.ReportMetric(100*float64(fresh)/float64(call), "sanitize-new-record-%")
	b.ReportMetric(100*float64(cleanWarm)/float64(call), "sanitize-seen-%")
}

// resultTexts returns the string values of res's structured content.
func resultTexts(b *testing.B, res *mcp.CallToolResult) []string {
	if res.IsError {
		b.Fatalf("tool error: %v", res.Content)
	}
	outJSON, _ := json.Marshal(res.StructuredContent)
	var out any
	json.Unmarshal(outJSON, &out)
	var texts []string
	mcptest.WalkValues(out, func(s string) { texts = append(texts, s) })
	return texts
}

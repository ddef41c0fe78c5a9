package main

import (
	"context"
	"testing"
	"time"

	"encoding/json"

	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkSanitizerShare measures what sanitizing costs inside a tool call:
// a crm_get_customer call of the largest record in process (demo backend)
// against sanitizing, with a cold cache, every backend string the call puts
// in its result (the texts the tool runs through the sanitizer), and
// reports the share as sanitize-% (warm cache, as in a running server) and
// sanitize-cold-% (every text sanitized from scratch).
func BenchmarkSanitizerShare(b *testing.B) {
	cs := session(b, []string{"--demo"}, "MCP_RATE_LIMIT=1000000", "MCP_RATE_BURST=1000000", "CRM_API_RATE_LIMIT=1000000", "MCP_AUDIT_LOG=/dev/null")
	args := &mcp.CallToolParams{Name: "crm_get_customer", Arguments: map[string]any{"id": "C-1007"}}
	ctx := context.Background()
	first, err := cs.CallTool(ctx, args)
	if err != nil {
		b.Fatal(err)
	}
	// The texts the tool sanitized are the strings of its structured output
	// (unchanged by sanitizing for clean text).
	outJSON, _ := json.Marshal(first.StructuredContent)
	var out any
	json.Unmarshal(outJSON, &out)
	var texts []string
	mcptest.WalkStrings(out, func(s string) { texts = append(texts, s) })
	warm := sanitize.New(sanitize.Options{Nonce: "bench"}) // as in a running server
	b.ResetTimer()
	var call, clean, cleanWarm time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := cs.CallTool(ctx, args); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		san := sanitize.New(sanitize.Options{Nonce: "bench"}) // cold cache: the worst case
		for _, s := range texts {
			san.Text(s)
		}
		t2 := time.Now()
		for _, s := range texts {
			warm.Text(s)
		}
		call += t1.Sub(t0)
		clean += t2.Sub(t1)
		cleanWarm += time.Since(t2)
	}
	b.ReportMetric(float64(call.Nanoseconds())/float64(b.N), "call-ns")
	b.ReportMetric(float64(clean.Nanoseconds())/float64(b.N), "sanitize-ns")
	b.ReportMetric(float64(len(texts)), "texts")
	b.ReportMetric(100*float64(clean)/float64(call), "sanitize-cold-%")
	b.ReportMetric(100*float64(cleanWarm)/float64(call), "sanitize-%")
}

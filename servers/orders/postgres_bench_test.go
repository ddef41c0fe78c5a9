package main

import (
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/postgres/pgtest"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Benchmarks of orders_get_order on the postgres backend against the
// reference backend (mock-backends as its own process over loopback HTTP),
// through the whole server stack with an in-memory MCP client. Reported:
// latency per call (ns/op) and this process's CPU per call (cpu-us/op:
// the server and the client, not the database or mock-backends). Skipped
// without ORDERS_TEST_DATABASE_URL (make bench after test/pg/start.sh).

var benchEnv = []string{"MCP_RATE_LIMIT=1000000", "MCP_RATE_BURST=1000000"}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchGetOrder(b *testing.B, cs *mcp.ClientSession) {
	args := map[string]any{"order_id": "ORD-48291"}
	if res := mcptest.Call(b, cs, "orders_get_order", args); res.IsError {
		b.Fatal(mcptest.Text(res))
	}
	cpu := cpuTime()
	b.ResetTimer()
	for range b.N {
		if res := mcptest.Call(b, cs, "orders_get_order", args); res.IsError {
			b.Fatal(mcptest.Text(res))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-us/op")
}

func BenchmarkGetOrder(b *testing.B) {
	b.Run("backend=reference", func(b *testing.B) {
		m := e2e.StartMock(b)
		// The outbound rate limit (50/s by default) would set the pace.
		benchGetOrder(b, apptest.Session(b, Spec, nil, append([]string{"ORDERS_API_URL=http://" + m.Addr + "/orders", "ORDERS_API_RATE_LIMIT=1000000", "ORDERS_API_RATE_BURST=1000000"}, benchEnv...)...))
	})
	b.Run("backend=postgres", func(b *testing.B) {
		u := pgtest.NewDB(b)
		benchGetOrder(b, apptest.Session(b, Spec, nil, append([]string{"ORDERS_BACKEND=postgres", "ORDERS_DATABASE_URL=" + u}, benchEnv...)...))
	})
}

// 64 sessions call orders_get_order at once on a pool of 10 connections:
// every call must succeed (errors/op is 0); ns/op is the wall time per
// call with 64 in flight.
func BenchmarkPostgres64Sessions(b *testing.B) {
	u := pgtest.NewDB(b)
	srv, _ := apptest.Build(b, Spec, nil, nil, append([]string{"ORDERS_BACKEND=postgres", "ORDERS_DATABASE_URL=" + u, "ORDERS_DATABASE_MAX_CONNS=10", "MCP_CALL_TIMEOUT=30s"}, benchEnv...)...)
	const sessions = 64
	css := make([]*mcp.ClientSession, sessions)
	for i := range css {
		css[i] = mcptest.Connect(b, srv)
	}
	ids := []string{"ORD-48291", "ORD-49000", "ORD-49005", "ORD-47730"}
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for i := range sessions {
		wg.Go(func() {
			for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
				res, err := css[i].CallTool(b.Context(), &mcp.CallToolParams{Name: "orders_get_order", Arguments: map[string]any{"order_id": ids[n%int64(len(ids))]}})
				if err != nil || res.IsError {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(failed.Load()), "errors")
	if failed.Load() > 0 {
		b.Fatalf("%d of %d calls failed", failed.Load(), b.N)
	}
}

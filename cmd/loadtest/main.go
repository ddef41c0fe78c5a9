// Command loadtest drives each server over streamable HTTP against
// mock-backends with many concurrent client sessions for a bounded time,
// and reports calls/s, latency percentiles, errors and the server's peak
// RSS. It exits non-zero if any call failed. `make loadtest` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/bizmcp/bizmcp/internal/workload"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func main() {
	bin := flag.String("bin", "bin", "directory with the built binaries")
	sessions := flag.Int("sessions", 64, "concurrent client sessions")
	dur := flag.Duration("duration", 10*time.Second, "how long each server is loaded")
	only := flag.String("servers", "", "comma-separated servers (default: all whose binary exists)")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	mock, err := proc.Start(ctx, filepath.Join(*bin, "mock-backends"), []string{"--addr", "127.0.0.1:0"}, nil, true, 20*time.Second)
	if err != nil {
		fatal(err)
	}
	defer mock.Stop()

	fmt.Printf("loadtest: %d concurrent sessions, %s per server, streamable HTTP, mock-backends on %s\n\n", *sessions, *dur, mock.Addr)
	fmt.Printf("%-9s %9s %9s %9s %9s %8s %10s\n", "server", "calls", "calls/s", "p50 ms", "p99 ms", "errors", "peak RSS")
	failed := false
	for _, w := range workload.Servers {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), w.Name) {
			continue
		}
		path := filepath.Join(*bin, w.Binary)
		if _, err := os.Stat(path); err != nil {
			fmt.Printf("%-9s skipped: %s not built\n", w.Name, path)
			continue
		}
		r, err := load(ctx, w, path, "http://"+mock.Addr, *sessions, *dur)
		if err != nil {
			fmt.Printf("%-9s failed: %v\n", w.Name, err)
			failed = true
			continue
		}
		fmt.Printf("%-9s %9d %9.0f %9.2f %9.2f %8d %8.1f MB\n", w.Name, r.calls, float64(r.calls)/r.elapsed.Seconds(), ms(r.p50), ms(r.p99), r.errors, float64(r.peakRSS)/1e6)
		if r.errors > 0 {
			failed = true
			fmt.Printf("          first error: %s\n", r.firstErr)
		}
	}
	if failed {
		os.Exit(1)
	}
}

type result struct {
	calls, errors int64
	p50, p99      time.Duration
	elapsed       time.Duration
	peakRSS       int64
	firstErr      string
}

func load(ctx context.Context, w workload.Server, bin, backend string, sessions int, dur time.Duration) (*result, error) {
	srv, err := proc.Start(ctx, bin, []string{"--transport", "http", "--addr", "127.0.0.1:0"}, []string{
		w.Prefix + "API_URL=" + backend + "/" + w.Name,
		"MCP_AUDIT_LOG=/dev/null",
		// The load comes from one address: lift the per-client limits.
		"MCP_RATE_LIMIT=1000000", "MCP_RATE_BURST=1000000", "MCP_HTTP_RATE_LIMIT=1000000", "MCP_HTTP_RATE_BURST=1000000",
		w.Prefix + "API_RATE_LIMIT=1000000", w.Prefix + "API_RATE_BURST=100000",
	}, true, 20*time.Second)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	endpoint := "http://" + srv.Addr + "/mcp"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: sessions * 2}}

	var (
		calls, errs atomic.Int64
		mu          sync.Mutex
		lat         []time.Duration
		firstErr    string
		wg          sync.WaitGroup
	)
	start := time.Now()
	stop := start.Add(dur)
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "loadtest", Version: "1"}, nil).Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc, DisableStandaloneSSE: true}, nil)
			if err != nil {
				errs.Add(1)
				mu.Lock()
				if firstErr == "" {
					firstErr = "connect: " + err.Error()
				}
				mu.Unlock()
				return
			}
			defer cs.Close()
			local := make([]time.Duration, 0, 4096)
			for n := i; time.Now().Before(stop); n++ {
				c := w.Calls[n%len(w.Calls)]
				t0 := time.Now()
				res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: c.Tool, Arguments: c.Args})
				local = append(local, time.Since(t0))
				calls.Add(1)
				if err != nil || res.IsError {
					errs.Add(1)
					mu.Lock()
					if firstErr == "" {
						if err != nil {
							firstErr = err.Error()
						} else {
							firstErr = fmt.Sprint(res.Content)
						}
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	_, peak, err := proc.Memory(srv.Cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	slices.Sort(lat)
	r := &result{calls: calls.Load(), errors: errs.Load(), elapsed: elapsed, peakRSS: peak, firstErr: firstErr}
	if len(lat) > 0 {
		r.p50 = lat[len(lat)/2]
		r.p99 = lat[len(lat)*99/100]
	}
	return r, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadtest:", err)
	os.Exit(1)
}

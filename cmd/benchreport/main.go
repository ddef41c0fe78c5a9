// Command benchreport measures, in one run, what the shared stack costs:
// for each server, the server CPU per tool call of its full stack (auth off;
// sanitize, compress, rate limit, audit, metrics on) against a bare go-sdk
// tool making the same backend call, as a ratio; the stdio cold start (exec
// to initialize result); idle RSS; binary sizes; and image sizes when
// container images exist. `make bench` runs it after the Go benchmarks.
//
// CPU is read from /proc for the server process only, so the client's and
// the backend's work do not count.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/internal/measure"
	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/bizmcp/bizmcp/internal/workload"
	"github.com/bizmcp/bizmcp/shared/compress"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	targetRatio   = 1.15
	targetColdMS  = 20.0
	targetIdleRSS = 20e6
	clkTck        = 100 // USER_HZ on Linux
)

func main() {
	bin := flag.String("bin", "bin", "directory with the built binaries (and benchbare)")
	calls := flag.Int("calls", 4000, "tool calls per measurement")
	rounds := flag.Int("rounds", 3, "alternating rounds per server (median ratio reported)")
	conc := flag.Int("concurrency", 8, "concurrent calls on the one session")
	only := flag.String("servers", "", "comma-separated servers (default: all built)")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	mock, err := proc.Start(ctx, filepath.Join(*bin, "mock-backends"), []string{"--addr", "127.0.0.1:0"}, nil, true, 20*time.Second)
	if err != nil {
		fatal(err)
	}
	defer mock.Stop()
	backend := "http://" + mock.Addr

	fmt.Printf("benchreport: server CPU per call over stdio, %d calls x %d rounds, concurrency %d\n\n", *calls, *rounds, *conc)
	fmt.Printf("%-9s %-22s %12s %12s %7s %11s %10s %10s\n", "server", "call", "stack µs", "bare µs", "ratio", "cold start", "idle RSS", "binary")
	var worstRatio, worstCold, worstRSS float64
	for _, w := range workload.Servers {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), w.Name) {
			continue
		}
		path := filepath.Join(*bin, w.Binary)
		st, err := os.Stat(path)
		if err != nil {
			fmt.Printf("%-9s skipped: %s not built\n", w.Name, path)
			continue
		}
		call := w.Calls[0]
		env := []string{w.Prefix + "API_URL=" + backend + "/" + w.Name, "MCP_LOG_LEVEL=warn", "MCP_RATE_LIMIT=1000000", "MCP_RATE_BURST=1000000", w.Prefix + "API_RATE_LIMIT=1000000"}
		var stack, bare []float64
		for range *rounds {
			s, err := cpuPerCall(ctx, path, nil, env, call.Tool, call.Args, *calls, *conc)
			if err != nil {
				fatal(fmt.Errorf("%s: %w", w.Binary, err))
			}
			b, err := cpuPerCall(ctx, filepath.Join(*bin, "benchbare"), nil, []string{"BARE_BACKEND_URL=" + backend}, "bare_get", map[string]any{"path": call.BackendPath}, *calls, *conc)
			if err != nil {
				fatal(fmt.Errorf("benchbare: %w", err))
			}
			stack, bare = append(stack, s), append(bare, b)
		}
		ratios := make([]float64, len(stack))
		for i := range stack {
			ratios[i] = stack[i] / bare[i]
		}
		ratio := median(ratios)
		cold, rss, err := coldStart(ctx, path, env, 15)
		if err != nil {
			fatal(err)
		}
		fmt.Printf("%-9s %-22s %12.1f %12.1f %7.2f %8.1f ms %7.1f MB %7.1f MB\n", w.Name, call.Tool, median(stack), median(bare), ratio, cold, rss/1e6, float64(st.Size())/1e6)
		worstRatio, worstCold, worstRSS = max(worstRatio, ratio), max(worstCold, cold), max(worstRSS, rss)
	}
	compression(ctx, *bin, backend, *only)
	images()
	fmt.Println()
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	fmt.Printf("targets: stack/bare <= %.2f: %s (worst %.2f); cold start < %.0f ms: %s (worst %.1f ms); idle RSS < %.0f MB: %s (worst %.1f MB)\n",
		targetRatio, verdict(worstRatio <= targetRatio), worstRatio, targetColdMS, verdict(worstCold < targetColdMS), worstCold, targetIdleRSS/1e6, verdict(worstRSS < targetIdleRSS), worstRSS/1e6)
}

// cpuPerCall starts bin over stdio, makes n calls of tool (conc at a time)
// and returns the server's CPU µs per call.
func cpuPerCall(ctx context.Context, bin string, args, env []string, tool string, targs map[string]any, n, conc int) (float64, error) {
	cmd := proc.Command(ctx, bin, args, env)
	cmd.Stderr = nil
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		return 0, err
	}
	defer cs.Close()
	call := func() error {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: targs})
		if err != nil {
			return err
		}
		if res.IsError {
			return fmt.Errorf("%s: tool error: %v", tool, res.Content)
		}
		return nil
	}
	for range 200 { // warm up
		if err := call(); err != nil {
			return 0, err
		}
	}
	pid := cmd.Process.Pid
	t0, err := proc.CPUTime(pid)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	errc := make(chan error, conc)
	per := n / conc
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				if err := call(); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		return 0, err
	default:
	}
	t1, err := proc.CPUTime(pid)
	if err != nil {
		return 0, err
	}
	return float64(t1-t0) * (1e6 / clkTck) / float64(per*conc), nil
}

// coldStart returns the median time from exec to the initialize result,
// and the idle RSS right after it.
func coldStart(ctx context.Context, bin string, env []string, n int) (ms, rss float64, err error) {
	var times []float64
	for range n {
		cmd := proc.Command(ctx, bin, nil, env)
		cmd.Stderr = nil
		start := time.Now()
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
		if err != nil {
			return 0, 0, err
		}
		times = append(times, float64(time.Since(start).Microseconds())/1000)
		r, _, err := proc.Memory(cmd.Process.Pid)
		if err == nil {
			rss = max(rss, float64(r))
		}
		cs.Close()
	}
	return median(times), rss, nil
}

// compression prints, for every read tool on the sample data, the raw
// backend bytes and tokens against what the tool returns, and each server's
// tool-definition cost.
func compression(ctx context.Context, bin, backend, only string) {
	fmt.Printf("\ncompression (tokens estimated at 4 bytes each):\n")
	fmt.Printf("%-9s %-22s %-44s %9s %8s %9s %8s %7s\n", "server", "tool", "arguments", "raw B", "raw tok", "result B", "res tok", "smaller")
	var defs []string
	for _, w := range workload.Servers {
		if only != "" && !slices.Contains(strings.Split(only, ","), w.Name) {
			continue
		}
		path := filepath.Join(bin, w.Binary)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		cmd := proc.Command(ctx, path, nil, []string{w.Prefix + "API_URL=" + backend + "/" + w.Name, "MCP_LOG_LEVEL=warn", "MCP_AUDIT_LOG=" + os.DevNull})
		cmd.Stderr = nil
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
		if err != nil {
			fatal(err)
		}
		for _, r := range w.Reads {
			m, err := measure.Read(ctx, cs, backend, w.Name, r)
			if err != nil {
				fatal(err)
			}
			fmt.Printf("%-9s %-22s %-44.44s %9d %8d %9d %8d %6.1fx\n", w.Name, r.Tool, m.Args, m.RawBytes, compress.EstimateTokens(m.RawBytes), m.ResultBytes, compress.EstimateTokens(m.ResultBytes), m.Ratio())
		}
		b, tok, err := measure.ToolDefinitions(ctx, cs)
		if err != nil {
			fatal(err)
		}
		defs = append(defs, fmt.Sprintf("%s %d B ~%d tokens (budget %d)", w.Name, b, tok, w.ToolTokenBudget))
		cs.Close()
	}
	fmt.Printf("tool definitions: %s\n", strings.Join(defs, "; "))
}

func images() {
	engine := ""
	for _, e := range []string{"podman", "docker"} {
		if _, err := exec.LookPath(e); err == nil {
			engine = e
			break
		}
	}
	if engine == "" {
		fmt.Println("\nimages: no podman or docker here; run `make images` where one is")
		return
	}
	out, err := exec.Command(engine, "images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}", "--filter", "reference=*/bizmcp/*:latest").Output()
	if err != nil || len(strings.TrimSpace(string(out))) == 0 {
		out, err = exec.Command(engine, "images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}").Output()
	}
	if err != nil {
		fmt.Println("\nimages: cannot list images:", err)
		return
	}
	fmt.Println("\nimages:")
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.Contains(l, "bizmcp/") && strings.Contains(l, ":latest") {
			fmt.Println("  " + l)
		}
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchreport:", err)
	os.Exit(1)
}

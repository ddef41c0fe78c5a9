// Command benchreport measures, in one run, what the shared stack costs
// against a bare go-sdk tool (internal/benchbare: one typed tool making the
// same backend request and returning the raw record), side by side:
//
//   - server CPU per crm_get_customer call on a small and on the largest
//     sample record, over stdio and streamable HTTP, at 1 and 16 clients
//     (stdio: 16 concurrent calls on the one session);
//   - cold start (exec to initialize answered) over stdio and HTTP, idle
//     RSS, --demo start-up and RSS, binary size, for every server;
//   - peak RSS with 512 concurrent HTTP sessions;
//
// then what each read tool's result saves against the raw response, and
// image sizes when container images exist. `make bench` runs it.
//
// Stack and bare runs alternate (the order flips every round) and every
// figure is the median of the rounds with the range beside it: on a shared
// machine one round is noise. CPU is read from /proc for the server process
// only, so the client's and the backend's work do not count.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
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

// Targets (issue 26): every ratio at most 1; start-up within 1.25x of the
// bare tool's; --demo under 20 ms and 15 MB; idle RSS under 12 MB.
const (
	targetRatio     = 1.0
	targetColdRatio = 1.25
	targetDemoMS    = 20.0
	targetDemoRSS   = 15e6
	targetIdleRSS   = 12e6
	clkTck          = 100 // USER_HZ on Linux
)

// server is one side of a comparison: how to start it and what to call.
type server struct {
	name       string
	bin        string
	stdioArgs  []string
	httpArgs   func(addr string) []string
	env        []string
	tool       string
	args       map[string]any
	sessionEnv []string
}

func main() {
	bin := flag.String("bin", "bin", "directory with the built binaries (and benchbare)")
	calls := flag.Int("calls", 600, "tool calls per CPU measurement (0 = skip)")
	rounds := flag.Int("rounds", 3, "alternating stack/bare rounds per figure")
	starts := flag.Int("starts", 9, "cold starts per figure")
	sessions := flag.Int("sessions", 512, "concurrent HTTP sessions for the peak-RSS figure (0 = skip)")
	stackEnv := flag.String("stack-env", "", "extra environment for the stack, comma-separated (GOGC=100: compare GC settings)")
	only := flag.String("servers", "", "comma-separated servers for start-up and compression (default: all built)")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	mock, err := proc.Start(ctx, filepath.Join(*bin, "mock-backends"), []string{"--addr", "127.0.0.1:0"}, nil, true, 20*time.Second)
	if err != nil {
		fatal(err)
	}
	defer mock.Stop()
	backend := "http://" + mock.Addr
	r := &report{rounds: *rounds}
	if *stackEnv != "" {
		extraEnv = strings.Split(*stackEnv, ",")
	}

	// Per-call CPU: crm_get_customer on an ordinary and on the largest record.
	crm := workload.Servers[0]
	records := []struct{ label, id string }{{"small", "C-1024"}, {"large", "C-1007"}}
	fmt.Printf("benchreport: server CPU µs per call, stack (crm_get_customer) vs bare go-sdk tool; %d calls, median [range] of %d alternating rounds\n", *calls, *rounds)
	fmt.Printf("%-6s %-6s %-7s %8s %24s %24s %20s\n", "record", "trans", "clients", "raw KB", "stack µs", "bare µs", "ratio")
	for _, rec := range records {
		if *calls == 0 {
			break
		}
		raw := rawSize(backend + "/crm/customers/" + rec.id)
		stack := stackServer(*bin, crm, backend, "crm_get_customer", map[string]any{"id": rec.id})
		bare := bareServer(*bin, backend, "/crm/customers/"+rec.id)
		for _, tr := range []string{"stdio", "http"} {
			for _, clients := range []int{1, 16} {
				st, bt, ratios := alternate(*rounds, stack, bare, func(s *server) (float64, error) {
					return cpuPerCall(ctx, s, tr, clients, *calls)
				})
				fmt.Printf("%-6s %-6s %-7d %8.1f %24s %24s %20s\n", rec.label, tr, clients, float64(raw)/1000, spread(st, "%.0f"), spread(bt, "%.0f"), spread(ratios, "%.2f"))
				r.ratio = max(r.ratio, median(ratios))
			}
		}
	}

	// Start-up and memory of every server (--starts 0 skips them).
	if *starts > 0 {
		startups(ctx, r, *bin, backend, crm, *only, *starts)
	}

	if *sessions > 0 {
		fmt.Printf("\npeak RSS with %d concurrent HTTP sessions (each: initialize, one crm_get_customer call on the largest record), %d alternating rounds\n", *sessions, *rounds)
		stack := stackServer(*bin, crm, backend, "crm_get_customer", map[string]any{"id": "C-1007"})
		bareL := bareServer(*bin, backend, "/crm/customers/C-1007")
		sp, bp, ratios := alternate(*rounds, stack, bareL, func(s *server) (float64, error) {
			peak, err := peakRSS(ctx, s, *sessions)
			return peak / 1e6, err
		})
		fmt.Printf("stack %s MB, bare %s MB, ratio %s\n", spread(sp, "%.1f"), spread(bp, "%.1f"), spread(ratios, "%.2f"))
		r.peakRatio = median(ratios)
	}

	compression(ctx, *bin, backend, *only)
	images()
	fmt.Println()
	r.print()
}

type report struct {
	rounds                                                int
	ratio, coldRatio, demoMS, demoRSS, idleRSS, peakRatio float64
}

func (r *report) print() {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	if r.ratio == 0 || r.coldRatio == 0 || r.peakRatio == 0 {
		fmt.Println("targets: not all figures measured in this run")
		return
	}
	fmt.Printf("targets (medians): CPU per call stack/bare <= %.2f: %s (worst %.2f); cold start stack/bare <= %.2f: %s (worst %.2f); "+
		"--demo < %.0f ms and %.0f MB: %s (worst %.1f ms, %.1f MB); idle RSS < %.0f MB: %s (worst %.1f MB); peak RSS at 512 sessions stack/bare <= 1: %s (%.2f)\n",
		targetRatio, verdict(r.ratio <= targetRatio), r.ratio, targetColdRatio, verdict(r.coldRatio <= targetColdRatio), r.coldRatio,
		targetDemoMS, targetDemoRSS/1e6, verdict(r.demoMS < targetDemoMS && r.demoRSS < targetDemoRSS), r.demoMS, r.demoRSS/1e6,
		targetIdleRSS/1e6, verdict(r.idleRSS < targetIdleRSS), r.idleRSS/1e6, verdict(r.peakRatio <= 1), r.peakRatio)
}

// startups measures cold starts (stdio and HTTP, stack against bare
// alternately), idle RSS and --demo of every built server.
func startups(ctx context.Context, r *report, bin, backend string, crm workload.Server, only string, starts int) {
	fmt.Printf("\nstart-up: exec to initialize answered, median [range] of %d alternating starts; RSS right after initialize\n", starts)
	fmt.Printf("%-9s %-6s %20s %20s %7s %10s %10s %22s %9s\n", "server", "trans", "stack ms", "bare ms", "ratio", "idle RSS", "bare RSS", "--demo ms / RSS", "binary")
	bare := bareServer(bin, backend, crm.Calls[0].BackendPath)
	for _, w := range workload.Servers {
		if only != "" && !slices.Contains(strings.Split(only, ","), w.Name) {
			continue
		}
		path := filepath.Join(bin, w.Binary)
		st, err := os.Stat(path)
		if err != nil {
			fmt.Printf("%-9s skipped: %s not built\n", w.Name, path)
			continue
		}
		stack := stackServer(bin, w, backend, w.Calls[0].Tool, w.Calls[0].Args)
		demo := &server{name: w.Binary + " --demo", bin: path, stdioArgs: []string{"--demo"}, env: []string{"MCP_LOG_LEVEL=warn"}}
		dms, drss, err := coldStarts(ctx, demo, "stdio", starts)
		if err != nil {
			fatal(err)
		}
		r.demoMS, r.demoRSS = max(r.demoMS, median(dms)), max(r.demoRSS, median(drss))
		for _, tr := range []string{"stdio", "http"} {
			var sms, bms, srss, brss []float64
			for i := range starts {
				a, b := stack, bare
				if i%2 == 1 {
					a, b = bare, stack
				}
				for _, s := range []*server{a, b} {
					ms, rss, err := coldStarts(ctx, s, tr, 1)
					if err != nil {
						fatal(err)
					}
					if s == stack {
						sms, srss = append(sms, ms...), append(srss, rss...)
					} else {
						bms, brss = append(bms, ms...), append(brss, rss...)
					}
				}
			}
			ratio := median(sms) / median(bms)
			r.coldRatio = max(r.coldRatio, ratio)
			r.idleRSS = max(r.idleRSS, median(srss))
			demoCol := ""
			if tr == "stdio" {
				demoCol = fmt.Sprintf("%s / %.1f MB", spread(dms, "%.1f"), median(drss)/1e6)
			}
			fmt.Printf("%-9s %-6s %20s %20s %7.2f %7.1f MB %7.1f MB %22s %6.1f MB\n", w.Name, tr, spread(sms, "%.1f"), spread(bms, "%.1f"), ratio, median(srss)/1e6, median(brss)/1e6, demoCol, float64(st.Size())/1e6)
		}
	}

}

// alternate measures stack and bare rounds times each, flipping which goes
// first every round, and returns both series and the per-round ratios.
func alternate(rounds int, stack, bare *server, measure func(*server) (float64, error)) (st, bt, ratios []float64) {
	for i := range rounds {
		pair := []*server{stack, bare}
		if i%2 == 1 {
			pair = []*server{bare, stack}
		}
		got := map[*server]float64{}
		for _, s := range pair {
			v, err := measure(s)
			if err != nil {
				fatal(fmt.Errorf("%s: %w", s.name, err))
			}
			got[s] = v
		}
		st, bt = append(st, got[stack]), append(bt, got[bare])
		ratios = append(ratios, got[stack]/got[bare])
	}
	return st, bt, ratios
}

// extraEnv is --stack-env.
var extraEnv []string

// stackServer is w's binary on the mock backend with every layer on (auth
// off; limits raised so that they do not throttle the benchmark).
func stackServer(bin string, w workload.Server, backend, tool string, args map[string]any) *server {
	s := &server{
		name: w.Binary, bin: filepath.Join(bin, w.Binary), tool: tool, args: args,
		httpArgs: func(addr string) []string { return []string{"--transport", "http", "--addr", addr} },
		env: []string{w.Prefix + "API_URL=" + backend + "/" + w.Name, "MCP_LOG_LEVEL=warn",
			"MCP_RATE_LIMIT=1000000", "MCP_RATE_BURST=1000000", "MCP_HTTP_RATE_LIMIT=1000000", "MCP_HTTP_RATE_BURST=1000000",
			"MCP_MAX_CONNS_PER_ADDR=4096", "MCP_MAX_IDLE_CONNS_PER_ADDR=4096",
			w.Prefix + "API_RATE_LIMIT=1000000", w.Prefix + "API_RATE_BURST=1000000"},
	}
	s.env = append(s.env, extraEnv...)
	return s
}

// bareServer is benchbare GETting path on the mock backend.
func bareServer(bin, backend, path string) *server {
	return &server{
		name: "benchbare", bin: filepath.Join(bin, "benchbare"), tool: "bare_get", args: map[string]any{"path": path},
		httpArgs: func(addr string) []string { return []string{"--addr", addr} },
		env:      []string{"BARE_BACKEND_URL=" + backend},
	}
}

// running is a started server with its client sessions.
type running struct {
	cmd      *exec.Cmd
	sessions []*mcp.ClientSession
}

func (r *running) pid() int { return r.cmd.Process.Pid }

func (r *running) close() {
	for _, cs := range r.sessions {
		cs.Close()
	}
	if r.cmd.ProcessState == nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
	}
}

var httpClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096}}

// start runs s over tr and opens n client sessions (stdio: one).
func start(ctx context.Context, s *server, tr string, n int) (*running, error) {
	client := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil)
	if tr == "stdio" {
		cmd := proc.Command(ctx, s.bin, s.stdioArgs, s.env)
		cmd.Stderr = nil
		cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
		if err != nil {
			return nil, err
		}
		return &running{cmd: cmd, sessions: []*mcp.ClientSession{cs}}, nil
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := proc.Command(ctx, s.bin, s.httpArgs(addr), s.env)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &running{cmd: cmd}
	if err := waitListening(ctx, addr); err != nil {
		r.close()
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	r.sessions = make([]*mcp.ClientSession, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			r.sessions[i], errs[i] = client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: "http://" + addr + "/mcp", HTTPClient: httpClient, DisableStandaloneSSE: true}, nil)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			r.sessions = slices.DeleteFunc(r.sessions, func(cs *mcp.ClientSession) bool { return cs == nil })
			r.close()
			return nil, err
		}
	}
	return r, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitListening dials addr until it accepts (a benchmark may poll: this
// is the time to port open the figure measures).
func waitListening(ctx context.Context, addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(200 * time.Microsecond)
	}
	return fmt.Errorf("not listening on %s after 10s", addr)
}

func call(ctx context.Context, cs *mcp.ClientSession, s *server) error {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: s.tool, Arguments: s.args})
	if err != nil {
		return err
	}
	if res.IsError {
		var text string
		for _, c := range res.Content {
			if t, ok := c.(*mcp.TextContent); ok {
				text += t.Text
			}
		}
		return fmt.Errorf("%s: tool error: %s", s.tool, text)
	}
	return nil
}

// cpuPerCall starts s over tr with clients concurrent callers, makes n
// calls and returns the server's CPU µs per call.
func cpuPerCall(ctx context.Context, s *server, tr string, clients, n int) (float64, error) {
	sessions := clients
	if tr == "stdio" {
		sessions = 1
	}
	r, err := start(ctx, s, tr, sessions)
	if err != nil {
		return 0, err
	}
	defer r.close()
	if err := load(ctx, r, s, clients, 100); err != nil { // warm up
		return 0, err
	}
	t0, err := proc.CPUTime(r.pid())
	if err != nil {
		return 0, err
	}
	if err := load(ctx, r, s, clients, n); err != nil {
		return 0, err
	}
	t1, err := proc.CPUTime(r.pid())
	if err != nil {
		return 0, err
	}
	return float64(t1-t0) * (1e6 / clkTck) / float64(n/clients*clients), nil
}

// load makes n calls, clients at a time, spread over r's sessions.
func load(ctx context.Context, r *running, s *server, clients, n int) error {
	var wg sync.WaitGroup
	errc := make(chan error, clients)
	for i := range clients {
		cs := r.sessions[i%len(r.sessions)]
		wg.Go(func() {
			for range n / clients {
				if err := call(ctx, cs, s); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// coldStarts returns n times from exec to the initialize result (ms) and
// the RSS right after each.
func coldStarts(ctx context.Context, s *server, tr string, n int) (ms, rss []float64, err error) {
	for range n {
		t := time.Now()
		r, err := start(ctx, s, tr, 1)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s.name, err)
		}
		ms = append(ms, float64(time.Since(t).Microseconds())/1000)
		if m, _, err := proc.Memory(r.pid()); err == nil {
			rss = append(rss, float64(m))
		}
		r.close()
	}
	return ms, rss, nil
}

// peakRSS opens n HTTP sessions on s at once, has each make one call, and
// returns the server's peak RSS (VmHWM).
func peakRSS(ctx context.Context, s *server, n int) (float64, error) {
	r, err := start(ctx, s, "http", n)
	if err != nil {
		return 0, err
	}
	defer r.close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []error
	for _, cs := range r.sessions {
		wg.Go(func() {
			if err := call(ctx, cs, s); err != nil {
				mu.Lock()
				failed = append(failed, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	_, peak, err := proc.Memory(r.pid())
	if len(failed) > 0 {
		fmt.Printf("  %s: %d of %d calls failed, e.g. %v\n", s.name, len(failed), n, failed[0])
	}
	return float64(peak), err
}

func rawSize(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		fatal(err)
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return int(n)
}

// spread prints the median of xs and, with more than one, their range.
func spread(xs []float64, f string) string {
	if len(xs) == 1 {
		return fmt.Sprintf(f, xs[0])
	}
	return fmt.Sprintf(f+" ["+f+"-"+f+"]", median(xs), slices.Min(xs), slices.Max(xs))
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

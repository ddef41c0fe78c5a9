package app

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type nopPort struct{}

func (nopPort) Ping(context.Context) error { return nil }

var testSpec = Spec[struct{}, nopPort]{
	Name: "t", Binary: "t-mcp", Prefix: "T_", Title: "T", Usage: "t-mcp: test",
	Backends: []Backend[nopPort]{{Name: "reference", Open: func(context.Context, BackendEnv) (nopPort, error) { return nopPort{}, nil }}},
	Register: func(s *mcp.Server, d Deps[struct{}], _ nopPort) error { return nil },
}

// TestMain lets the test binary play the server (Main) in a child process.
func TestMain(m *testing.M) {
	if os.Getenv("BIZMCP_APP_HELPER") == "main" {
		os.Args = []string{"t-mcp"}
		Main(testSpec, "test")
	}
	os.Exit(m.Run())
}

// A server started with its stderr closed (a pipe nobody reads) must not
// die of SIGPIPE on its first log line: it serves stdio as usual.
func TestClosedStderrDoesNotKillTheServer(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // writes to w now raise SIGPIPE
	defer w.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "BIZMCP_APP_HELPER=main", "T_API_URL=http://127.0.0.1:9/t")
	cmd.Stderr = w
	cmd.Stdin = strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}` + "\n")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	answered := sc.Scan() && strings.Contains(sc.Text(), `"serverInfo"`)
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("killed by %v", ws.Signal())
		}
	}
	if err != nil || !answered {
		t.Fatalf("exit: %v; initialize answered: %v", err, answered)
	}
}

// TestMemoryLimit: without GOMEMLIMIT the runtime's limit is 90% of the
// container's; a GOMEMLIMIT in the environment wins.
func TestMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("AUTOMEMLIMIT", "")
	os.Unsetenv("AUTOMEMLIMIT") // restored by Setenv's cleanup
	setMemoryLimit(memlimit.Limit(128 << 20))
	limit := float64(128 << 20)
	if got, want := debug.SetMemoryLimit(-1), int64(limit*0.9); got != want {
		t.Fatalf("limit %d, want %d (90%% of 128 MiB)", got, want)
	}
	debug.SetMemoryLimit(prev)
	t.Setenv("GOMEMLIMIT", "64MiB")
	setMemoryLimit(memlimit.Limit(128 << 20))
	if got := debug.SetMemoryLimit(-1); got != prev {
		t.Fatalf("GOMEMLIMIT set: limit changed to %d", got)
	}
}

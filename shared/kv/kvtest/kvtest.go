// Package kvtest starts Redis for tests of shared state.
package kvtest

import (
	"bufio"
	"context"
	"fmt"
	"github.com/bizmcp/bizmcp/shared/kv"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// RedisForTest returns a Redis URL for tests: $BIZMCP_REDIS_URL, or a
// redis-server started for the test on a free loopback port (stopped at
// cleanup). Without either it skips the test, except under CI=true, where
// .ci/run installs redis-server and a missing one is a failure.
func RedisForTest(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("BIZMCP_REDIS_URL"); u != "" {
		return u
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed (.ci/run installs it)")
		}
		t.Skip("redis-server not installed; apt-get install redis-server to run this test")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "notice")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("redis-server exited before it was ready")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("redis-server not ready within 15s")
	}
	return fmt.Sprintf("redis://127.0.0.1:%d/0", port)
}

// StoresForTest returns openers of the two stores, for tests that must hold
// for both: "memory" (a new in-memory store) and "redis" (RedisForTest,
// closed at cleanup).
func StoresForTest() map[string]func(t testing.TB) kv.Store {
	return map[string]func(t testing.TB) kv.Store{
		"memory": func(testing.TB) kv.Store { return kv.NewMemory() },
		"redis": func(t testing.TB) kv.Store {
			s, err := kv.Open(context.Background(), RedisForTest(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}

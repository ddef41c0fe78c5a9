// Package proc starts the project's binaries as real processes for demos
// and end-to-end tests, and learns their listening address from their JSON
// log lines on stderr (no sleeps, no port guessing).
package proc

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Proc is a running binary.
type Proc struct {
	Cmd  *exec.Cmd
	Addr string // from the first log line carrying "addr", if waited for

	mu     sync.Mutex
	stderr strings.Builder
	done   chan struct{}
	err    error
}

// Start runs bin with args and extra environment. If wantAddr is true it
// waits (up to timeout) for a JSON log line on stderr with an "addr" field
// and a message of "listening".
func Start(ctx context.Context, bin string, args, env []string, wantAddr bool, timeout time.Duration) (*Proc, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	p := &Proc{Cmd: cmd, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(errPipe)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			if !sent {
				var m struct {
					Msg  string `json:"msg"`
					Addr string `json:"addr"`
				}
				if json.Unmarshal([]byte(line), &m) == nil && m.Addr != "" && strings.Contains(m.Msg, "listening") {
					addrc <- m.Addr
					sent = true
				}
			}
		}
		io.Copy(io.Discard, errPipe)
		p.err = cmd.Wait()
		close(p.done)
	}()
	if !wantAddr {
		return p, nil
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case a := <-addrc:
		p.Addr = a
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited before listening: %v\n%s", bin, p.err, p.Stderr())
	case <-t.C:
		p.Stop()
		return nil, fmt.Errorf("%s did not log a listening address within %s\n%s", bin, timeout, p.Stderr())
	}
}

// Stderr returns what the process has logged so far.
func (p *Proc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Err is the process's exit error, valid after Done.
func (p *Proc) Err() error { return p.err }

// Stop sends SIGTERM and waits for exit (SIGKILL after 10 s).
func (p *Proc) Stop() error {
	if p.Cmd.Process == nil {
		return nil
	}
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.Cmd.Process.Kill()
		<-p.done
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return fmt.Errorf("%s: %v", p.Cmd.Path, p.err)
	}
	return p.err
}

// Command returns an exec.Cmd for bin that is ended with SIGTERM when ctx is
// done (for stdio servers driven by mcp.CommandTransport).
func Command(ctx context.Context, bin string, args, env []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

var (
	buildMu    sync.Mutex
	buildCache = map[string]string{}
	buildDir   string
)

// Binary returns the path of a project binary for end-to-end tests: from
// $BIZMCP_BIN (set by `make test`, which has just built them) or else built
// once per test process with `go build` from pkg (e.g. "./servers/crm",
// relative to the module root).
func Binary(name, pkg string) (string, error) {
	if dir := os.Getenv("BIZMCP_BIN"); dir != "" {
		p := dir + "/" + name
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := buildCache[name]; ok {
		return p, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	if buildDir == "" {
		if buildDir, err = os.MkdirTemp("", "bizmcp-bin-"); err != nil {
			return "", err
		}
	}
	out := buildDir + "/" + name
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	buildCache[name] = out
	return out, nil
}

func moduleRoot() (string, error) {
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(b))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the bizmcp module")
	}
	return strings.TrimSuffix(mod, "/go.mod"), nil
}

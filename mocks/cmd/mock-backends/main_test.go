package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	addrFile := filepath.Join(dir, "addr")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	listening := make(chan string, 1)
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"--addr", "127.0.0.1:0", "--addr-file", addrFile,
			"--fixtures", "../../testdata/fixtures.example.json", "--faults", "/crm/customers/C-1002=status:503#1"},
			io.Discard, &stderr, func(addr string) { listening <- addr })
	}()
	var addr string
	select {
	case addr = <-listening:
	case code := <-exit:
		t.Fatalf("exited early with %d: %s", code, stderr.String())
	}

	// The start line is JSON and carries the bound address.
	first, _ := bufio.NewReader(strings.NewReader(stderr.String())).ReadString('\n')
	var start struct {
		Msg     string   `json:"msg"`
		Addr    string   `json:"addr"`
		Domains []string `json:"domains"`
	}
	if err := json.Unmarshal([]byte(first), &start); err != nil || start.Addr != addr || len(start.Domains) == 0 || start.Domains[0] != "crm" {
		t.Fatalf("start line %q: %v", first, err)
	}
	if b, err := os.ReadFile(addrFile); err != nil || strings.TrimSpace(string(b)) != addr {
		t.Fatalf("--addr-file: %q %v", b, err)
	}

	get := func(path string) (int, string) {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/crm/customers/search"); code != 200 || !strings.Contains(body, `"total":3`) {
		t.Errorf("fixtures not loaded: %d %.200s", code, body)
	}
	if code, _ := get("/crm/customers/C-1002"); code != 503 {
		t.Errorf("fault not applied: %d", code)
	}
	if code, _ := get("/crm/customers/C-1002"); code != 200 {
		t.Errorf("fault #1 not exhausted: %d", code)
	}

	cancel() // as SIGINT/SIGTERM would
	if code := <-exit; code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no stop log: %s", stderr.String())
	}
	if _, err := os.Stat(addrFile); !os.IsNotExist(err) {
		t.Errorf("addr file left behind: %v", err)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "unknown.json")
	os.WriteFile(unknown, []byte(`{"crm":{"customers":[]},"inventory":{}}`), 0o644)
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`{"crm":`), 0o644)

	cases := []struct {
		name    string
		args    []string
		code    int
		mention string
	}{
		{"unknown fixtures key", []string{"--fixtures", unknown}, 2, `unknown domain \"inventory\"`},
		{"broken fixtures", []string{"--fixtures", broken}, 2, "fixtures"},
		{"missing fixtures", []string{"--fixtures", filepath.Join(dir, "nope.json")}, 2, "cannot read fixtures"},
		{"bad faults", []string{"--faults", "/crm/*=explode"}, 2, `unknown fault \"explode\"`},
		{"bad flag", []string{"--nope"}, 2, "flag provided but not defined"},
		{"stray arg", []string{"extra"}, 2, "unexpected arguments"},
		{"bad addr", []string{"--addr", "256.0.0.1:bad"}, 2, "cannot listen"},
	}
	for _, c := range cases {
		var stderr bytes.Buffer
		code := run(context.Background(), c.args, io.Discard, &stderr, nil)
		if code != c.code || !strings.Contains(stderr.String(), c.mention) {
			t.Errorf("%s: exit %d, stderr %q (want %d mentioning %q)", c.name, code, stderr.String(), c.code, c.mention)
		}
	}

	var stdout bytes.Buffer
	if code := run(context.Background(), []string{"--version"}, &stdout, io.Discard, nil); code != 0 || !strings.HasPrefix(stdout.String(), "mock-backends ") {
		t.Errorf("--version: %d %q", code, stdout.String())
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"--help"}, &stdout, io.Discard, nil); code != 0 || !strings.Contains(stdout.String(), "-addr-file") {
		t.Errorf("--help: %d %q", code, stdout.String())
	}
}

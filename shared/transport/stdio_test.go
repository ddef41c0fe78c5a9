package transport

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// stdioSession runs a server over Stdio on pipes and returns a line writer
// and a line reader for the client side.
func stdioSession(t *testing.T) (send func(string), recv func() map[string]any) {
	t.Helper()
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "ping", Description: "ping"}, func(context.Context, *mcp.CallToolRequest, In) (*mcp.CallToolResult, Out, error) {
		return nil, Out{OK: true}, nil
	})
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, &Stdio{In: inR, Out: outW, MaxLine: 1 << 16}) }()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		outR.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("server did not stop")
		}
	})
	sc := bufio.NewScanner(outR)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	send = func(s string) {
		if _, err := io.WriteString(inW, s+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	recv = func() map[string]any {
		if !sc.Scan() {
			t.Fatalf("no response: %v", sc.Err())
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("response not JSON: %s", sc.Text())
		}
		return m
	}
	return send, recv
}

func code(m map[string]any) float64 {
	e, _ := m["error"].(map[string]any)
	c, _ := e["code"].(float64)
	return c
}

func TestStdioSurvivesBadLines(t *testing.T) {
	send, recv := stdioSession(t)
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`)
	if m := recv(); m["result"] == nil {
		t.Fatalf("initialize: %v", m)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	for _, tc := range []struct {
		line string
		code float64
	}{
		{`this is not json`, -32700},
		{`{"jsonrpc":"2.0","id":2,"method":`, -32700},
		{`[{"jsonrpc":"2.0","id":3,"method":"tools/list"}]`, -32600},
		{`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"ping","arguments":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}}`, -32600},
		{`{"jsonrpc":"2.0","id":5,"method":"ping","params":{"pad":"` + strings.Repeat("x", 1<<17) + `"}}`, -32600},
	} {
		send(tc.line)
		if m := recv(); code(m) != tc.code {
			t.Errorf("%.50s: %v, want code %v", tc.line, m, tc.code)
		}
	}
	// The session goes on.
	send(`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"ping","arguments":{}}}`)
	m := recv()
	if r, _ := m["result"].(map[string]any); r == nil || r["isError"] == true || m["id"] != float64(9) {
		t.Fatalf("after bad lines: %v", m)
	}
}

// A garbage line with control bytes is answered with valid JSON (Go's %q
// would write \x01).
func TestStdioControlBytesAnsweredWithJSON(t *testing.T) {
	send, recv := stdioSession(t)
	for _, line := range []string{"\x01\x02garbage\x7f", "{\"a\":\x01}", "\xff\xfe{"} {
		send(line)
		if m := recv(); code(m) != -32700 { // recv fails the test on invalid JSON
			t.Errorf("%q: %v", line, m)
		}
	}
}

// On end of input, requests already read are answered before the session
// ends: printf '<initialize>\n<initialized>\n<tools/call>\n' | server.
func TestStdioAnswersRequestsReadBeforeEOF(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	release := make(chan struct{})
	mcp.AddTool(srv, &mcp.Tool{Name: "slow", Description: "slow"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ In) (*mcp.CallToolResult, Out, error) {
		<-release // still running when the input ends
		return nil, Out{OK: true}, nil
	})
	input := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"slow","arguments":{}}}
`
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), srv, Options{Transport: "stdio", Stdin: io.NopCloser(strings.NewReader(input)), Stdout: outW})
		outW.Close()
	}()
	sc := bufio.NewScanner(outR)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	if !sc.Scan() || !strings.Contains(sc.Text(), `"id":1`) {
		t.Fatalf("initialize answer: %q %v", sc.Text(), sc.Err())
	}
	close(release)
	var got []string
	for sc.Scan() {
		got = append(got, sc.Text())
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[0], `"id":2`) || !strings.Contains(got[0], `"ok":true`) {
		t.Fatalf("after end of input: %q, want the tools/call answer", got)
	}
}

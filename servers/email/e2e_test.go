package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/bizmcp/bizmcp/mocks/email"
	"github.com/bizmcp/bizmcp/servers/email/internal/tools"
	"github.com/bizmcp/bizmcp/shared/mcptest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// End-to-end tests: the real binaries as processes, over stdio and HTTP,
// against a running mock-backends, including the "checked by"
// scenarios.

func binaries(t *testing.T) (server, mock string) {
	t.Helper()
	if testing.Short() {
		t.Skip("process tests skipped in -short mode")
	}
	server, err := proc.Binary("email-mcp", "./servers/email")
	if err != nil {
		t.Fatal(err)
	}
	mock, err = proc.Binary("mock-backends", "./mocks/cmd/mock-backends")
	if err != nil {
		t.Fatal(err)
	}
	return server, mock
}

func startMock(t *testing.T, bin string) *proc.Proc {
	t.Helper()
	p, err := proc.Start(context.Background(), bin, []string{"--addr", "127.0.0.1:0"}, nil, true, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop() })
	return p
}

func startHTTP(t *testing.T, bin string, env ...string) *proc.Proc {
	t.Helper()
	p, err := proc.Start(context.Background(), bin, []string{"--transport", "http", "--addr", "127.0.0.1:0"}, env, true, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop() })
	return p
}

func connect(t *testing.T, tr mcp.Transport) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, nil).Connect(ctx, tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

func mockDo(t *testing.T, method, url, body string) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s %s", method, url, resp.Status, b)
	}
	return b
}

func setFaults(t *testing.T, mockAddr, spec string) {
	t.Helper()
	mockDo(t, http.MethodPut, "http://"+mockAddr+"/_faults", spec)
}

// emailWrites returns the email domain's committed writes and replays.
func emailWrites(t *testing.T, mockAddr string) (writes, replays int64, sends int64) {
	t.Helper()
	var st struct {
		Writes  map[string]int64 `json:"writes"`
		Domains map[string]struct {
			Writes  int64 `json:"writes"`
			Replays int64 `json:"replays"`
		} `json:"domains"`
	}
	if err := json.Unmarshal(mockDo(t, http.MethodGet, "http://"+mockAddr+"/_stats", ""), &st); err != nil {
		t.Fatal(err)
	}
	return st.Domains["email"].Writes, st.Domains["email"].Replays, st.Writes["POST /email/messages/send"]
}

func deliveries(t *testing.T, mockAddr string) email.DeliveriesResponse {
	t.Helper()
	var d email.DeliveriesResponse
	if err := json.Unmarshal(mockDo(t, http.MethodGet, "http://"+mockAddr+"/email/deliveries", ""), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// Checked by: a message asking the assistant to forward data outside comes
// back flagged, and email_send to that address is refused by the allow-list.
func TestE2EStdioInjectionFlaggedAndSendRefused(t *testing.T) {
	server, mock := binaries(t)
	m := startMock(t, mock)
	cmd := proc.Command(context.Background(), server, nil, []string{"EMAIL_API_URL=http://" + m.Addr + "/email", "MCP_LOG_LEVEL=warn", "MCP_AUDIT_LOG=" + t.TempDir() + "/audit.jsonl"})
	cs := connect(t, &mcp.CommandTransport{Command: cmd})
	if list := mcptest.CheckTools(t, cs, "email_"); len(list) != 5 {
		t.Fatalf("%d tools", len(list))
	}
	res := mcptest.Call(t, cs, "email_get_message", map[string]any{"id": email.InjectionForwardID})
	text := mcptest.Text(res)
	if res.IsError || res.Meta["bizmcp/untrusted"] == nil || !strings.Contains(text, "⟦untrusted-data") || !strings.Contains(text, email.ExfilAddress) {
		t.Fatalf("not flagged: %v\n%s", res.Meta, text)
	}
	res = mcptest.Call(t, cs, "email_send", map[string]any{"to": []string{email.ExfilAddress}, "subject": "Customer list", "body": "As requested."})
	text = mcptest.Text(res)
	if !res.IsError || !strings.Contains(text, "domain outside-mail.example is not in EMAIL_ALLOWED_RECIPIENT_DOMAINS") {
		t.Fatalf("send not refused by the allow-list: %s", text)
	}
	if d := deliveries(t, m.Addr); d.Total != 0 {
		t.Errorf("%d deliveries", d.Total)
	}
	if _, _, sends := emailWrites(t, m.Addr); sends != 0 {
		t.Errorf("the backend saw %d sends", sends)
	}
}

// Checked by: a long thread's email_get_message is at least 5x smaller than
// the raw backend message.
func TestE2EHTTPLongThreadCompact(t *testing.T) {
	server, mock := binaries(t)
	m := startMock(t, mock)
	s := startHTTP(t, server, "EMAIL_API_URL=http://"+m.Addr+"/email", "MCP_AUDIT_LOG="+t.TempDir()+"/audit.jsonl")
	base := "http://" + s.Addr
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		b := mockDo(t, http.MethodGet, base+path, "")
		if !strings.Contains(string(b), want) {
			t.Errorf("%s: %s", path, b)
		}
	}
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: base + "/mcp"})
	mcptest.CheckTools(t, cs, "email_")
	raw := mockDo(t, http.MethodGet, "http://"+m.Addr+"/email/messages/"+email.LongThreadLastID, "")
	res := mcptest.Call(t, cs, "email_get_message", map[string]any{"id": email.LongThreadLastID})
	if res.IsError {
		t.Fatal(mcptest.Text(res))
	}
	got, _ := json.Marshal(res)
	ratio := float64(len(raw)) / float64(len(got))
	if len(raw) < 20_000 || ratio < 5 {
		t.Errorf("raw %d bytes, result %d bytes: %.1fx", len(raw), len(got), ratio)
	}
	t.Logf("raw %d bytes, tool result %d bytes: %.1fx smaller", len(raw), len(got), ratio)
	checkContext(t, cs)
}

// Checked by: a retried email_send with the same arguments after a dropped
// connection delivers one message.
func TestE2EDroppedConnectionDeliversOnce(t *testing.T) {
	server, mock := binaries(t)
	m := startMock(t, mock)
	// No retries inside the call: the dropped connection reaches the model,
	// which retries the call with the same arguments.
	s := startHTTP(t, server, "EMAIL_API_URL=http://"+m.Addr+"/email", "EMAIL_API_MAX_RETRIES=0", "MCP_AUDIT_LOG="+t.TempDir()+"/audit.jsonl")
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: "http://" + s.Addr + "/mcp"})
	setFaults(t, m.Addr, "POST /email/messages/send=reset-after#1")
	args := map[string]any{"to": []string{"marcus.lee@bizmcp.example"}, "subject": "Follow-up: ORD-48291", "body": "Santiago asked where ORD-48291 is; it ships with FedEx, tracking 7749281934."}
	res := mcptest.Call(t, cs, "email_send", args)
	if text := mcptest.Text(res); !res.IsError || !strings.Contains(text, "cannot be reached") || !strings.Contains(text, "Retrying with the same arguments is safe") {
		t.Fatalf("first call: %s", text)
	}
	res = mcptest.Call(t, cs, "email_send", args)
	var out tools.SendOut
	mcptest.Structured(t, res, &out)
	if res.IsError || !out.Replayed {
		t.Fatalf("retry: %s", mcptest.Text(res))
	}
	writes, replays, sends := emailWrites(t, m.Addr)
	d := deliveries(t, m.Addr)
	if writes != 1 || sends != 1 || replays != 1 || d.Total != 1 || d.Deliveries[0].MessageID != out.MessageID {
		t.Errorf("writes %d, sends %d, replays %d, deliveries %+v", writes, sends, replays, d)
	}
}

// With the default retries the lost response is recovered inside one call.
func TestE2ELostResponseRetriedInsideTheCall(t *testing.T) {
	server, mock := binaries(t)
	m := startMock(t, mock)
	s := startHTTP(t, server, "EMAIL_API_URL=http://"+m.Addr+"/email", "EMAIL_ALLOWED_RECIPIENT_DOMAINS=bizmcp.example,costa-consultores.example", "MCP_AUDIT_LOG="+t.TempDir()+"/audit.jsonl")
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: "http://" + s.Addr + "/mcp"})
	res := mcptest.Call(t, cs, "email_create_draft", map[string]any{"in_reply_to": email.DemoMessageID, "body": "Hola Santiago: su pedido ORD-48291 llega el 26 de febrero."})
	var d tools.CreateDraftOut
	mcptest.Structured(t, res, &d)
	if res.IsError || !d.SendAllowed {
		t.Fatal(mcptest.Text(res))
	}
	setFaults(t, m.Addr, "POST /email/drafts/*/send=reset-after#1")
	res = mcptest.Call(t, cs, "email_send", map[string]any{"draft_id": d.DraftID})
	if res.IsError {
		t.Fatalf("the retry should have recovered: %s", mcptest.Text(res))
	}
	if dl := deliveries(t, m.Addr); dl.Total != 1 || dl.Deliveries[0].To[0] != email.DemoCustomerEmail {
		t.Errorf("deliveries: %+v", dl)
	}
}

func TestE2EStdioDemo(t *testing.T) {
	server, _ := binaries(t)
	cs := connect(t, &mcp.CommandTransport{Command: proc.Command(context.Background(), server, []string{"--demo"}, []string{"MCP_LOG_LEVEL=warn", "MCP_AUDIT_LOG=" + t.TempDir() + "/audit.jsonl"})})
	res := mcptest.Call(t, cs, "email_search", map[string]any{"query": "ORD-48291"})
	if res.IsError || !strings.Contains(mcptest.Text(res), email.DemoMessageID) {
		t.Fatal(mcptest.Text(res))
	}
	checkContext(t, cs)
}

func TestE2EBadConfig(t *testing.T) {
	server, _ := binaries(t)
	for env, want := range map[string]string{
		"":                                  "EMAIL_API_URL",
		"EMAIL_ALLOWED_RECIPIENT_DOMAINS=*": "EMAIL_ALLOWED_RECIPIENT_DOMAINS",
		"EMAIL_SEND_QUOTA=-5":               "EMAIL_SEND_QUOTA",
	} {
		var stderr, stdout bytes.Buffer
		cmd := exec.Command(server)
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		if env != "" {
			cmd.Env = append(cmd.Env, env, "EMAIL_API_URL=http://127.0.0.1:1/email")
		}
		cmd.Stderr, cmd.Stdout = &stderr, &stdout
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 {
			t.Fatalf("%q: exit %v", env, err)
		}
		msg := strings.TrimSpace(stderr.String())
		if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, want) || stdout.Len() != 0 {
			t.Errorf("%q: stderr %q stdout %q", env, msg, stdout.String())
		}
	}
}

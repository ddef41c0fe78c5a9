package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/mocks/email"
	"github.com/bizmcp/bizmcp/servers/email/internal/tools"
	"github.com/bizmcp/bizmcp/shared/mcptest"
)

// End-to-end tests: the real binaries as processes, over stdio and HTTP,
// against a running mock-backends, including the "checked by"
// scenarios.

// emailWrites returns the email domain's committed writes and replays.
func emailWrites(t *testing.T, mockAddr string) (writes, replays int64, sends int64) {
	t.Helper()
	st := e2e.Stats(t, mockAddr)
	return st.Domains["email"].Writes, st.Domains["email"].Replays, st.Writes["POST /email/messages/send"]
}

func deliveries(t *testing.T, mockAddr string) email.DeliveriesResponse {
	t.Helper()
	var d email.DeliveriesResponse
	if err := json.Unmarshal(e2e.Do(t, http.MethodGet, "http://"+mockAddr+"/email/deliveries", ""), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// Checked by: a message asking the assistant to forward data outside comes
// back flagged, and email_send to that address is refused by the allow-list.
func TestE2EStdioInjectionFlaggedAndSendRefused(t *testing.T) {
	server, _ := e2e.Binaries(t, "email")
	m := e2e.StartMock(t)
	cs := e2e.ConnectStdio(t, server, nil, "EMAIL_API_URL=http://"+m.Addr+"/email", "MCP_LOG_LEVEL=warn", "MCP_AUDIT_LOG="+t.TempDir()+"/audit.jsonl")
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
	server, _ := e2e.Binaries(t, "email")
	m := e2e.StartMock(t)
	s := e2e.StartHTTP(t, server, "EMAIL_API_URL=http://"+m.Addr+"/email", "MCP_AUDIT_LOG="+t.TempDir()+"/audit.jsonl")
	base := "http://" + s.Addr
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		b := e2e.Do(t, http.MethodGet, base+path, "")
		if !strings.Contains(string(b), want) {
			t.Errorf("%s: %s", path, b)
		}
	}
	cs := e2e.ConnectHTTP(t, s.Addr)
	mcptest.CheckTools(t, cs, "email_")
	raw := e2e.Do(t, http.MethodGet, "http://"+m.Addr+"/email/messages/"+email.LongThreadLastID, "")
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
	server, _ := e2e.Binaries(t, "email")
	m := e2e.StartMock(t)
	// No retries inside the call: the dropped connection reaches the model,
	// which retries the call with the same arguments.
	s := e2e.StartHTTP(t, server, "EMAIL_API_URL=http://"+m.Addr+"/email", "EMAIL_API_MAX_RETRIES=0", "MCP_AUDIT_LOG="+t.TempDir()+"/audit.jsonl")
	cs := e2e.ConnectHTTP(t, s.Addr)
	e2e.SetFaults(t, m.Addr, "POST /email/messages/send=reset-after#1")
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
	server, _ := e2e.Binaries(t, "email")
	m := e2e.StartMock(t)
	s := e2e.StartHTTP(t, server, "EMAIL_API_URL=http://"+m.Addr+"/email", "EMAIL_ALLOWED_RECIPIENT_DOMAINS=bizmcp.example,costa-consultores.example", "MCP_AUDIT_LOG="+t.TempDir()+"/audit.jsonl")
	cs := e2e.ConnectHTTP(t, s.Addr)
	res := mcptest.Call(t, cs, "email_create_draft", map[string]any{"in_reply_to": email.DemoMessageID, "body": "Hola Santiago: su pedido ORD-48291 llega el 26 de febrero."})
	var d tools.CreateDraftOut
	mcptest.Structured(t, res, &d)
	if res.IsError || !d.SendAllowed {
		t.Fatal(mcptest.Text(res))
	}
	e2e.SetFaults(t, m.Addr, "POST /email/drafts/*/send=reset-after#1")
	res = mcptest.Call(t, cs, "email_send", map[string]any{"draft_id": d.DraftID})
	if res.IsError {
		t.Fatalf("the retry should have recovered: %s", mcptest.Text(res))
	}
	if dl := deliveries(t, m.Addr); dl.Total != 1 || dl.Deliveries[0].To[0] != email.DemoCustomerEmail {
		t.Errorf("deliveries: %+v", dl)
	}
}

func TestE2EStdioDemo(t *testing.T) {
	server, _ := e2e.Binaries(t, "email")
	cs := e2e.ConnectStdio(t, server, []string{"--demo"}, "MCP_LOG_LEVEL=warn", "MCP_AUDIT_LOG="+t.TempDir()+"/audit.jsonl")
	res := mcptest.Call(t, cs, "email_search", map[string]any{"query": "ORD-48291"})
	if res.IsError || !strings.Contains(mcptest.Text(res), email.DemoMessageID) {
		t.Fatal(mcptest.Text(res))
	}
	checkContext(t, cs)
}

func TestE2EBadConfig(t *testing.T) {
	server, _ := e2e.Binaries(t, "email")
	for env, want := range map[string]string{
		"":                                  "EMAIL_API_URL",
		"EMAIL_ALLOWED_RECIPIENT_DOMAINS=*": "EMAIL_ALLOWED_RECIPIENT_DOMAINS",
		"EMAIL_SEND_QUOTA=-5":               "EMAIL_SEND_QUOTA",
	} {
		var environ []string
		if env != "" {
			environ = []string{env, "EMAIL_API_URL=http://127.0.0.1:1/email"}
		}
		e2e.CheckUsageExit(t, server, environ, want)
	}
}

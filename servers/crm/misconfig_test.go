package main

import (
	"bufio"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
	"github.com/bizmcp/bizmcp/shared/transport"
)

// CRM_API_URL without its /crm prefix reaches the mock backends' root,
// which answers JSON 404s for every path. That is told apart from a
// missing customer: logged at start, shown by /readyz, and said to the
// model as a deployment problem naming CRM_API_URL.
func TestWrongBaseURLIsToldApartFromMissingRecord(t *testing.T) {
	ms, err := mocks.NewServer(mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(ms)
	t.Cleanup(func() { ms.Close(); ts.Close() })
	env := []string{"CRM_API_URL=" + ts.URL} // missing "/crm"

	// The binary's main path over stdio: the start-up check logs it.
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- app.Run(context.Background(), Spec, "test", nil, env, inR, outW, errW)
		outW.Close()
		errW.Close()
	}()
	logs := bufio.NewScanner(errR)
	found := ""
	for logs.Scan() {
		if strings.Contains(logs.Text(), "backend base URL looks wrong at start") {
			found = logs.Text()
			break
		}
	}
	go io.Copy(io.Discard, errR)
	if !strings.Contains(found, `"level":"ERROR"`) || !strings.Contains(found, "CRM_API_URL") {
		t.Fatalf("start-up log: %q", found)
	}
	io.WriteString(inW, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"crm_get_customer","arguments":{"id":"C-1001"}}}
`)
	inW.Close()
	out := bufio.NewScanner(outR)
	out.Buffer(make([]byte, 1<<20), 1<<20)
	var answer string
	for out.Scan() {
		if strings.Contains(out.Text(), `"id":2`) {
			answer = out.Text()
		}
	}
	if !strings.Contains(answer, "CRM_API_URL") || !strings.Contains(answer, "not a missing record") || strings.Contains(answer, "crm_search_customers") {
		t.Errorf("tool answer: %s", answer)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop at end of input")
	}

	// /readyz says so (a reason code only).
	srv, deps := apptest.Build(t, Spec, nil, nil, env...)
	opts, err := app.HTTPOptions(context.Background(), Spec, deps)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	transport.Handler(srv, opts).ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/readyz", nil))
	if rec.Code != 503 || rec.Body.String() != "not ready: misconfigured\n" {
		t.Errorf("readyz: %d %q", rec.Code, rec.Body)
	}
}

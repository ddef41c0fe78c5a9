// Package replicas runs two replicas of a server, as real processes,
// sharing one Redis, and checks that they never perform the same write
// twice — retried on the other replica, or sent to both at once — and that
// an approval requested on one replica can be granted through the other,
// and that the email send quota is one budget for both.
package replicas

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/e2e"
	"github.com/bizmcp/bizmcp/shared/kv/kvtest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type cluster struct {
	mock     string
	replicas []string // HTTP base URLs
}

func start(t *testing.T, extraEnv ...string) *cluster {
	t.Helper()
	e2e.SkipShort(t)
	redisURL := kvtest.RedisForTest(t)
	bin := e2e.ServerBinary(t, "orders")
	mock := e2e.StartMock(t)
	c := &cluster{mock: mock.Addr}
	for range 2 {
		env := append([]string{
			"ORDERS_API_URL=http://" + mock.Addr + "/orders", "MCP_REDIS_URL=" + redisURL,
			"MCP_AUDIT_LOG=" + os.DevNull,
		}, extraEnv...)
		p := e2e.StartHTTP(t, bin, env...)
		c.replicas = append(c.replicas, "http://"+p.Addr)
	}
	return c
}

// run makes arguments unique per test run: the Redis may outlive it.
var run = time.Now().Format("150405.000000")

func connect(t *testing.T, base string) *mcp.ClientSession {
	t.Helper()
	return e2e.Connect(t, &mcp.StreamableClientTransport{Endpoint: base + "/mcp"})
}

func refund(t *testing.T, cs *mcp.ClientSession, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "orders_create_refund", Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestReplicasNeverWriteTwice(t *testing.T) {
	c := start(t)
	a, b := connect(t, c.replicas[0]), connect(t, c.replicas[1])
	before := e2e.Stats(t, c.mock).Domains["orders"].Writes

	// A retry that lands on the other replica is answered from the shared
	// store: the backend is not called again.
	args := map[string]any{"order_id": "ORD-49005", "amount_minor": 1500, "currency": "USD", "reason": "goodwill", "reference": "replica-test-1-" + run}
	if res := refund(t, a, args); res.IsError {
		t.Fatalf("refund on replica A: %s", e2e.Text(res))
	}
	reqBefore := e2e.Stats(t, c.mock).Routes
	res := refund(t, b, args)
	if res.IsError || res.Meta["bizmcp/replayed"] != true {
		t.Fatalf("retry on replica B was not replayed from the shared store: %s %v", e2e.Text(res), res.Meta)
	}
	if after := e2e.Stats(t, c.mock).Routes; sum(after) != sum(reqBefore) {
		t.Errorf("the replayed retry reached the backend (%d requests)", sum(after)-sum(reqBefore))
	}

	// The same write sent to both replicas at once is performed once.
	args2 := map[string]any{"order_id": "ORD-49005", "amount_minor": 700, "currency": "USD", "reason": "goodwill", "reference": "replica-test-2-" + run}
	var wg sync.WaitGroup
	results := make([]*mcp.CallToolResult, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cs := a
			if i%2 == 1 {
				cs = b
			}
			results[i], _ = cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "orders_create_refund", Arguments: args2})
		}()
	}
	wg.Wait()
	// Losers of the race were told to retry; their retries replay.
	for i, r := range results {
		if r == nil || (r.IsError && strings.Contains(e2e.Text(r), "still running")) {
			cs := a
			if i%2 == 1 {
				cs = b
			}
			for {
				rr := refund(t, cs, args2)
				if !rr.IsError {
					break
				}
				if !strings.Contains(e2e.Text(rr), "still running") {
					t.Fatalf("retry: %s", e2e.Text(rr))
				}
				time.Sleep(20 * time.Millisecond) // the winner is still writing
			}
		} else if r.IsError {
			t.Errorf("concurrent call %d: %s", i, e2e.Text(r))
		}
	}
	if got := e2e.Stats(t, c.mock).Domains["orders"].Writes - before; got != 2 {
		t.Errorf("backend performed %d refunds for 2 distinct refunds sent %d+%d times", got, 2, len(results))
	}
}

func sum(m map[string]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

// An approval requested through one replica is granted through the other
// replica's approvals endpoint and redeemed on the first.
func TestApprovalAcrossReplicas(t *testing.T) {
	c := start(t, "MCP_APPROVAL_POLICY=orders_create_refund>1000", "MCP_APPROVAL_TOKEN=approver-token-1", "MCP_APPROVAL_SECRET=shared-seal-key-of-at-least-32-bytes!")
	a := connect(t, c.replicas[0])
	args := map[string]any{"order_id": "ORD-49005", "amount_minor": 2500, "currency": "USD", "reason": "damaged", "reference": "approval-replicas-" + run}
	res := refund(t, a, args)
	i := strings.Index(e2e.Text(res), "apr_")
	if !res.IsError || i < 0 {
		t.Fatalf("want a pending approval: %s", e2e.Text(res))
	}
	id := e2e.Text(res)[i : i+24]
	req, _ := http.NewRequest(http.MethodPost, c.replicas[1]+"/approvals/"+id+"/approve", strings.NewReader(`{"by":"Dana (finance)"}`))
	req.Header.Set("Authorization", "Bearer approver-token-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("approve on replica B: %s %s", resp.Status, b)
	}
	args["approval_id"] = id
	if res := refund(t, a, args); res.IsError {
		t.Fatalf("approved refund on replica A: %s", e2e.Text(res))
	}
}

// Two email replicas on one Redis share EMAIL_SEND_QUOTA: with a quota of
// 2 they send 2 messages between them, not 2 each.
func TestSendQuotaSharedByReplicas(t *testing.T) {
	if os.Getenv("BIZMCP_REDIS_URL") != "" {
		t.Skip("needs a Redis of its own: the quota's counters of this hour would carry over from earlier runs")
	}
	e2e.SkipShort(t)
	redisURL := kvtest.RedisForTest(t)
	bin := e2e.ServerBinary(t, "email")
	mock := e2e.StartMock(t)
	var cs []*mcp.ClientSession
	for range 2 {
		p := e2e.StartHTTP(t, bin, "EMAIL_API_URL=http://"+mock.Addr+"/email", "MCP_REDIS_URL="+redisURL,
			"MCP_AUDIT_LOG="+os.DevNull, "EMAIL_SEND_QUOTA=2")
		cs = append(cs, connect(t, "http://"+p.Addr))
	}
	sent := 0
	for i := range 4 {
		res, err := cs[i%2].CallTool(context.Background(), &mcp.CallToolParams{Name: "email_send", Arguments: map[string]any{
			"to": []string{"marcus.lee@bizmcp.example"}, "subject": "quota " + run + " " + string(rune('a'+i)), "body": "hello",
		}})
		if err != nil {
			t.Fatal(err)
		}
		if !res.IsError {
			sent++
		} else if !strings.Contains(e2e.Text(res), "EMAIL_SEND_QUOTA allows 2") {
			t.Errorf("send %d: %s", i, e2e.Text(res))
		}
	}
	if w := e2e.Stats(t, mock.Addr).Domains["email"].Writes; sent != 2 || w != 2 {
		t.Errorf("two replicas with EMAIL_SEND_QUOTA=2 sent %d messages (backend writes %d), want 2", sent, w)
	}
}

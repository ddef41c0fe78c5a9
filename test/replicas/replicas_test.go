// Package replicas runs two replicas of a server, as real processes,
// sharing one Redis, and checks that they never perform the same write
// twice — retried on the other replica, or sent to both at once — and that
// an approval requested on one replica can be granted through the other.
package replicas

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/internal/proc"
	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type cluster struct {
	mock     string
	replicas []string // HTTP base URLs
}

func start(t *testing.T, extraEnv ...string) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("process tests skipped in -short mode")
	}
	redisURL := kv.RedisForTest(t)
	mockBin, err := proc.Binary("mock-backends", "./mocks/cmd/mock-backends")
	if err != nil {
		t.Fatal(err)
	}
	bin, err := proc.Binary("orders-mcp", "./servers/orders")
	if err != nil {
		t.Fatal(err)
	}
	mock, err := proc.Start(context.Background(), mockBin, []string{"--addr", "127.0.0.1:0"}, nil, true, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mock.Stop() })
	c := &cluster{mock: mock.Addr}
	for range 2 {
		env := append([]string{
			"ORDERS_API_URL=http://" + mock.Addr + "/orders", "MCP_REDIS_URL=" + redisURL,
			"MCP_AUDIT_LOG=" + os.DevNull,
		}, extraEnv...)
		p, err := proc.Start(context.Background(), bin, []string{"--transport", "http", "--addr", "127.0.0.1:0"}, env, true, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Stop() })
		c.replicas = append(c.replicas, "http://"+p.Addr)
	}
	return c
}

// run makes arguments unique per test run: the Redis may outlive it.
var run = time.Now().Format("150405.000000")

func connect(t *testing.T, base string) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "replicas", Version: "1"}, nil).Connect(ctx, &mcp.StreamableClientTransport{Endpoint: base + "/mcp"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

type stats struct {
	Routes  map[string]int64 `json:"routes"`
	Domains map[string]struct {
		Writes, Replays int64
	} `json:"domains"`
}

func getStats(t *testing.T, mock string) stats {
	t.Helper()
	resp, err := http.Get("http://" + mock + "/_stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s stats
	json.NewDecoder(resp.Body).Decode(&s)
	return s
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
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
	before := getStats(t, c.mock).Domains["orders"].Writes

	// A retry that lands on the other replica is answered from the shared
	// store: the backend is not called again.
	args := map[string]any{"order_id": "ORD-49005", "amount_minor": 1500, "currency": "USD", "reason": "goodwill", "reference": "replica-test-1-" + run}
	if res := refund(t, a, args); res.IsError {
		t.Fatalf("refund on replica A: %s", text(res))
	}
	reqBefore := getStats(t, c.mock).Routes
	res := refund(t, b, args)
	if res.IsError || res.Meta["bizmcp/replayed"] != true {
		t.Fatalf("retry on replica B was not replayed from the shared store: %s %v", text(res), res.Meta)
	}
	if after := getStats(t, c.mock).Routes; sum(after) != sum(reqBefore) {
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
		if r == nil || (r.IsError && strings.Contains(text(r), "still running")) {
			cs := a
			if i%2 == 1 {
				cs = b
			}
			for {
				rr := refund(t, cs, args2)
				if !rr.IsError {
					break
				}
				if !strings.Contains(text(rr), "still running") {
					t.Fatalf("retry: %s", text(rr))
				}
				time.Sleep(20 * time.Millisecond) // the winner is still writing
			}
		} else if r.IsError {
			t.Errorf("concurrent call %d: %s", i, text(r))
		}
	}
	if got := getStats(t, c.mock).Domains["orders"].Writes - before; got != 2 {
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
	c := start(t, "MCP_APPROVAL_POLICY=orders_create_refund>1000", "MCP_APPROVAL_TOKEN=approver-token-1", "MCP_APPROVAL_SECRET=shared-seal-key")
	a := connect(t, c.replicas[0])
	args := map[string]any{"order_id": "ORD-49005", "amount_minor": 2500, "currency": "USD", "reason": "damaged", "reference": "approval-replicas-" + run}
	res := refund(t, a, args)
	i := strings.Index(text(res), "apr_")
	if !res.IsError || i < 0 {
		t.Fatalf("want a pending approval: %s", text(res))
	}
	id := text(res)[i : i+24]
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
		t.Fatalf("approved refund on replica A: %s", text(res))
	}
}

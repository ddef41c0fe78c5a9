package idempotency

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/kv/kvtest"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type in struct {
	ID   string `json:"id"`
	Fail bool   `json:"fail,omitempty"`
}
type out struct {
	N int64 `json:"n"`
}

// server builds a server whose write tool counts executions and whose
// read tool is not deduplicated; block, when set, holds the write after
// announcing on started that it is running.
func server(store kv.Store, runs *atomic.Int64, block chan struct{}) *mcp.Server {
	return serverStarted(store, runs, block, nil)
}

func serverStarted(store kv.Store, runs *atomic.Int64, block, started chan struct{}) *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "refund"}, func(ctx context.Context, _ *mcp.CallToolRequest, a in) (*mcp.CallToolResult, out, error) {
		if KeyFrom(ctx) == "" {
			panic("no idempotency key in the context")
		}
		if started != nil {
			started <- struct{}{}
		}
		if block != nil {
			<-block
		}
		if a.Fail {
			return nil, out{}, context.DeadlineExceeded
		}
		return nil, out{N: runs.Add(1)}, nil
	})
	mcp.AddTool(srv, &mcp.Tool{Name: "get"}, func(ctx context.Context, _ *mcp.CallToolRequest, a in) (*mcp.CallToolResult, out, error) {
		return nil, out{N: runs.Add(1)}, nil
	})
	srv.AddReceivingMiddleware(Middleware(Options{Store: store, Domain: "orders", IsWrite: func(t string) bool { return t == "refund" }}))
	return srv
}

func connect(t *testing.T, srv *mcp.Server) *mcp.ClientSession {
	t.Helper()
	st, ct := mcp.NewInMemoryTransports()
	ss, _ := srv.Connect(context.Background(), st, nil)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, nil).Connect(context.Background(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close(); ss.Wait() })
	return cs
}

func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any, meta mcp.Meta) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args, Meta: meta})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestReplayOnce(t *testing.T) {
	var runs atomic.Int64
	cs := connect(t, server(kv.NewMemory(), &runs, nil))
	a := call(t, cs, "refund", map[string]any{"id": "R1"}, nil)
	b := call(t, cs, "refund", map[string]any{"id": "R1"}, nil)
	if runs.Load() != 1 || a.IsError || b.IsError || b.Meta[MetaReplayed] != true || a.Meta[MetaReplayed] != nil {
		t.Fatalf("runs %d, a %+v, b %+v", runs.Load(), a.Meta, b.Meta)
	}
	// Other arguments: another operation.
	call(t, cs, "refund", map[string]any{"id": "R2"}, nil)
	// Reads are never deduplicated.
	call(t, cs, "get", map[string]any{"id": "R1"}, nil)
	call(t, cs, "get", map[string]any{"id": "R1"}, nil)
	if runs.Load() != 4 {
		t.Errorf("runs %d, want 4", runs.Load())
	}
}

func TestCallerSuppliedKey(t *testing.T) {
	var runs atomic.Int64
	cs := connect(t, server(kv.NewMemory(), &runs, nil))
	call(t, cs, "refund", map[string]any{"id": "R1"}, mcp.Meta{MetaKey: "order-7-refund-1"})
	res := call(t, cs, "refund", map[string]any{"id": "R1"}, mcp.Meta{MetaKey: "order-7-refund-1"})
	if runs.Load() != 1 || res.Meta[MetaReplayed] != true {
		t.Errorf("supplied key did not deduplicate: runs %d", runs.Load())
	}
	// The same key with other arguments is another operation wearing a used
	// key: refused, never answered as "already ran".
	res = call(t, cs, "refund", map[string]any{"id": "R9"}, mcp.Meta{MetaKey: "order-7-refund-1"})
	if runs.Load() != 1 || !res.IsError || res.Meta[MetaReplayed] == true || !strings.Contains(textOf(res), "already used for a different call") {
		t.Errorf("reused key with other arguments: runs %d, error %v, text %q", runs.Load(), res.IsError, textOf(res))
	}
	// Without the middleware's record (another replica), the key sent on
	// differs for other arguments, so the backend cannot replay the wrong write.
	if Key(policy.Principal{Subject: "u"}, "refund", json.RawMessage(`{"id":"R1"}`), "k-00000001") == Key(policy.Principal{Subject: "u"}, "refund", json.RawMessage(`{"id":"R9"}`), "k-00000001") {
		t.Error("a caller key maps other arguments to the same backend key")
	}
	if res := call(t, cs, "refund", map[string]any{"id": "R1"}, mcp.Meta{MetaKey: "bad key!"}); !res.IsError {
		t.Error("malformed supplied key accepted")
	}
}

func TestFailuresAreNotStored(t *testing.T) {
	var runs atomic.Int64
	cs := connect(t, server(kv.NewMemory(), &runs, nil))
	if res := call(t, cs, "refund", map[string]any{"id": "R1", "fail": true}, nil); !res.IsError {
		t.Fatal("want failure")
	}
	if res := call(t, cs, "refund", map[string]any{"id": "R1", "fail": true}, nil); !res.IsError || res.Meta[MetaReplayed] == true {
		t.Error("a failure was replayed instead of retried")
	}
}

func TestConcurrentDuplicateWaits(t *testing.T) {
	var runs atomic.Int64
	block, started := make(chan struct{}), make(chan struct{}, 1)
	srv := serverStarted(kv.NewMemory(), &runs, block, started)
	cs1, cs2 := connect(t, srv), connect(t, srv)
	var wg sync.WaitGroup
	var first *mcp.CallToolResult
	var firstErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		first, firstErr = cs1.CallTool(context.Background(), &mcp.CallToolParams{Name: "refund", Arguments: map[string]any{"id": "R1"}})
	}()
	<-started // the first call holds the key and is inside the tool
	res := call(t, cs2, "refund", map[string]any{"id": "R1"}, nil)
	close(block)
	wg.Wait()
	if !res.IsError || !strings.Contains(res.Content[0].(*mcp.TextContent).Text, "still running") {
		t.Errorf("duplicate while the first was running: %+v", res.Content)
	}
	if firstErr != nil || first.IsError {
		t.Fatalf("first call: %v %+v", firstErr, first)
	}
	if runs.Load() != 1 {
		t.Errorf("runs %d", runs.Load())
	}
}

// Two replicas sharing one store (Redis in production) run a write once.
func TestReplicasShareStore(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) kv.Store{
		"memory": func(*testing.T) kv.Store { return kv.NewMemory() },
		"redis": func(t *testing.T) kv.Store {
			s, err := kv.Open(context.Background(), kvtest.RedisForTest(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	} {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			var runs atomic.Int64
			a, b := connect(t, server(store, &runs, nil)), connect(t, server(store, &runs, nil))
			id := "R-" + name + "-" + t.Name()
			call(t, a, "refund", map[string]any{"id": id}, nil)
			res := call(t, b, "refund", map[string]any{"id": id}, nil)
			if runs.Load() != 1 || res.Meta[MetaReplayed] != true {
				t.Errorf("runs %d across replicas", runs.Load())
			}
		})
	}
}

func TestKeyDependsOnPrincipal(t *testing.T) {
	a := Key(policy.Principal{Subject: "ann"}, "refund", []byte(`{"id":"R1","x":1}`), "")
	b := Key(policy.Principal{Subject: "ann"}, "refund", []byte(`{ "x":1, "id":"R1"}`), "")
	c := Key(policy.Principal{Subject: "bob"}, "refund", []byte(`{"id":"R1","x":1}`), "")
	if a != b || a == c {
		t.Errorf("keys: %s %s %s", a, b, c)
	}
}

func TestApprovalIDIsNotPartOfTheOperation(t *testing.T) {
	a := Key(policy.Principal{Subject: "ann"}, "refund", []byte(`{"id":"R1"}`), "")
	b := Key(policy.Principal{Subject: "ann"}, "refund", []byte(`{"id":"R1","approval_id":"apr_0123456789abcdef0123"}`), "")
	if a != b {
		t.Error("approval_id changes the idempotency key")
	}
}

func TestValidCallerKey(t *testing.T) {
	for k, want := range map[string]bool{
		"order-7-refund-1": true, "abcdefgh": true, "a.b:c_d-E9": true,
		"short": false, "bad key!": false, "ключ-заказа-1": false, "": false,
		strings.Repeat("k", 128): true, strings.Repeat("k", 129): false,
	} {
		if got := validCallerKey(k); got != want {
			t.Errorf("validCallerKey(%q) = %v, want %v", k, got, want)
		}
	}
}

func textOf(r *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// A replayed result says replayed in its structured content as in _meta.
func TestReplayedInStructuredContent(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	type res struct {
		Replayed bool `json:"replayed"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "refund"}, func(ctx context.Context, _ *mcp.CallToolRequest, a in) (*mcp.CallToolResult, res, error) {
		return nil, res{}, nil
	})
	srv.AddReceivingMiddleware(Middleware(Options{Store: kv.NewMemory(), Domain: "orders", IsWrite: func(string) bool { return true }}))
	cs := connect(t, srv)
	call(t, cs, "refund", map[string]any{"id": "R1"}, nil)
	r := call(t, cs, "refund", map[string]any{"id": "R1"}, nil)
	sc, _ := r.StructuredContent.(map[string]any)
	if r.Meta[MetaReplayed] != true || sc["replayed"] != true {
		t.Errorf("_meta replayed %v, structuredContent %v", r.Meta[MetaReplayed], r.StructuredContent)
	}
}

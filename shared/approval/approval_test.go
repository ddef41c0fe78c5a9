package approval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/kv/kvtest"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type refundIn struct {
	OrderID string `json:"order_id"`
	Amount  int64  `json:"amount"`
	mcpkit.Approvable
}

type refundOut struct {
	Done bool `json:"done"`
}

// harness: a server with one refund tool behind the gate; writes counts
// how often the "backend" was reached.
type harness struct {
	gate   *Gate
	writes int
	audit  *bytes.Buffer
	now    time.Time
}

func newHarness(t *testing.T, policy string) (*harness, *mcp.Server) {
	t.Helper()
	p, err := ParsePolicy(policy)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{audit: &bytes.Buffer{}, now: time.Unix(1_700_000_000, 0)}
	h.gate = NewGate(Options{Policy: p, Store: kv.NewMemory(), Domain: "orders", Audit: audit.New("orders-mcp", h.audit), TTL: 10 * time.Minute})
	h.gate.now = func() time.Time { return h.now }
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	mcpkit.AddTool(srv, &mcp.Tool{Name: "orders_create_refund", Description: "refund", Annotations: mcpkit.Annotations("Refund", mcpkit.Hints{Destructive: true})},
		func(ctx context.Context, req *mcp.CallToolRequest, in refundIn) (*mcp.CallToolResult, refundOut, error) {
			if res, err := h.gate.Check(ctx, req, in.ApprovalID, Plan{Tool: "orders_create_refund", Args: struct {
				O string
				A int64
			}{in.OrderID, in.Amount}, Summary: "refund", Amount: in.Amount, Currency: "USD"}); res != nil || err != nil {
				return res, refundOut{}, err
			}
			h.writes++
			return nil, refundOut{Done: true}, nil
		})
	return h, srv
}

func connect(t *testing.T, srv *mcp.Server, opts *mcp.ClientOptions) *mcp.ClientSession {
	t.Helper()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, opts).Connect(context.Background(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close(); ss.Wait() })
	return cs
}

func call(t *testing.T, cs *mcp.ClientSession, args map[string]any) (bool, string) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "orders_create_refund", Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return !res.IsError, b.String()
}

func approvalID(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(text, "apr_")
	if i < 0 {
		t.Fatalf("no approval id in %q", text)
	}
	return text[i : i+24]
}

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy("orders_create_refund>10000, email_send")
	if err != nil {
		t.Fatal(err)
	}
	if _, n := p.Needs("orders_create_refund", 10000); n {
		t.Error("at the threshold needs no approval")
	}
	if _, n := p.Needs("orders_create_refund", 10001); !n {
		t.Error("above the threshold needs approval")
	}
	if _, n := p.Needs("email_send", 0); !n {
		t.Error("email_send always needs approval")
	}
	for _, bad := range []string{"refund>-1", "Orders", "x>1e5", "a b"} {
		if _, err := ParsePolicy(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestBelowThresholdRunsDirectly(t *testing.T) {
	h, srv := newHarness(t, "orders_create_refund>10000")
	cs := connect(t, srv, nil)
	if ok, text := call(t, cs, map[string]any{"order_id": "ORD-1", "amount": 500}); !ok || h.writes != 1 {
		t.Fatalf("%v %s", ok, text)
	}
}

func TestApprovalGrantedOnceAndSealed(t *testing.T) {
	h, srv := newHarness(t, "orders_create_refund>10000")
	cs := connect(t, srv, nil)
	args := map[string]any{"order_id": "ORD-1", "amount": 25000}
	ok, text := call(t, cs, args)
	if ok || !strings.Contains(text, "NOT DONE") || h.writes != 0 {
		t.Fatalf("above threshold ran without approval: %s", text)
	}
	id := approvalID(t, text)
	// The model cannot approve by passing the id before a person did.
	if ok, text := call(t, cs, map[string]any{"order_id": "ORD-1", "amount": 25000, "approval_id": id}); ok || !strings.Contains(text, "still pending") {
		t.Fatalf("self-approval: %v %s", ok, text)
	}
	if _, err := h.gate.Decide(context.Background(), id, true, "Dana (finance)", ""); err != nil {
		t.Fatal(err)
	}
	// Tampered: the approval cannot be spent on other arguments.
	if ok, text := call(t, cs, map[string]any{"order_id": "ORD-1", "amount": 99000, "approval_id": id}); ok || !strings.Contains(text, "different call") || h.writes != 0 {
		t.Fatalf("tampered approval used: %v %s", ok, text)
	}
	if ok, text := call(t, cs, map[string]any{"order_id": "ORD-1", "amount": 25000, "approval_id": id}); !ok || h.writes != 1 {
		t.Fatalf("approved call: %v %s", ok, text)
	}
	// Single use.
	if ok, text := call(t, cs, map[string]any{"order_id": "ORD-1", "amount": 25000, "approval_id": id}); ok || !strings.Contains(text, "already been used") || h.writes != 1 {
		t.Fatalf("approval reused: %v %s", ok, text)
	}
	for _, d := range []string{"approval_requested", "approved_by_approver", "approval_mismatch", "approval_used"} {
		if !strings.Contains(h.audit.String(), `"decision":"`+d+`"`) {
			t.Errorf("audit lacks %s:\n%s", d, h.audit)
		}
	}
}

func TestApprovalDeniedAndExpired(t *testing.T) {
	h, srv := newHarness(t, "orders_create_refund")
	cs := connect(t, srv, nil)
	_, text := call(t, cs, map[string]any{"order_id": "ORD-2", "amount": 1})
	id := approvalID(t, text)
	h.gate.Decide(context.Background(), id, false, "Dana", "customer already refunded by card")
	if ok, text := call(t, cs, map[string]any{"order_id": "ORD-2", "amount": 1, "approval_id": id}); ok || !strings.Contains(text, "denied by Dana") {
		t.Fatalf("denied: %v %s", ok, text)
	}
	_, text = call(t, cs, map[string]any{"order_id": "ORD-3", "amount": 1})
	id = approvalID(t, text)
	h.now = h.now.Add(11 * time.Minute) // past the TTL: nobody approved in time
	if _, err := h.gate.Decide(context.Background(), id, true, "late", ""); err == nil {
		t.Error("expired approval approved")
	}
	if ok, text := call(t, cs, map[string]any{"order_id": "ORD-3", "amount": 1, "approval_id": id}); ok || !strings.Contains(text, "expired") || h.writes != 0 {
		t.Fatalf("expired: %v %s", ok, text)
	}
}

func TestElicitation(t *testing.T) {
	for _, tc := range []struct {
		action  string
		approve bool
		ok      bool
	}{{"accept", true, true}, {"accept", false, false}, {"decline", false, false}} {
		h, srv := newHarness(t, "orders_create_refund")
		var asked string
		cs := connect(t, srv, &mcp.ClientOptions{ElicitationHandler: func(ctx context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			asked = req.Params.Message
			return &mcp.ElicitResult{Action: tc.action, Content: map[string]any{"approve": tc.approve}}, nil
		}})
		ok, text := call(t, cs, map[string]any{"order_id": "ORD-9", "amount": 100})
		if ok != tc.ok || (h.writes == 1) != tc.ok || !strings.Contains(asked, "refund") {
			t.Errorf("%s approve=%v: ok=%v writes=%d asked=%q text=%s", tc.action, tc.approve, ok, h.writes, asked, text)
		}
	}
}

func TestHTTPEndpoint(t *testing.T) {
	h, srv := newHarness(t, "orders_create_refund")
	cs := connect(t, srv, nil)
	_, text := call(t, cs, map[string]any{"order_id": "ORD-5", "amount": 7})
	id := approvalID(t, text)
	ts := httptest.NewServer(h.gate.Handler("approver-secret"))
	defer ts.Close()
	req := func(method, path, token, body string) (int, string) {
		r, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	if code, _ := req("GET", "/approvals", "", ""); code != 401 {
		t.Errorf("no token: %d", code)
	}
	if code, _ := req("POST", "/approvals/"+id+"/approve", "wrong", `{"by":"x"}`); code != 401 {
		t.Errorf("wrong token: %d", code)
	}
	code, body := req("GET", "/approvals", "approver-secret", "")
	var l struct{ Approvals []Record }
	json.Unmarshal([]byte(body), &l)
	if code != 200 || len(l.Approvals) != 1 || l.Approvals[0].ID != id {
		t.Fatalf("list: %d %s", code, body)
	}
	if code, _ := req("POST", "/approvals/"+id+"/approve", "approver-secret", `{}`); code != 400 {
		t.Errorf("approve without a name: %d", code)
	}
	if code, body := req("POST", "/approvals/"+id+"/approve", "approver-secret", `{"by":"Dana"}`); code != 200 {
		t.Fatalf("approve: %d %s", code, body)
	}
	if code, _ := req("POST", "/approvals/"+id+"/deny", "approver-secret", `{"by":"Eve"}`); code != 409 {
		t.Errorf("second decision: %d", code)
	}
	if ok, text := call(t, cs, map[string]any{"order_id": "ORD-5", "amount": 7, "approval_id": id}); !ok || h.writes != 1 {
		t.Fatalf("after HTTP approval: %s", text)
	}
}

// pendingApproved requests approval for a refund and has "Dana" approve it.
func pendingApproved(t *testing.T, h *harness, cs *mcp.ClientSession, args map[string]any) string {
	t.Helper()
	_, text := call(t, cs, args)
	id := approvalID(t, text)
	if _, err := h.gate.Decide(context.Background(), id, true, "Dana (finance)", ""); err != nil {
		t.Fatal(err)
	}
	return id
}

// One approval, one write, under any concurrency (memory and Redis).
func TestConcurrentRedemptionsWriteOnce(t *testing.T) {
	stores := map[string]func(t *testing.T) kv.Store{
		"memory": func(*testing.T) kv.Store { return kv.NewMemory() },
		"redis": func(t *testing.T) kv.Store {
			s, err := kv.Open(context.Background(), kvtest.RedisForTest(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h, srv := newHarness(t, "orders_create_refund")
			h.gate.store = open(t)
			var mu sync.Mutex
			writes := 0
			srv.RemoveTools("orders_create_refund")
			mcpkit.AddTool(srv, &mcp.Tool{Name: "orders_create_refund", Description: "refund", Annotations: mcpkit.Annotations("Refund", mcpkit.Hints{Destructive: true})},
				func(ctx context.Context, req *mcp.CallToolRequest, in refundIn) (*mcp.CallToolResult, refundOut, error) {
					if res, err := h.gate.Check(ctx, req, in.ApprovalID, Plan{Tool: "orders_create_refund", Args: in.OrderID, Summary: "refund", Amount: in.Amount}); res != nil || err != nil {
						return res, refundOut{}, err
					}
					mu.Lock()
					writes++
					mu.Unlock()
					return nil, refundOut{Done: true}, nil
				})
			cs := connect(t, srv, nil)
			id := pendingApproved(t, h, cs, map[string]any{"order_id": "ORD-8", "amount": 30000})
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "orders_create_refund", Arguments: map[string]any{"order_id": "ORD-8", "amount": 30000, "approval_id": id}})
				}()
			}
			wg.Wait()
			if writes != 1 {
				t.Fatalf("8 concurrent redemptions of one approval made %d writes, want 1", writes)
			}
		})
	}
}

// Approved, but not used before it expired: refused.
func TestExpiredApprovedApprovalRefused(t *testing.T) {
	h, srv := newHarness(t, "orders_create_refund")
	cs := connect(t, srv, nil)
	args := map[string]any{"order_id": "ORD-4", "amount": 1}
	id := pendingApproved(t, h, cs, args)
	h.now = h.now.Add(11 * time.Minute)
	args["approval_id"] = id
	if ok, text := call(t, cs, args); ok || !strings.Contains(text, "expired") || h.writes != 0 {
		t.Fatalf("expired approved approval used: %v %s", ok, text)
	}
}

// Whoever can write to the store but lacks the secret cannot approve.
func TestTamperedRecordRefused(t *testing.T) {
	h, srv := newHarness(t, "orders_create_refund")
	cs := connect(t, srv, nil)
	_, text := call(t, cs, map[string]any{"order_id": "ORD-5", "amount": 1})
	id := approvalID(t, text)
	b, _, _ := h.gate.store.Get(context.Background(), key(id))
	forged := bytes.Replace(b, []byte(`"state":"pending"`), []byte(`"state":"approved"`), 1)
	forged = bytes.Replace(forged, []byte(`"decided_by":`), []byte(`"x":`), 1)
	if bytes.Equal(forged, b) {
		t.Fatal("could not forge the record")
	}
	h.gate.store.Set(context.Background(), key(id), forged, time.Hour)
	if ok, text := call(t, cs, map[string]any{"order_id": "ORD-5", "amount": 1, "approval_id": id}); ok || !strings.Contains(text, "integrity") || h.writes != 0 {
		t.Fatalf("forged approval used: %v %s", ok, text)
	}
	if !strings.Contains(h.audit.String(), `"decision":"approval_tampered"`) {
		t.Error("tampering not audited")
	}
}

// The principal who asked cannot approve their own request.
func TestSelfApprovalRefused(t *testing.T) {
	h, srv := newHarness(t, "orders_create_refund")
	cs := connect(t, srv, nil)
	_, text := call(t, cs, map[string]any{"order_id": "ORD-6", "amount": 1})
	id := approvalID(t, text)
	rec, _ := h.gate.Get(context.Background(), id)
	if _, err := h.gate.Decide(context.Background(), id, true, rec.Principal, ""); !errors.Is(err, ErrSelfApproval) {
		t.Fatalf("self-approval by %q: %v", rec.Principal, err)
	}
}

// Model-written text cannot reach an approver's terminal as control codes.
func TestSafeText(t *testing.T) {
	in := "tags: vip\x1b[2J\x1b[H APPROVED\u202eevil\u200b\r\nnext\u0085"
	out := SafeText(in)
	for _, bad := range []string{"\x1b", "\u202e", "\u200b", "\r", "\n", "\u0085"} {
		if strings.Contains(out, bad) {
			t.Errorf("SafeText kept %q: %q", bad, out)
		}
	}
	if !strings.Contains(out, `\x1b[2J`) || !strings.Contains(out, `\u202e`) {
		t.Errorf("SafeText should show what it escaped: %q", out)
	}
}

// Over HTTP a client's own "yes" is not a person's: by default the call
// goes out of band and nothing is written.
func TestHTTPClientCannotAnswerItsOwnApproval(t *testing.T) {
	{
		h, srv := newHarness(t, "orders_create_refund")
		handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{Stateless: true})
		ts := httptest.NewServer(handler)
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1"}, &mcp.ClientOptions{ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": true}}, nil
		}}).Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: ts.URL}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ok, text := call(t, cs, map[string]any{"order_id": "ORD-7", "amount": 30000})
		cs.Close()
		ts.Close()
		if ok || h.writes != 0 || !strings.Contains(text, "pending") {
			t.Errorf("default channel: an HTTP client approved its own refund: ok=%v writes=%d %s", ok, h.writes, text)
		}
	}
}

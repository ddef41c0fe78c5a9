package approval

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestPendingCarriesPageAndWebhook(t *testing.T) {
	posts := make(chan map[string]string, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &m) != nil {
			t.Errorf("webhook got %q", b)
		}
		posts <- m
	}))
	defer hook.Close()
	h, srv := newHarness(t, "orders_create_refund>10000")
	h.gate.links = newLinks("https://approvals.example.com/", hook.URL, nil)
	cs := connect(t, srv, &mcp.ClientOptions{Capabilities: &mcp.ClientCapabilities{}})
	ok, text := call(t, cs, map[string]any{"order_id": "ORD-<b>1", "amount": 25000})
	id := approvalID(t, text)
	if ok || !strings.Contains(text, "https://approvals.example.com/approvals/"+id) {
		t.Fatalf("pending text has no page link: %s", text)
	}
	m := <-posts
	if !strings.Contains(m["text"], "<https://approvals.example.com/approvals/"+id+"|Review "+id+">") || !strings.Contains(m["text"], "Approval needed: refund") {
		t.Fatalf("webhook text %q", m["text"])
	}
	// The same call again is the same pending approval: no second post.
	call(t, cs, map[string]any{"order_id": "ORD-<b>1", "amount": 25000})
	rec, err := h.gate.Get(context.Background(), id)
	if err != nil || rec.Client != "c 1" {
		t.Fatalf("record %+v %v", rec, err)
	}
	select {
	case m := <-posts:
		t.Fatalf("second webhook post %q", m)
	default:
	}
	// Mentions and links in model text are escaped for Slack.
	if got := h.gate.links.text(Record{ID: "apr_x", Summary: "<!channel> pay <http://evil|here>", Principal: "p"}); strings.Contains(got, "<!channel>") || strings.Contains(got, "<http://evil") {
		t.Fatalf("unescaped: %q", got)
	}
}

func TestURLElicitationThenRedeem(t *testing.T) {
	h, srv := newHarness(t, "orders_create_refund>10000")
	h.gate.links = newLinks("https://approvals.example.com", "", nil)
	var shown []*mcp.ElicitParams
	cs := connect(t, srv, &mcp.ClientOptions{
		Capabilities: &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{URL: &mcp.URLElicitationCapabilities{}}},
		ElicitationHandler: func(_ context.Context, r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			shown = append(shown, r.Params)
			return &mcp.ElicitResult{Action: "accept"}, nil
		},
	})
	args := map[string]any{"order_id": "ORD-1", "amount": 25000}
	ok, text := call(t, cs, args)
	if ok || h.writes != 0 || len(shown) != 1 || shown[0].Mode != "url" {
		t.Fatalf("ok=%v writes=%d shown=%v: %s", ok, h.writes, shown, text)
	}
	id := shown[0].ElicitationID
	if shown[0].URL != "https://approvals.example.com/approvals/"+id || !strings.Contains(text, "still pending") {
		t.Fatalf("url %q text %s", shown[0].URL, text)
	}
	if _, err := h.gate.Decide(context.Background(), id, true, "fiona", "ok"); err != nil {
		t.Fatal(err)
	}
	// A fresh call says it was granted; the retry with approval_id writes once.
	if ok, text := call(t, cs, args); ok || !strings.Contains(text, "granted by fiona") || len(shown) != 1 {
		t.Fatalf("fresh call after approval: %v %s", ok, text)
	}
	args["approval_id"] = id
	if ok, text := call(t, cs, args); !ok || h.writes != 1 {
		t.Fatalf("after approval: %v %s", ok, text)
	}
	hist, err := h.gate.History(context.Background())
	if err != nil || len(hist) != 1 || hist[0].State != Used || hist[0].DecidedBy != "fiona" {
		t.Fatalf("history %+v %v", hist, err)
	}
}

func TestTargetOf(t *testing.T) {
	for _, c := range []struct {
		plan Plan
		want string
	}{
		{Plan{Target: "order ORD-1\x1b[2J"}, "order ORD-1\\x1b[2J"},
		{Plan{Args: map[string]any{"order_id": "ORD-9", "amount": 5, "approval_id": "apr_x"}}, "order ORD-9"},
		{Plan{Args: struct{ OrderID, Note string }{"ORD-2", "x"}}, "order ORD-2"},
		{Plan{Args: map[string]any{"amount": 5}}, ""},
		{Plan{Args: "x"}, ""},
	} {
		if got := targetOf(c.plan); got != c.want {
			t.Errorf("targetOf(%+v) = %q, want %q", c.plan, got, c.want)
		}
	}
}

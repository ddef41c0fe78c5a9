package approval

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// links connects a gate to the approvals console (bizmcp-approvals): the
// page of each approval (MCP_APPROVALS_URL) and a webhook announcing new
// pending approvals (MCP_APPROVALS_WEBHOOK_URL).
type links struct {
	page    string // console base URL without trailing slash; "" = none
	webhook string
	hc      *http.Client
	log     *slog.Logger
}

func newLinks(page, webhook string, log *slog.Logger) links {
	return links{page: strings.TrimRight(page, "/"), webhook: webhook, hc: &http.Client{Timeout: 5 * time.Second}, log: log}
}

// PageURL returns the console page of approval id ("" without
// MCP_APPROVALS_URL).
func (g *Gate) PageURL(id string) string { return g.links.url(id) }

func (l links) url(id string) string {
	if l.page == "" {
		return ""
	}
	return l.page + "/approvals/" + url.PathEscape(id)
}

// where tells the model where a person approves id.
func (l links) where(id string) string {
	if u := l.url(id); u != "" {
		return fmt.Sprintf("on the approvals page %s, or with the command bizmcp-approve approve %s", u, id)
	}
	return fmt.Sprintf("command: bizmcp-approve approve %s, or their approvals page", id)
}

// slackEscape escapes the three characters Slack's mrkdwn treats as
// control (links, mentions), so model text cannot ping a channel.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// WebhookText is the message posted for a new pending approval.
func (l links) text(rec Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Approval needed: %s", slackEscape.Replace(rec.Summary))
	if rec.Amount != 0 {
		fmt.Fprintf(&b, " (%s %d minor units)", slackEscape.Replace(rec.Currency), rec.Amount)
	}
	fmt.Fprintf(&b, "\nTool %s, asked by %s, rule %s, expires %s.", rec.Tool, slackEscape.Replace(rec.Principal), slackEscape.Replace(rec.Rule), rec.ExpiresAt.UTC().Format(time.RFC3339))
	if u := l.url(rec.ID); u != "" {
		fmt.Fprintf(&b, "\n<%s|Review %s>", u, rec.ID)
	} else {
		fmt.Fprintf(&b, "\nbizmcp-approve approve %s", rec.ID)
	}
	return b.String()
}

// notify posts {"text": ...} to the webhook in the background: a slow or
// failing channel never delays or fails the tool call; failures are
// logged (without the URL, which is a credential).
func (l links) notify(rec Record) {
	if l.webhook == "" {
		return
	}
	body, _ := json.Marshal(map[string]string{"text": l.text(rec)})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.webhook, bytes.NewReader(body))
		if err != nil {
			l.log.Warn("approvals webhook: bad URL", "approval_id", rec.ID)
			return
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := l.hc.Do(req)
		if err != nil {
			l.log.Warn("approvals webhook: not delivered", "approval_id", rec.ID, "error", redactURLError(err))
			return
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			l.log.Warn("approvals webhook: refused", "approval_id", rec.ID, "status", resp.StatusCode)
		}
	}()
}

// redactURLError drops the URL (which holds the webhook's secret) from a
// client error.
func redactURLError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

// pageState is the request state of a URL-mode elicitation for approval
// id: it binds the answer to these arguments.
func pageState(id, seal string) string { return "approval-page:" + id + ":" + seal[20:44] }

// pageAnswered reports whether req comes back from the URL-mode
// elicitation of approval id (the client showed the page to its user).
func (g *Gate) pageAnswered(req *mcp.CallToolRequest, id, seal string) bool {
	return g.links.page != "" && req != nil && req.Params != nil && req.Params.RequestState == pageState(id, seal)
}

// pageElicitation asks the client to show the approval's page to its user
// (URL-mode elicitation) when the console is configured and the client can
// take input requests with URL mode; nil otherwise. The answer only says
// the page was shown: the approval itself is taken on the page, by a
// signed-in person, and the call that comes back is redeemed against the
// store.
func (g *Gate) pageElicitation(req *mcp.CallToolRequest, rec Record, seal string) *mcp.CallToolResult {
	if g.links.page == "" || rec.State != Pending || !canElicitURL(req) {
		return nil
	}
	return &mcp.CallToolResult{
		InputRequests: mcp.InputRequestMap{"approval_page": &mcp.ElicitParams{
			Mode:          "url",
			URL:           g.links.url(rec.ID),
			ElicitationID: rec.ID,
			Message:       fmt.Sprintf("A person must approve this action on the approvals page: %s (tool %s; required by policy %s). Open the page, then continue.", rec.Summary, rec.Tool, rec.Rule),
		}},
		RequestState: pageState(rec.ID, seal),
	}
}

// canElicitURL reports whether the client declared URL-mode elicitation
// and can be asked within this call (a session that carries server
// requests, or MCP 2026-07-28 input requests).
func canElicitURL(req *mcp.CallToolRequest) bool {
	if req == nil || req.Session == nil || req.Params == nil {
		return false
	}
	caps := req.ClientCapabilities()
	if caps == nil || caps.Elicitation == nil || caps.Elicitation.URL == nil {
		return false
	}
	overHTTP := req.Extra != nil && req.Extra.Header != nil
	return !overHTTP || req.ProtocolVersion() >= "2026-07-28"
}

// clientOf names the MCP client a request came through.
func clientOf(req *mcp.CallToolRequest) string {
	if req == nil {
		return ""
	}
	ci := req.ClientInfo()
	if ci == nil {
		return ""
	}
	s := ci.Name
	if ci.Version != "" {
		s += " " + ci.Version
	}
	if len(s) > 120 {
		s = s[:120]
	}
	return SafeText(s)
}

// targetOf is plan.Target, or the first "*_id" (or Go-style "*ID")
// argument: order_id ORD-1 becomes "order ORD-1".
func targetOf(plan Plan) string {
	if plan.Target != "" {
		return SafeText(plan.Target)
	}
	b, err := json.Marshal(plan.Args)
	if err != nil {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return ""
	}
	kinds := map[string]string{} // key → kind of target
	keys := make([]string, 0, len(m))
	for k := range m {
		switch {
		case k == "approval_id" || k == "ApprovalID":
			continue
		case strings.HasSuffix(k, "_id"):
			kinds[k] = strings.TrimSuffix(k, "_id")
		case len(k) > 2 && strings.HasSuffix(k, "ID"): // Go field names: OrderID
			kinds[k] = strings.ToLower(strings.TrimSuffix(k, "ID"))
		default:
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v, ok := m[k].(string); ok && v != "" {
			if len(v) > 100 {
				v = v[:100]
			}
			return SafeText(kinds[k] + " " + v)
		}
	}
	return ""
}

// History returns the decided approvals still in the store (approved,
// denied, used; a decided record stays until an hour after its expiry),
// newest first. The audit trail is the permanent record.
func (g *Gate) History(ctx context.Context) ([]Record, error) {
	out, err := g.scan(ctx, 2000, func(rec *Record) bool { return rec.State != Pending })
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}

// scan returns the sealed records in the store (at most limit keys) that
// keep accepts; records failing their integrity check are left out.
func (g *Gate) scan(ctx context.Context, limit int, keep func(*Record) bool) ([]Record, error) {
	keys, err := g.store.Keys(ctx, "approval:", limit)
	if err != nil {
		return nil, err
	}
	out := []Record{}
	for _, k := range keys {
		rec, _, err := g.loadRaw(ctx, strings.TrimPrefix(k, "approval:"))
		if err == nil && keep(rec) {
			out = append(out, *rec)
		}
	}
	return out, nil
}

package approvalsweb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/shared/approval"
)

// Source is where approvals live: the store every server shares (Gate),
// or one server's /approvals API (API).
type Source interface {
	Pending(ctx context.Context) ([]approval.Record, error)
	History(ctx context.Context) ([]approval.Record, error)
	// Get returns ErrNotFound for an approval that is unknown or expired.
	Get(ctx context.Context, id string) (*approval.Record, error)
	// Decide returns ErrNotFound, approval.ErrSelfApproval, or a
	// *Conflict (expired, already decided) with the record.
	Decide(ctx context.Context, id string, approve bool, by, reason string) (*approval.Record, error)
}

// ErrNotFound is an approval the source does not hold (never made, or
// expired and gone).
var ErrNotFound = errors.New("this approval does not exist or has expired")

// Conflict is a decision the source refused: the approval expired or was
// decided already.
type Conflict struct{ Msg string }

func (c *Conflict) Error() string { return c.Msg }

// Gate reads and decides approvals in the shared store through an
// approval.Gate opened with the servers' MCP_APPROVAL_SECRET.
type Gate struct{ G *approval.Gate }

func (s Gate) Pending(ctx context.Context) ([]approval.Record, error) { return s.G.List(ctx) }
func (s Gate) History(ctx context.Context) ([]approval.Record, error) { return s.G.History(ctx) }

func (s Gate) Get(ctx context.Context, id string) (*approval.Record, error) {
	rec, err := s.G.Get(ctx, id)
	if err != nil {
		return nil, ErrNotFound
	}
	return rec, nil
}

func (s Gate) Decide(ctx context.Context, id string, approve bool, by, reason string) (*approval.Record, error) {
	rec, err := s.G.Decide(ctx, id, approve, by, reason)
	switch {
	case err == nil:
		return rec, nil
	case errors.Is(err, approval.ErrSelfApproval):
		return rec, err
	case rec == nil:
		return nil, ErrNotFound
	}
	return rec, &Conflict{Msg: err.Error()}
}

// API reads and decides approvals through one server's /approvals
// endpoint (its MCP_APPROVAL_TOKEN): the single-process set-up with the
// server's in-memory store.
type API struct {
	BaseURL string
	Token   string
	HTTP    *http.Client
}

func (s API) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(s.BaseURL, "/")+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Content-Type", "application/json")
	hc := s.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("approvals API unreachable: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode == http.StatusUnauthorized {
		return 0, nil, errors.New("the approvals API refused the token (BIZMCP_APPROVALS_API_TOKEN must be the server's MCP_APPROVAL_TOKEN)")
	}
	return resp.StatusCode, b, err
}

func (s API) list(ctx context.Context, path string) ([]approval.Record, error) {
	status, b, err := s.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("approvals API: %d %s", status, strings.TrimSpace(string(b)))
	}
	var l struct {
		Approvals []approval.Record `json:"approvals"`
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("approvals API: %w", err)
	}
	return l.Approvals, nil
}

func (s API) Pending(ctx context.Context) ([]approval.Record, error) {
	return s.list(ctx, "/approvals")
}
func (s API) History(ctx context.Context) ([]approval.Record, error) {
	return s.list(ctx, "/approvals/history")
}

func (s API) Get(ctx context.Context, id string) (*approval.Record, error) {
	status, b, err := s.do(ctx, http.MethodGet, "/approvals/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, ErrNotFound
	}
	var rec approval.Record
	if status != http.StatusOK || json.Unmarshal(b, &rec) != nil {
		return nil, fmt.Errorf("approvals API: %d %s", status, strings.TrimSpace(string(b)))
	}
	return &rec, nil
}

func (s API) Decide(ctx context.Context, id string, approve bool, by, reason string) (*approval.Record, error) {
	verb := "deny"
	if approve {
		verb = "approve"
	}
	status, b, err := s.do(ctx, http.MethodPost, "/approvals/"+url.PathEscape(id)+"/"+verb, map[string]string{"by": by, "reason": reason})
	if err != nil {
		return nil, err
	}
	msg := strings.TrimSpace(string(b))
	switch status {
	case http.StatusOK:
		var rec approval.Record
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("approvals API: %w", err)
		}
		return &rec, nil
	case http.StatusNotFound:
		return nil, ErrNotFound
	case http.StatusConflict:
		if msg == approval.ErrSelfApproval.Error() {
			return nil, approval.ErrSelfApproval
		}
		rec, _ := s.Get(ctx, id)
		return rec, &Conflict{Msg: msg}
	}
	return nil, fmt.Errorf("approvals API: %d %s", status, msg)
}

package execctl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/bizmcp/bizmcp/shared/kv"
)

// Totals are the cumulative figures of a write, this one included, kept in
// the shared store (memory, or Redis across replicas). Money totals are in
// the plan's minor units (a deployment whose tool moves several currencies
// writes its limits per currency in Cedar on context.currency).
type Totals struct {
	PrincipalDay       int64 `json:"principal_day"`        // amount this principal moved with this tool today (UTC day)
	PrincipalDayCalls  int64 `json:"principal_day_calls"`  // writes of this tool by this principal today
	PrincipalHourCalls int64 `json:"principal_hour_calls"` // writes of this tool by this principal this clock hour (UTC)
	Target             int64 `json:"target"`               // amount moved with this tool on this target over the last 30 days
	ToolDay            int64 `json:"tool_day"`             // amount moved with this tool by everyone today
}

// TargetWindow is how long a per-target total lasts from its first write.
const TargetWindow = 30 * 24 * time.Hour

type counters struct {
	store  kv.Store
	domain string
	now    func() time.Time
}

type reservation struct {
	store kv.Store
	keys  []string
	delta []int64
}

// release gives back what reserve added (a write refused, held for
// approval, answered in dry run, or failed).
func (r *reservation) release(ctx context.Context) {
	if r == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for i, k := range r.keys {
		if r.delta[i] != 0 {
			r.store.IncrBy(ctx, k, -r.delta[i], time.Hour)
		}
	}
	r.keys = nil
}

func hashID(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

type step struct {
	key   string
	delta int64
	ttl   time.Duration
	dst   *int64
}

// reserve adds this write to every total and returns the new totals. The
// write counts from here on, so concurrent writes see each other.
func (c *counters) reserve(ctx context.Context, tool, principal string, t Target, amount int64) (Totals, *reservation, error) {
	now := c.now().UTC()
	day, hour := now.Format("20060102"), now.Format("2006010215")
	base := "ctl:" + c.domain + ":" + tool + ":"
	who := hashID(principal)
	var out Totals
	steps := []step{
		{base + "pd:" + who + ":" + day, amount, 49 * time.Hour, &out.PrincipalDay},
		{base + "pdc:" + who + ":" + day, 1, 49 * time.Hour, &out.PrincipalDayCalls},
		{base + "phc:" + who + ":" + hour, 1, 2 * time.Hour, &out.PrincipalHourCalls},
		{base + "t:" + hashID(t.Kind+"\x00"+t.ID), amount, TargetWindow, &out.Target},
		{base + "td:" + day, amount, 49 * time.Hour, &out.ToolDay},
	}
	r := &reservation{store: c.store}
	for _, s := range steps {
		n, err := c.store.IncrBy(ctx, s.key, s.delta, s.ttl)
		if err != nil {
			r.release(ctx)
			return Totals{}, nil, fmt.Errorf("cumulative limits store: %w", err)
		}
		r.keys, r.delta = append(r.keys, s.key), append(r.delta, s.delta)
		*s.dst = n
	}
	return out, r, nil
}

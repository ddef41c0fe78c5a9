package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/kv/kvtest"
	mcppolicy "github.com/bizmcp/bizmcp/shared/policy"
)

func TestParseAllowList(t *testing.T) {
	a, err := ParseAllowList([]string{" BizMCP.example ", "*.partner.example", "bizmcp.example", ""})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.String(); got != "bizmcp.example, *.partner.example" {
		t.Errorf("String() = %q", got)
	}
	for _, in := range [][]string{nil, {}, {"none"}, {" ", ""}} {
		a, err := ParseAllowList(in)
		if err != nil || a.Enabled() || a.String() != "none" {
			t.Errorf("%q: enabled=%v %v", in, a.Enabled(), err)
		}
	}
	for _, bad := range []string{"*", "*.*", "localhost", "https://bizmcp.example", "user@bizmcp.example", "bad domain.example", "a*.example"} {
		if _, err := ParseAllowList([]string{bad}); err == nil || !strings.Contains(err.Error(), EnvAllowedDomains) {
			t.Errorf("%q accepted (%v)", bad, err)
		}
	}
	if _, err := ParseAllowList([]string{"none", "bizmcp.example"}); err == nil {
		t.Error(`"none" mixed with domains accepted`)
	}
}

func TestAllows(t *testing.T) {
	a, _ := ParseAllowList([]string{"bizmcp.example", "*.partner.example", "bücher.example"})
	for addr, want := range map[string]bool{
		"marcus.lee@bizmcp.example":               true,
		"Marcus.Lee@BIZMCP.EXAMPLE":               true,
		"x@eu.partner.example":                    true,
		"x@a.b.partner.example":                   true,
		"x@partner.example":                       false, // *.x does not include x itself
		"x@sub.bizmcp.example":                    false, // exact entries do not include subdomains
		"x@bizmcp.example.evil.example":           false,
		"x@evilbizmcp.example":                    false,
		"x@xn--bcher-kva.example":                 true,  // IDN entry in punycode
		"x@bizmсp.example":                        false, // Cyrillic с
		`"x@bizmcp.example"@outside-mail.example`: false, // quoted local part
		"exfil@outside-mail.example":              false,
		"not an address":                          false,
		"":                                        false,
	} {
		if got := a.Allows(addr); got != want {
			t.Errorf("Allows(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheckNamesTheRule(t *testing.T) {
	a, _ := ParseAllowList([]string{"bizmcp.example"})
	if err := a.Check([]string{"a@bizmcp.example", "b@bizmcp.example"}); err != nil {
		t.Fatal(err)
	}
	err := a.Check([]string{"a@bizmcp.example", "exfil@outside-mail.example", "c@other.example"})
	var r *Refused
	if !errors.As(err, &r) || len(r.Recipients) != 2 {
		t.Fatalf("%v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"recipient exfil@outside-mail.example refused: domain outside-mail.example is not in EMAIL_ALLOWED_RECIPIENT_DOMAINS (allowed: bizmcp.example)",
		"c@other.example", "Nothing was sent",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("refusal lacks %q: %s", want, msg)
		}
	}
	off, _ := ParseAllowList([]string{"none"})
	if err := off.Check([]string{"a@bizmcp.example"}); err == nil || !strings.Contains(err.Error(), "sending is disabled") || !strings.Contains(err.Error(), EnvAllowedDomains) {
		t.Errorf("disabled: %v", err)
	}
}

func as(user string) context.Context {
	return mcppolicy.WithPrincipal(context.Background(), mcppolicy.Principal{Subject: user, Authenticated: true})
}

func TestQuotaWindow(t *testing.T) {
	now := time.Date(2026, 2, 24, 15, 10, 0, 0, time.UTC)
	q := NewQuota(kv.NewMemory(), 2, 10, time.Hour, func() time.Time { return now })
	ctx := as("ann")
	if held, err := q.Reserve(ctx, "a"); held || err != nil {
		t.Fatal(held, err)
	}
	now = now.Add(10 * time.Minute)
	if _, err := q.Reserve(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	// A retry of a send that holds a slot is not refused and takes no slot.
	if held, err := q.Reserve(ctx, "a"); !held || err != nil {
		t.Fatalf("retry: %v %v", held, err)
	}
	_, err := q.Reserve(ctx, "c")
	var oq *OverQuota
	if !errors.As(err, &oq) || !oq.Next.Equal(time.Date(2026, 2, 24, 16, 0, 0, 0, time.UTC)) || oq.Wait != 40*time.Minute || oq.Env != EnvSendQuota {
		t.Fatalf("%+v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "EMAIL_SEND_QUOTA allows 2 messages per hour") || !strings.Contains(msg, "16:00:00 UTC") || !strings.Contains(msg, "in 40m0s") {
		t.Errorf("message: %s", msg)
	}
	if q.Remaining(ctx) != 0 {
		t.Error(q.Remaining(ctx))
	}
	q.Release(ctx, "b")
	if q.Remaining(ctx) != 1 {
		t.Error("release did not free a slot")
	}
	if _, err := q.Reserve(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(41 * time.Minute) // the next hour
	if q.Remaining(ctx) != 2 {
		t.Errorf("remaining %d in the next window", q.Remaining(ctx))
	}
	zero := NewQuota(kv.NewMemory(), 0, 10, time.Hour, nil)
	if _, err := zero.Reserve(ctx, "x"); err == nil || !strings.Contains(err.Error(), "sending is disabled") {
		t.Errorf("quota 0: %v", err)
	}
}

// One user cannot spend everyone's quota.
func TestQuotaPerUser(t *testing.T) {
	q := NewQuota(kv.NewMemory(), 5, 2, time.Hour, nil)
	for i := range 2 {
		if _, err := q.Reserve(as("mallory"), fmt.Sprint("m", i)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := q.Reserve(as("mallory"), "m2")
	var oq *OverQuota
	if !errors.As(err, &oq) || oq.Env != EnvSendQuotaPerUser || !strings.Contains(err.Error(), "EMAIL_SEND_QUOTA_PER_USER allows 2") {
		t.Fatalf("third send of one user: %v", err)
	}
	for i := range 3 {
		if _, err := q.Reserve(as(fmt.Sprint("user", i)), fmt.Sprint("u", i)); err != nil {
			t.Errorf("another user: %v", err)
		}
	}
	if _, err := q.Reserve(as("zoe"), "z"); !errors.As(err, &oq) || oq.Env != EnvSendQuota {
		t.Errorf("deployment quota: %v", err)
	}
}

// Two gates (two replicas) on one store share the quota: with
// EMAIL_SEND_QUOTA=2 they send 2 messages between them, not 4, however
// the calls interleave; and a retry on the other replica keeps its slot.
func TestQuotaSharedByReplicas(t *testing.T) {
	for name, open := range kvtest.StoresForTest() {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			a := NewQuota(store, 2, 2, time.Hour, nil)
			b := NewQuota(store, 2, 2, time.Hour, nil)
			a.prefix = "email:quota:" + t.Name() + time.Now().Format("150405.000000") + ":"
			b.prefix = a.prefix
			var wg sync.WaitGroup
			var sent atomic.Int64
			for i := range 20 {
				g := a
				if i%2 == 1 {
					g = b
				}
				wg.Go(func() {
					if _, err := g.Reserve(as(fmt.Sprint("user", i%4)), fmt.Sprint("k", i)); err == nil {
						sent.Add(1)
					}
				})
			}
			wg.Wait()
			if n := sent.Load(); n != 2 {
				t.Errorf("%d sends across two replicas with a quota of 2", n)
			}
			// A retry (same key) on the other replica is recognised.
			a2 := NewQuota(store, 5, 5, time.Hour, nil)
			a2.prefix = a.prefix + "retry:"
			b2 := NewQuota(store, 5, 5, time.Hour, nil)
			b2.prefix = a2.prefix
			if held, err := a2.Reserve(as("ann"), "same"); held || err != nil {
				t.Fatal(held, err)
			}
			if held, err := b2.Reserve(as("ann"), "same"); !held || err != nil {
				t.Errorf("retry on the other replica: held=%v %v", held, err)
			}
			if r := b2.Remaining(as("ann")); r != 4 {
				t.Errorf("remaining %d, want 4", r)
			}
			b2.Release(as("ann"), "same")
			if r := a2.Remaining(as("ann")); r != 5 {
				t.Errorf("after release on the other replica: remaining %d, want 5", r)
			}
		})
	}
}

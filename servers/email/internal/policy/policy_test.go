package policy

import (
	"errors"
	"strings"
	"testing"
	"time"
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

func TestQuotaSlidingWindow(t *testing.T) {
	now := time.Date(2026, 2, 24, 15, 0, 0, 0, time.UTC)
	q := NewQuota(2, time.Hour, func() time.Time { return now })
	if held, err := q.Reserve("a"); held || err != nil {
		t.Fatal(held, err)
	}
	now = now.Add(10 * time.Minute)
	if _, err := q.Reserve("b"); err != nil {
		t.Fatal(err)
	}
	// A retry of a send that holds a slot is not refused and takes no slot.
	if held, err := q.Reserve("a"); !held || err != nil {
		t.Fatalf("retry: %v %v", held, err)
	}
	_, err := q.Reserve("c")
	var oq *OverQuota
	if !errors.As(err, &oq) || !oq.Next.Equal(now.Add(50*time.Minute)) || oq.Wait != 50*time.Minute {
		t.Fatalf("%+v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "EMAIL_SEND_QUOTA allows 2 messages per hour") || !strings.Contains(msg, "16:00:00 UTC") || !strings.Contains(msg, "in 50m0s") {
		t.Errorf("message: %s", msg)
	}
	if q.Remaining() != 0 {
		t.Error(q.Remaining())
	}
	q.Release("b")
	if q.Remaining() != 1 {
		t.Error("release did not free a slot")
	}
	if _, err := q.Reserve("c"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(51 * time.Minute) // "a" has left the window
	if q.Remaining() != 1 {
		t.Errorf("remaining %d after the window slid", q.Remaining())
	}
	zero := NewQuota(0, time.Hour, nil)
	if _, err := zero.Reserve("x"); err == nil || !strings.Contains(err.Error(), "sending is disabled") {
		t.Errorf("quota 0: %v", err)
	}
}

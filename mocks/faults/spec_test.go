package faults

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseRule(t *testing.T) {
	base := Rule{Prob: 1, RetryAfter: -1}
	with := func(f func(*Rule)) Rule { r := base; f(&r); return r }
	cases := []struct {
		in   string
		want Rule
	}{
		{"*=status:503", with(func(r *Rule) { r.Path, r.Kind, r.Status = "*", Status, 503 })},
		{"/crm/customers/*=latency:250ms@0.5#3", with(func(r *Rule) {
			r.Path, r.Kind, r.Duration, r.Prob, r.Count = "/crm/customers/*", Latency, 250*time.Millisecond, 0.5, 3
		})},
		{"  post   /crm/customers/*/notes = reset-after #1 ", with(func(r *Rule) {
			r.Method, r.Path, r.Kind, r.Count = "POST", "/crm/customers/*/notes", ResetAfter, 1
		})},
		{"/crm/*=429:2", with(func(r *Rule) { r.Path, r.Kind, r.RetryAfter = "/crm/*", TooMany, 2 })},
		{"/crm/*=429", with(func(r *Rule) { r.Path, r.Kind = "/crm/*", TooMany })},
		{"/crm/*=429date:30", with(func(r *Rule) { r.Path, r.Kind, r.RetryAfter = "/crm/*", TooManyAt, 30 })},
		{"*=oversize:20MB", with(func(r *Rule) { r.Path, r.Kind, r.Size = "*", Oversize, 20<<20 })},
		{"*=oversize:512", with(func(r *Rule) { r.Path, r.Kind, r.Size = "*", Oversize, 512 })},
		{"*=oversize:1.5kb", with(func(r *Rule) { r.Path, r.Kind, r.Size = "*", Oversize, 1536 })},
		{"*=oversize:2MiB", with(func(r *Rule) { r.Path, r.Kind, r.Size = "*", Oversize, 2<<20 })},
		{"*=slowbody:2s", with(func(r *Rule) { r.Path, r.Kind, r.Duration = "*", SlowBody, 2*time.Second })},
		{"*=RESET", with(func(r *Rule) { r.Path, r.Kind = "*", Reset })},
		{"*=hang", with(func(r *Rule) { r.Path, r.Kind = "*", Hang })},
		{"*=hang-after", with(func(r *Rule) { r.Path, r.Kind = "*", HangAfter })},
		{"*=malformed", with(func(r *Rule) { r.Path, r.Kind = "*", Malformed })},
		{"*=status:500#2@25%", with(func(r *Rule) { r.Path, r.Kind, r.Status, r.Count, r.Prob = "*", Status, 500, 2, 0.25 })},
		{"/x=status:500@0", with(func(r *Rule) { r.Path, r.Kind, r.Status, r.Prob = "/x", Status, 500, 0 })},
	}
	for _, c := range cases {
		got, err := ParseRule(c.in)
		if err != nil {
			t.Errorf("ParseRule(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseRule(%q) =\n %+v, want\n %+v", c.in, got, c.want)
		}
		again, err := ParseRule(got.String())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("round trip of %q via %q: %+v %v", c.in, got.String(), again, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ spec, mention string }{
		{"nope", `missing "="`},
		{"*=teleport", `unknown fault "teleport"`},
		{"*=status:200", "invalid status"},
		{"*=status", "needs an argument"},
		{"*=status:abc", "invalid status"},
		{"*=latency:fast", "invalid duration"},
		{"*=latency", "needs an argument"},
		{"*=latency:-1s", "invalid duration"},
		{"*=slowbody:3h", "invalid duration"},
		{"*=reset:5", "takes no argument"},
		{"*=429:soon", "Retry-After"},
		{"*=429date", "needs an argument"},
		{"*=status:500@1.5", "invalid probability"},
		{"*=status:500@abc", "invalid probability"},
		{"*=status:500#0", "invalid count"},
		{"*=status:500#x", "invalid count"},
		{"*=status:500@0.5@0.5", "given twice"},
		{"crm/x=reset", "must start with"},
		{"G3T /x=reset", "invalid method"},
		{"GET /x extra=reset", "invalid target"},
		{"=reset", "empty path"},
		{"*=", "empty fault"},
		{"*=oversize:1TB", "invalid size"},
		{"*=oversize:1", "out of range"},
		{"*=oversize:2GB", "out of range"},
	}
	for _, c := range cases {
		_, err := Parse(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("Parse(%q) = %v, want error mentioning %q", c.spec, err, c.mention)
		}
	}
	// The error names the bad rule and its position.
	_, err := Parse("/a=reset; /b=latency:1s\n/c=bogus")
	pe, ok := err.(*ParseError)
	if !ok || pe.Index != 3 || pe.Rule != "/c=bogus" || !strings.Contains(err.Error(), `rule 3 "/c=bogus"`) {
		t.Errorf("error = %#v", err)
	}
}

func TestParseSpec(t *testing.T) {
	rules, err := Parse("/a=reset;;  /b=hang ;\n// a comment\n\nPOST /c=status:502#1;")
	if err != nil || len(rules) != 3 || rules[2].Method != "POST" {
		t.Fatalf("%+v %v", rules, err)
	}
	for _, empty := range []string{"", "  ", ";;", "\n\n"} {
		if rules, err := Parse(empty); err != nil || len(rules) != 0 {
			t.Errorf("Parse(%q) = %v %v", empty, rules, err)
		}
	}
}

func TestMatchPath(t *testing.T) {
	cases := []struct {
		glob, path string
		want       bool
	}{
		{"*", "/", true},
		{"*", "/crm/customers/C-1001/notes", true},
		{"/crm/*", "/crm/health", true},
		{"/crm/*", "/crm/customers/C-1001", true},
		{"/crm/*", "/orders/x", false},
		{"/crm/*", "/crm", false},
		{"/crm/customers/*", "/crm/customers/C-1001", true},
		{"/crm/customers/*", "/crm/customers/C-1001/notes", true},
		{"/crm/customers/*/notes", "/crm/customers/C-1001/notes", true},
		{"/crm/customers/*/notes", "/crm/customers/C-1001", false},
		{"/crm/customers/C-1001", "/crm/customers/C-1001", true},
		{"/crm/customers/C-1001", "/crm/customers/C-10011", false},
		{"*/notes", "/crm/customers/C-1/notes", true},
		{"/crm/*/C-*", "/crm/customers/C-1042", true},
		{"/a*b*c", "/axxbyyc", true},
		{"/a*b*c", "/axxbyyd", false},
	}
	for _, c := range cases {
		if got := MatchPath(c.glob, c.path); got != c.want {
			t.Errorf("MatchPath(%q, %q) = %v", c.glob, c.path, got)
		}
	}
	r, _ := ParseRule("POST /crm/*=reset")
	if !r.Matches("POST", "/crm/x") || r.Matches("GET", "/crm/x") {
		t.Error("method filter")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"2": 2, "1KB": 1024, "20MB": 20 << 20, "1 GB": 1 << 30, "64k": 64 << 10, "100B": 100, "0.5MB": 512 << 10} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d %v, want %d", in, got, err, want)
		}
	}
}

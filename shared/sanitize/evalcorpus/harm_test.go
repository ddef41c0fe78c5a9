package evalcorpus

import (
	"slices"
	"testing"
)

func TestDefangedKept(t *testing.T) {
	s := NewSanitizer()
	for _, c := range []struct {
		keep, out string
		want      bool
	}{
		{"https://www.dhl.com/t?id=1", "Track: www[.]dhl.com/t?id=1 (link disabled)", true},
		{"www.dhl.com/t?id=1", "www[.]dhl.com/t?id=1 (link disabled)", true},
		{"https://evil.example/r?u=https://x.example/y", "evil.example/r?u=https[:]//x.example/y (link disabled)", true},
		{"https://www.dhl.com/t?id=1", "www[.]dhl.com (link disabled, data removed)", false},
		{"https://acme.example/x", "acme.example/x", false}, // allowed: only as written
		{"order 12", "order 12", false},                     // no link
	} {
		if got := DefangedKept(s, c.keep, c.out); got != c.want {
			t.Errorf("DefangedKept(%q, %q) = %v, want %v", c.keep, c.out, got, c.want)
		}
	}
}

func TestHarmKinds(t *testing.T) {
	s := NewSanitizer()
	for _, c := range []struct{ keep, out, kind string }{
		{"می\u200cخواهم", "میخواهم", "removed ZWNJ"},
		{"👨\u200d👩", "👨👩", "removed ZWJ"},
		{"4\ufe0f\u20e3", "4\u20e3", "removed VS15/VS16"},
		{"Donau\u00addampf", "Donaudampf", "removed soft hyphen"},
		{"\u200f#12\u200f", "#12", "removed LRM/RLM/ALM"},
		{"https://www.dhl.com/t?id=1", "www[.]dhl.com/t?id=1 (link disabled)", "off-list link defanged, host/path/query readable"},
		{"Use <!-- and --> here", "Use  here", "comment removed"},
		{"cafe\u0301", "café", "NFC changed"},
	} {
		if got := HarmKinds(s, c.keep, c.out); !slices.Contains(got, c.kind) {
			t.Errorf("HarmKinds(%q, %q) = %v, want %q", c.keep, c.out, got, c.kind)
		}
	}
}

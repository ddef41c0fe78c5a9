package tools

import (
	"testing"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"

	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/sanitize"
)

func TestParcelUnits(t *testing.T) {
	for _, tc := range []struct {
		in   ParcelIn
		want [4]int
	}{
		{ParcelIn{Weight: 2, Length: 30, Width: 20, Height: 10}, [4]int{2000, 300, 200, 100}},
		{ParcelIn{Weight: 1, WeightUnit: "lb", Length: 10, Width: 8, Height: 4, DimensionUnit: "in"}, [4]int{454, 254, 204, 102}},
		{ParcelIn{Weight: 16, WeightUnit: "oz", Length: 1, Width: 1, Height: 1}, [4]int{454, 10, 10, 10}},
		{ParcelIn{Weight: 250, WeightUnit: "g", Length: 0.5, Width: 0.5, Height: 0.5}, [4]int{250, 5, 5, 5}},
	} {
		p, err := tc.in.api()
		if got := [4]int{p.WeightGrams, p.LengthMM, p.WidthMM, p.HeightMM}; err != nil || got != tc.want {
			t.Errorf("%+v: %v %v, want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := (ParcelIn{Weight: 200, WeightUnit: "lb", Length: 1, Width: 1, Height: 1}).api(); err == nil {
		t.Error("200 lb accepted")
	}
}

func TestLabelURL(t *testing.T) {
	san := sanitize.New(sanitize.Options{AllowedLinkHosts: []string{"labels.ups.example"}})
	tl := &Tools{san: san}
	for raw, want := range map[string]string{
		"https://labels.ups.example/l/1.pdf":        "https://labels.ups.example/l/1.pdf",
		"https://evil.example/collect?d=secret.pdf": "",
		"//evil.example/x.pdf":                      "",
		"/shipping/../../etc/passwd":                "",
		"/shipping/labels/lbl_1.pdf":                "",
		"/a b.pdf":                                  "",
		"javascript:alert(1)":                       "",
		"https://user:pw@labels.ups.example/1.pdf":  "",
	} {
		got, ok := tl.labelURL(mcpkit.NewScrub(san), shipping.LabelFile{URL: raw})
		if got != want || ok != (want != "") {
			t.Errorf("%q: %q %v, want %q", raw, got, ok, want)
		}
	}
	// A URL the adapter built from this server's configuration is shown.
	f := shipping.LabelFile{URL: "https://labels.internal.example/shipping/labels/lbl_1.zpl", Configured: true}
	if got, ok := tl.labelURL(mcpkit.NewScrub(san), f); !ok || got != f.URL {
		t.Errorf("configured URL: %q %v", got, ok)
	}
}

func TestSentence(t *testing.T) {
	for in, want := range map[string]string{"a": "a.", "a?": "a?", "a. ": "a.", "": ""} {
		if got := sentence(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
}

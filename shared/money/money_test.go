package money

import "testing"

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{
		{123456, "USD", "USD 1,234.56"},
		{5, "EUR", "EUR 0.05"},
		{-500, "EUR", "EUR -5.00"},
		{120000, "JPY", "JPY 120,000"},
		{100000000, "GBP", "GBP 1,000,000.00"},
		{7, "", ""},
	} {
		if got := Format(c.minor, c.cur); got != c.want {
			t.Errorf("Format(%d, %s) = %q, want %q", c.minor, c.cur, got, c.want)
		}
	}
}

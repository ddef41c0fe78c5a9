package money

import (
	"errors"
	"testing"
)

func TestParseMinor(t *testing.T) {
	for _, c := range []struct {
		in, cur string
		want    int64
		err     error
	}{
		{"12.5", "USD", 1250, nil},
		{"-3.00", "EUR", -300, nil},
		{"1500.0", "JPY", 1500, nil},
		{"5.93000", "USD", 593, nil},
		{"120", "USD", 12000, nil},
		{"1.005", "USD", 0, ErrTooPrecise},
		{"1.5", "JPY", 0, ErrTooPrecise},
		{"", "USD", 0, ErrNotDecimal},
		{"1e3", "USD", 0, ErrNotDecimal},
		{" 1", "USD", 0, ErrNotDecimal},
		{"99999999999999999999", "USD", 0, ErrRange},
	} {
		got, err := ParseMinor(c.in, c.cur)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("ParseMinor(%q, %s) = %d, %v; want %d, %v", c.in, c.cur, got, err, c.want, c.err)
		}
	}
}

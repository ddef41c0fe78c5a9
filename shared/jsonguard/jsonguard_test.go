package jsonguard

import (
	"strings"
	"testing"
)

func TestCheckDepth(t *testing.T) {
	ok := []string{`{}`, `{"a":[1,{"b":2}]}`, `"[[[[[[[["`, `{"s":"\"[[[[\\"}`, strings.Repeat("[", 64) + strings.Repeat("]", 64)}
	for _, s := range ok {
		if err := CheckDepth([]byte(s), 64); err != nil {
			t.Errorf("%.40s: %v", s, err)
		}
	}
	for _, s := range []string{strings.Repeat("[", 65), `{"a":` + strings.Repeat(`{"b":`, 70), strings.Repeat("[", 10_000_000)} {
		if err := CheckDepth([]byte(s), 64); err == nil {
			t.Errorf("%.40s accepted", s)
		}
	}
}

func FuzzCheckDepth(f *testing.F) {
	f.Add([]byte(`{"a":[1,2,{"b":"]"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = CheckDepth(b, 8)
		_ = FirstByte(b)
	})
}

func BenchmarkCheckDepth(b *testing.B) {
	msg := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"crm_get_customer","arguments":{"id":"C-1042","fields":["email","notes"]}}}`)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		CheckDepth(msg, MaxDepth)
	}
}

func TestMembers(t *testing.T) {
	for in, want := range map[string]int{
		`[]`: 0, ` [ ] `: 0, `{}`: 0, `null`: 0, `[1]`: 1, `[1,2,3]`: 3, `[[1,2],{"a":[3,4]}]`: 2,
		`{"a":1,"b":{"c":[1,2]}}`: 2, `["a,b","c\\\",d",",]"]`: 3, `[{"x":"}"},"\\\\"]`: 2,
	} {
		got, err := Members([]byte(in))
		if err != nil || got != want {
			t.Errorf("Members(%s) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{`1`, `"a"`, ``} {
		if _, err := Members([]byte(bad)); err == nil {
			t.Errorf("Members(%q): no error", bad)
		}
	}
}

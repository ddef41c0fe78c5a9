package idem

import (
	"errors"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	var tab Table[string]
	fp := Fingerprint("op", "X-1", map[string]int{"b": 2, "a": 1})
	if v, ok, err := tab.Lookup("k", fp); v != "" || ok || err != nil {
		t.Fatalf("unused key: %q %v %v", v, ok, err)
	}
	tab.Remember("", fp, "ignored")
	if _, ok, _ := tab.Lookup("", fp); ok {
		t.Fatal("empty key remembered")
	}
	tab.Remember("k", fp, "first")
	if v, ok, err := tab.Lookup("k", fp); v != "first" || !ok || err != nil {
		t.Fatalf("replay: %q %v %v", v, ok, err)
	}
	if _, ok, err := tab.Lookup("k", Fingerprint("op", "X-2", nil)); ok || !errors.Is(err, ErrConflict) {
		t.Fatalf("conflict: %v %v", ok, err)
	}
	tab.Reset()
	if _, ok, err := tab.Lookup("k", fp); ok || err != nil {
		t.Fatalf("after reset: %v %v", ok, err)
	}
}

func TestCheckKey(t *testing.T) {
	fail := func(field, problem string) error { return errors.New(field + ": " + problem) }
	if err := CheckKey(strings.Repeat("k", MaxKeyBytes), fail); err != nil {
		t.Error(err)
	}
	if err := CheckKey(strings.Repeat("k", MaxKeyBytes+1), fail); err == nil || err.Error() != "Idempotency-Key: at most 255 bytes" {
		t.Errorf("%v", err)
	}
}

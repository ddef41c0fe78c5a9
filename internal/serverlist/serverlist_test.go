package serverlist

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestInListsFoldersWithMain(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"servers/b", "servers/a", "servers/notes"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"servers/a/main.go", "servers/b/main.go", "servers/notes/README.md"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("package main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := In(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "a" || got[1].Name != "b" {
		t.Fatalf("In = %+v, want a, b (folders with main.go, sorted)", got)
	}
	if s := Of("tickets-eu", ""); s.Binary != "tickets-eu-mcp" || s.Prefix != "TICKETS_EU_" {
		t.Fatalf("Of = %+v", s)
	}
}

func TestThisCheckout(t *testing.T) {
	names, err := Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"crm", "email", "orders", "shipping"} {
		if !slices.Contains(names, want) {
			t.Errorf("servers of this checkout %v lack %q", names, want)
		}
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWeightsMatchTrainer: the checked-in weights are what the trainer
// produces from the checked-in data (go run ./cmd/injtrain -check).
func TestWeightsMatchTrainer(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(&out, &errb, []string{"-check"}); code != 0 {
		t.Fatalf("injtrain -check: exit %d\n%s\n%s", code, errb.String(), out.String())
	}
	for _, want := range []string{"cross-validation", "holdout", "matches the trainer's output"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestCheckDetectsDifference: -check fails on weights that differ.
func TestCheckDetectsDifference(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the model")
	}
	p := filepath.Join(t.TempDir(), "w.bin")
	if err := os.WriteFile(p, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(&out, &errb, []string{"-check", "-out", p}); code != 1 {
		t.Fatalf("-check on a wrong file: exit %d, want 1", code)
	}
}

// TestNeverReadsBlindOrFresh: the reader refuses the evaluation sets.
func TestNeverReadsBlindOrFresh(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blind")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "blind-attacks.jsonl"), []byte(`{"id":"1","label":"attack","text":"x"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readCases(filepath.Join(dir, "*.jsonl")); err == nil {
		t.Error("read a blind file")
	}
}

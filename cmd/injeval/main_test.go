package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestReportAndTargets(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(&out, &errb, []string{"--rounds", "1"})
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errb.String(), out.String())
	}
	for _, want := range []string{"== split: tune", "== split: holdout", "== split: all", "ALL ATTACKS", "ALL BENIGN", "throughput:", "targets (whole corpus): met"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	out.Reset()
	if code := run(&out, &errb, []string{"--rounds", "1", "--json", "--split", "holdout"}); code != 0 {
		t.Fatalf("--json exit %d", code)
	}
	var rep struct {
		Splits []struct {
			Split   string `json:"split"`
			AttackN int    `json:"attack_n"`
		} `json:"splits"`
		Failures []string `json:"failures"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || len(rep.Splits) != 1 || rep.Splits[0].Split != "holdout" || rep.Splits[0].AttackN == 0 {
		t.Errorf("json report: %v %+v", err, rep)
	}
	if code := run(&out, &errb, []string{"--split", "nope"}); code != 2 {
		t.Errorf("bad split: exit %d", code)
	}
	if code := run(&out, &errb, []string{"--corpus", t.TempDir()}); code != 2 {
		t.Errorf("empty corpus dir: exit %d", code)
	}
}

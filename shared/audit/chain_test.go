package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/shared/policy"
)

// writeLog writes n call records and returns the lines.
func writeLog(t *testing.T, n int) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	l := New("crm-mcp", &buf)
	for i := range n {
		l.Write(Record{Principal: "ann", Tool: "crm_get_customer", Args: map[string]any{"id": fmt.Sprintf("C-%d", i)}, Decision: Allowed, Outcome: OutcomeOK})
	}
	return bytes.SplitAfter(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
}

func verify(lines [][]byte) *Report {
	var v Verifier
	v.Add("audit.jsonl", bytes.NewReader(bytes.Join(lines, nil)))
	return v.Report()
}

func TestChainIntact(t *testing.T) {
	lines := writeLog(t, 5)
	rep := verify(lines)
	if !rep.OK() || rep.Records != 5 || rep.FirstSeq != 0 || rep.LastSeq != 4 || len(rep.Chains) != 1 {
		t.Fatalf("%+v", rep)
	}
	var r Record
	if err := json.Unmarshal(lines[0], &r); err != nil || r.Schema != SchemaVersion || r.Seq != 0 || r.Prev != "" || len(r.Hash) != 64 || r.Event != EventCall {
		t.Errorf("first record %+v %v", r, err)
	}
}

func TestChainFindsTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(l [][]byte) [][]byte
		line   int
		reason string
	}{
		{"removed", func(l [][]byte) [][]byte { return append(l[:2:2], l[3:]...) }, 3, "1 record(s) missing"},
		{"removed first", func(l [][]byte) [][]byte { return l[1:] }, 0, "earlier records are not in the files"},
		{"reordered", func(l [][]byte) [][]byte { l[1], l[2] = l[2], l[1]; return l }, 2, "missing"},
		{"altered", func(l [][]byte) [][]byte {
			l[2] = bytes.Replace(l[2], []byte(`"C-2"`), []byte(`"C-9"`), 1)
			return l
		}, 3, "altered: its content does not match its hash"},
		{"altered and rehashed", func(l [][]byte) [][]byte {
			// Change the principal and recompute the record's own hash:
			// the next record's link gives it away.
			b := bytes.Replace(l[2], []byte(`"principal":"ann"`), []byte(`"principal":"bob"`), 1)
			body := append(append([]byte{}, b[:len(b)-1-hashFieldBytes]...), '}')
			line, _ := seal(body)
			l[2] = line
			return l
		}, 4, "its prev does not match the hash of seq 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := verify(tc.change(writeLog(t, 5)))
			all := fmt.Sprint(rep.Problems, rep.Notes)
			if tc.line == 0 {
				if !rep.OK() || !strings.Contains(all, tc.reason) {
					t.Fatalf("want a note %q: %s", tc.reason, all)
				}
				return
			}
			if rep.OK() {
				t.Fatalf("%s log passed verification", tc.name)
			}
			found := false
			for _, p := range rep.Problems {
				if p.Line == tc.line && strings.Contains(p.Reason, tc.reason) {
					found = true
				}
			}
			if !found {
				t.Errorf("want a problem on line %d with %q, got %s", tc.line, tc.reason, all)
			}
		})
	}
}

func TestFileRotationContinuesChain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	clock := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	open := func() (*Logger, *fileSink) {
		l, c, err := OpenWith("crm-mcp", Options{Sink: path, MaxBytes: 1200, MaxAge: time.Hour, MaxFiles: 0}, nil)
		if err != nil {
			t.Fatal(err)
		}
		fs := c.(*fileSink)
		fs.now = func() time.Time { return clock }
		fs.opened = clock
		return l, fs
	}
	l, fs := open()
	for i := range 6 {
		clock = clock.Add(time.Millisecond)
		l.Write(Record{Principal: "ann", Tool: "crm_get_customer", Args: map[string]any{"i": i}, Decision: Allowed, Outcome: OutcomeOK})
	}
	fs.Close()
	// A restart continues the chain of the file's last record.
	l, fs = open()
	clock = clock.Add(2 * time.Hour) // age rotation
	l.Write(Record{Principal: "ann", Tool: "crm_add_note", Decision: Allowed, Outcome: OutcomeOK})
	fs.Close()

	files := append(RotatedFiles(path), path)
	if len(files) < 3 {
		t.Fatalf("want size and age rotation, got files %v", files)
	}
	var v Verifier
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v.Add(f, bytes.NewReader(b))
	}
	rep := v.Report()
	if !rep.OK() || rep.Records != 7 || rep.LastSeq != 6 || len(rep.Chains) != 1 || len(rep.Notes) != 0 {
		t.Fatalf("rotated log: %+v", rep)
	}
	// Leaving out a middle file is found.
	var v2 Verifier
	for _, f := range []string{files[0], files[len(files)-1]} {
		b, _ := os.ReadFile(f)
		v2.Add(f, bytes.NewReader(b))
	}
	if v2.Report().OK() {
		t.Error("a missing rotated file went unnoticed")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("audit file mode %v", st.Mode())
	}
}

// Point 6 of issue 16: a call refused before the server (no token) once
// logged every argument key; 20 requests of 972 KB added 18.7 MB to the
// audit log. Now a denied record is bounded and denied records are
// rate-limited.
func TestDeniedRecordsAreBounded(t *testing.T) {
	var buf bytes.Buffer
	l := New("crm-mcp", &buf)
	args := map[string]string{}
	for i := range 5000 {
		args[fmt.Sprintf("k%06d_%s", i, strings.Repeat("x", 40))] = strings.Repeat("v", 10)
	}
	raw, _ := json.Marshal(args)
	huge := strings.Repeat("T", 400<<10)
	for range 5 {
		l.Denied(policy.Principal{}, huge, raw, DeniedAuth)
	}
	perRecord := buf.Len() / 5
	if perRecord > 4096 {
		t.Fatalf("a denied record is %d bytes for %d bytes of arguments", perRecord, len(raw))
	}
	if strings.Contains(buf.String(), "vvvvvvvvvv") {
		t.Error("an argument value reached the audit log")
	}
	var r Record
	line, _, _ := strings.Cut(buf.String(), "\n")
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatal(err)
	}
	if r.Event != EventDenied || len(r.Args) != maxDeniedKeys+1 || r.Args["_more_keys"] != float64(5000-maxDeniedKeys) || r.ArgsBytes != len(raw) || r.ToolBytes != len(huge) || len(r.Tool) > 70 {
		t.Errorf("denied record: event %s, %d arg keys, more %v, args_bytes %d, tool %d bytes (was %d)", r.Event, len(r.Args), r.Args["_more_keys"], r.ArgsBytes, len(r.Tool), r.ToolBytes)
	}

	// A flood is rate-limited; the next record written says how many
	// were left out.
	buf.Reset()
	flood := New("crm-mcp", &buf)
	for range 1000 {
		flood.Denied(policy.Principal{}, "crm_add_note", []byte(`{"id":"C-1"}`), DeniedAuth)
	}
	written := strings.Count(buf.String(), "\n")
	if written > deniedBurst+deniedPerSec { // the burst, and what a second of test time refills
		t.Fatalf("%d of 1000 denied records written", written)
	}
	flood.deniedLim.SetBurstAt(time.Now(), deniedBurst) // let one through now
	flood.deniedLim.SetLimitAt(time.Now(), 1e9)
	flood.Denied(policy.Principal{}, "crm_add_note", []byte(`{"id":"C-1"}`), DeniedAuth)
	var last Record
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	json.Unmarshal([]byte(lines[len(lines)-1]), &last)
	if last.Suppressed != int64(1000-written) {
		t.Errorf("suppressed %d, want %d", last.Suppressed, 1000-written)
	}
	rep := verify(bytesLines(buf.String()))
	if !rep.OK() {
		t.Errorf("rate limiting broke the chain: %v", rep.Problems)
	}
}

func bytesLines(s string) [][]byte {
	var out [][]byte
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			out = append(out, []byte(l))
		}
	}
	return out
}

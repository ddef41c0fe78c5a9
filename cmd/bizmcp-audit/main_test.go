package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/audit"
)

func TestVerify(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	l, c, err := audit.OpenWith("orders-mcp", audit.Options{Sink: path, MaxBytes: 900}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"orders_get_order", "orders_create_refund", "orders_cancel_order", "orders_get_order", "orders_list_items"} {
		l.Write(audit.Record{Principal: "ann", Tool: tool, Decision: audit.Allowed, Outcome: audit.OutcomeOK})
	}
	l.Approval(audit.ApprovalRecord{Principal: "ann", Tool: "orders_create_refund", ApprovalID: "apr_1", Decision: "approved_by_approver", By: "lead"})
	c.Close()
	files := append(audit.RotatedFiles(path), path)
	if len(files) < 2 {
		t.Fatalf("no rotation: %v", files)
	}

	var out, errb bytes.Buffer
	if code := run(append([]string{"verify"}, files...), &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "ok: 6 records intact (seq 0 to 5, 1 chain(s))") {
		t.Fatalf("intact log: exit %d\n%s%s", code, out.String(), errb.String())
	}

	// Alter one refund record in the current file... the first file, whichever holds it.
	var altered string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte("orders_create_refund\",\"args_sha256")) {
			os.WriteFile(f, bytes.Replace(b, []byte(`"principal":"ann","tool":"orders_create_refund"`), []byte(`"principal":"bob","tool":"orders_create_refund"`), 1), 0o600)
			altered = f
			break
		}
	}
	if altered == "" {
		t.Fatal("refund record not found")
	}
	out.Reset()
	if code := run(append([]string{"verify"}, files...), &out, &errb); code != 1 || !strings.Contains(out.String(), "FAIL: "+altered+":2: record seq 1: altered") {
		t.Errorf("altered log: exit %d\n%s", code, out.String())
	}

	// Leaving out the first (rotated) file: the second starts mid-chain,
	// which is a note, not a failure, when it is all that is given...
	out.Reset()
	if code := run([]string{"verify", files[len(files)-1]}, &out, &errb); code != 0 || !strings.Contains(out.String(), "note:") {
		t.Errorf("current file alone: exit %d\n%s", code, out.String())
	}
	// ...and usage errors exit 2.
	if code := run([]string{"verify"}, &out, &errb); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
	if code := run([]string{"verify", filepath.Join(dir, "missing")}, &out, &errb); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
}

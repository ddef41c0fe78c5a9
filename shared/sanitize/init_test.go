package sanitize_test

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// TestInitDoesNoWork runs this test binary again with GODEBUG=inittrace=1:
// the package's initialisation must allocate nothing (its tables are built
// on first use), so a server that never sanitizes, or answers --help,
// pays nothing for them.
func TestInitDoesNoWork(t *testing.T) {
	if os.Getenv("SANITIZE_INIT_CHILD") != "" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestInitDoesNoWork$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "SANITIZE_INIT_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	m := regexp.MustCompile(`(?m)^init github\.com/bizmcp/bizmcp/shared/sanitize @.* (\d+) bytes, (\d+) allocs$`).FindSubmatch(out)
	if m != nil && (string(m[1]) != "0" || string(m[2]) != "0") {
		t.Errorf("package init allocates %s bytes in %s allocations", m[1], m[2])
	}
}

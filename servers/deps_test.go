package servers_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// serverNames lists the servers: every folder under servers/ with a main.go.
func serverNames(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("*/main.go")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no servers found: %v", err)
	}
	var out []string
	for _, d := range dirs {
		out = append(out, filepath.Dir(d))
	}
	return out
}

// A server binary links its own domain's mock (for --demo) and nothing of
// the other domains' mocks or mock-backends' fault injector.
func TestServersLinkOnlyTheirOwnMock(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	names := serverNames(t)
	for _, s := range names {
		out, err := exec.Command("go", "list", "-deps", "./"+s).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", s, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			rest, ok := strings.CutPrefix(dep, "github.com/bizmcp/bizmcp/mocks")
			if !ok {
				continue
			}
			switch rest {
			case "/" + s, "/world", "/inproc", "/internal/apijson", "/internal/domainkit", "/internal/idem":
				continue
			}
			t.Errorf("%s-mcp links %s", s, dep)
		}
	}
	if _, err := os.Stat("../mocks/faults"); err != nil {
		t.Fatal("the check above assumes mocks/faults exists")
	}
}

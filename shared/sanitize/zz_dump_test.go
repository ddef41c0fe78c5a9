package sanitize_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/sanitize"
)

func TestZZDump(t *testing.T) {
	cls := os.Getenv("ZZ_CLASS")
	files, _ := filepath.Glob("testdata/train/*.jsonl")
	s := sanitize.New(sanitize.Options{})
	n, miss := 0, 0
	for _, fn := range files {
		f, _ := os.Open(fn)
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		for sc.Scan() {
			var c struct{ ID, Label, Class, Lang, Text string }
			json.Unmarshal(sc.Bytes(), &c)
			if c.Label != "attack" || c.Class != cls {
				continue
			}
			n++
			if r := s.Text(c.Text); !r.Flagged {
				miss++
				x := strings.ReplaceAll(c.Text, "\n", " ⏎ ")
				if len(x) > 260 {
					x = x[:260]
				}
				fmt.Printf("%s [%s] %s\n", c.ID, c.Lang, x)
			}
		}
		f.Close()
	}
	fmt.Println(n, miss)
}

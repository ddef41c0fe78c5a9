// Command bizmcp-audit checks bizmcp audit logs.
//
//	bizmcp-audit verify FILE...
//
// verify reads the files in order as one hash chain (rotated files oldest
// first, then the current one: audit.jsonl.2026... audit.jsonl) and names
// every record that was removed, reordered or altered. Exit status 0: the
// chain is intact; 1: problems found (listed on stdout); 2: usage or read
// error. The last record's hash is printed: keep it elsewhere (a ticket, a
// SIEM) to be able to show later that nothing after it was cut.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/bizmcp/bizmcp/shared/audit"
)

var version = "dev"

const usage = `usage: bizmcp-audit verify FILE...

Checks the hash chain of bizmcp audit logs. Give rotated files oldest
first, then the current file. Lines that are not audit records (other
JSON logs on a shared stderr) are skipped and counted.
Exit status: 0 intact, 1 problems found, 2 usage or read error.
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		fmt.Fprintln(stdout, "bizmcp-audit", version)
		return 0
	}
	if len(args) >= 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if len(args) < 2 || args[0] != "verify" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var v audit.Verifier
	for _, name := range args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, "bizmcp-audit:", err)
			return 2
		}
		err = v.Add(name, f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "bizmcp-audit: %s: %v\n", name, err)
			return 2
		}
	}
	rep := v.Report()
	for _, n := range rep.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
	if !rep.OK() {
		for _, p := range rep.Problems {
			if p.File == "" {
				fmt.Fprintln(stdout, "FAIL:", p.Reason)
				continue
			}
			fmt.Fprintln(stdout, "FAIL:", p)
		}
		fmt.Fprintf(stdout, "FAIL: %d problem(s) in %d records\n", len(rep.Problems), rep.Records)
		return 1
	}
	fmt.Fprintf(stdout, "ok: %d records intact (seq %d to %d, %d chain(s)), %d other lines skipped; last hash %s\n",
		rep.Records, rep.FirstSeq, rep.LastSeq, len(rep.Chains), rep.Skipped, rep.LastHash)
	return 0
}

package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// Problem is one place where a log fails verification.
type Problem struct {
	File   string
	Line   int
	Seq    uint64
	Reason string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: record seq %d: %s", p.File, p.Line, p.Seq, p.Reason)
}

// Report is what Verify found.
type Report struct {
	Records  int      // chained records checked
	Skipped  int      // lines that are not audit records (other logs on a shared stderr)
	Chains   []string // chain ids seen, in order
	FirstSeq uint64   // seq of the first record checked
	LastSeq  uint64
	LastHash string // anchor: the hash of the last record
	Problems []Problem
	Notes    []string
}

// OK reports whether no problem was found.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Verifier checks one chain across files given in order. Each record's
// hash must be the SHA-256 of its own line without the trailing hash
// field; each record's prev must be the hash of the record before it, and
// its seq one more. A chain starts at seq 0 with an empty prev.
//
// What each failure means:
//   - hash mismatch: this record was altered;
//   - seq jumps forward, prev mismatch: records before it were removed;
//   - seq goes back: records were reordered (or a removed one was replaced);
//   - prev mismatch with the right seq: the record before it was altered
//     (its hash recomputed) or replaced.
type Verifier struct {
	rep      Report
	started  bool
	chain    string
	prevSeq  uint64
	prevHash string
}

// maxProblems caps the problems listed.
const maxProblems = 100

// Add checks the records read from r, named file in problems.
func (v *Verifier) Add(file string, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimRight(sc.Bytes(), "\r")
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var h struct {
			Schema *int    `json:"schema"`
			Chain  string  `json:"chain"`
			Seq    *uint64 `json:"seq"`
			Prev   *string `json:"prev"`
			Hash   string  `json:"hash"`
		}
		if json.Unmarshal(b, &h) != nil || h.Schema == nil || h.Chain == "" || h.Seq == nil {
			v.rep.Skipped++
			continue
		}
		v.check(file, line, b, h.Chain, *h.Seq, h.Prev, h.Hash)
	}
	return sc.Err()
}

func (v *Verifier) problem(file string, line int, seq uint64, format string, a ...any) {
	if len(v.rep.Problems) < maxProblems {
		v.rep.Problems = append(v.rep.Problems, Problem{File: file, Line: line, Seq: seq, Reason: fmt.Sprintf(format, a...)})
	}
}

func (v *Verifier) check(file string, line int, b []byte, chain string, seq uint64, prev *string, hash string) {
	v.rep.Records++
	// Own hash: the line without ,"hash":"..."} then "}".
	own := ""
	if n := len(b); n > hashFieldBytes && bytes.HasPrefix(b[n-hashFieldBytes:], []byte(`,"hash":"`)) && bytes.HasSuffix(b, []byte(`"}`)) {
		body := append(append([]byte{}, b[:n-hashFieldBytes]...), '}')
		sum := sha256.Sum256(body)
		own = hex.EncodeToString(sum[:])
	}
	switch {
	case own == "" || hash == "":
		v.problem(file, line, seq, "no hash field at the end of the record: altered or not written by bizmcp")
	case own != hash:
		v.problem(file, line, seq, "altered: its content does not match its hash")
	}
	p := ""
	if prev != nil {
		p = *prev
	}
	if chain != v.chain {
		v.rep.Chains = append(v.rep.Chains, chain)
	}
	switch {
	case seq == 0:
		if p != "" {
			v.problem(file, line, seq, "a chain start with a non-empty prev")
		}
		if v.started {
			v.rep.Notes = append(v.rep.Notes, fmt.Sprintf("%s:%d: a new chain %s starts (a restart that could not continue the previous chain, or logs of several processes)", file, line, chain))
		}
	case !v.started:
		v.rep.Notes = append(v.rep.Notes, fmt.Sprintf("%s:%d: the chain %s is checked from seq %d: earlier records are not in the files given (pass the rotated files before this one to check them)", file, line, chain, seq))
	case chain != v.chain:
		v.problem(file, line, seq, "belongs to chain %s but follows a record of chain %s at seq %d: records were removed or files mixed", chain, v.chain, v.prevSeq)
	case seq <= v.prevSeq:
		v.problem(file, line, seq, "out of order: follows seq %d (records reordered, or one replaced)", v.prevSeq)
	case seq > v.prevSeq+1:
		v.problem(file, line, seq, "%d record(s) missing before it (seq %d to %d removed)", seq-v.prevSeq-1, v.prevSeq+1, seq-1)
	case p != v.prevHash:
		v.problem(file, line, seq, "its prev does not match the hash of seq %d before it: that record was altered or replaced", v.prevSeq)
	}
	if !v.started {
		v.rep.FirstSeq = seq
	}
	v.started, v.chain, v.prevSeq, v.prevHash = true, chain, seq, hash
	v.rep.LastSeq, v.rep.LastHash = seq, hash
}

// Report returns the result so far.
func (v *Verifier) Report() *Report {
	r := v.rep
	if r.Records == 0 {
		r.Problems = append(r.Problems, Problem{Reason: "no audit records found"})
	}
	return &r
}

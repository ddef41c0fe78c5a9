// Package faults injects backend failures into an http.Handler: latency,
// error statuses, 429 with Retry-After, connection resets, hangs, malformed,
// oversized and slow bodies. Rules come from a small text syntax:
//
//	SPEC   := RULE ( (';' | newline) RULE )*
//	RULE   := [METHOD ' '] PATHGLOB '=' FAULT [ '@' PROB ] [ '#' COUNT ]
//	FAULT  := latency:DUR | status:CODE | 429[:SECS] | 429date:SECS | reset
//	        | reset-after | hang | hang-after | malformed | oversize:SIZE
//	        | slowbody:DUR
//
// PATHGLOB is matched against the request path; '*' matches any run of
// characters including '/' ("*" alone matches everything, "/crm/*" every
// CRM path, "/crm/customers/*/notes" every notes path). PROB is 0..1 (or a
// percentage such as 25%), default 1. COUNT limits how many times the rule
// fires; afterwards requests pass through. Rules are tried in order and the
// first one that fires wins. Probabilities use a seeded PRNG per rule, so a
// sequential test sees the same pattern on every run.
package faults

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is a fault type.
type Kind string

// Fault kinds.
const (
	Latency    Kind = "latency"     // delay, then serve normally
	Status     Kind = "status"      // respond with an error status and JSON error body
	TooMany    Kind = "429"         // 429 with Retry-After: SECS (omitted when no SECS)
	TooManyAt  Kind = "429date"     // 429 with Retry-After as an HTTP date SECS ahead
	Reset      Kind = "reset"       // drop the connection (TCP RST) without serving
	ResetAfter Kind = "reset-after" // serve (side effects happen), then drop the connection instead of answering
	Hang       Kind = "hang"        // never answer; block until the client gives up
	HangAfter  Kind = "hang-after"  // serve (side effects happen), then never answer
	Malformed  Kind = "malformed"   // serve, then answer 200 with the body truncated to invalid JSON
	Oversize   Kind = "oversize"    // 200 with a valid JSON body of exactly SIZE bytes
	SlowBody   Kind = "slowbody"    // serve, writing the body in chunks spread over DUR
)

// Kinds lists every fault kind.
var Kinds = []Kind{Latency, Status, TooMany, TooManyAt, Reset, ResetAfter, Hang, HangAfter, Malformed, Oversize, SlowBody}

// Limits on rule arguments.
const (
	MaxDuration = time.Hour
	MaxSize     = 1 << 30 // oversize cap (1 GiB)
)

// Rule is one parsed fault rule.
type Rule struct {
	Method     string        // "" = any method
	Path       string        // glob
	Kind       Kind          //
	Duration   time.Duration // latency, slowbody
	Status     int           // status
	RetryAfter int           // 429 / 429date seconds; -1 = no header
	Size       int64         // oversize bytes
	Prob       float64       // 0..1
	Count      int           // 0 = unlimited
}

// String renders the rule in canonical syntax (Parse(r.String()) == r).
func (r Rule) String() string {
	var b strings.Builder
	if r.Method != "" {
		b.WriteString(r.Method + " ")
	}
	b.WriteString(r.Path)
	b.WriteString("=")
	b.WriteString(r.FaultString())
	if r.Prob != 1 {
		b.WriteString("@" + strconv.FormatFloat(r.Prob, 'g', -1, 64))
	}
	if r.Count > 0 {
		b.WriteString("#" + strconv.Itoa(r.Count))
	}
	return b.String()
}

// FaultString renders just the FAULT part, e.g. "status:503".
func (r Rule) FaultString() string {
	switch r.Kind {
	case Latency, SlowBody:
		return string(r.Kind) + ":" + r.Duration.String()
	case Status:
		return "status:" + strconv.Itoa(r.Status)
	case TooMany:
		if r.RetryAfter < 0 {
			return "429"
		}
		return "429:" + strconv.Itoa(r.RetryAfter)
	case TooManyAt:
		return "429date:" + strconv.Itoa(r.RetryAfter)
	case Oversize:
		return "oversize:" + strconv.FormatInt(r.Size, 10)
	}
	return string(r.Kind)
}

// Matches reports whether the rule applies to a request.
func (r Rule) Matches(method, path string) bool {
	if r.Method != "" && r.Method != method {
		return false
	}
	return MatchPath(r.Path, path)
}

// MatchPath matches path against glob, where '*' matches any run of
// characters (including '/') and every other character matches itself.
func MatchPath(glob, path string) bool {
	// Iterative wildcard matching with single-star backtracking.
	g, p := 0, 0
	star, mark := -1, 0
	for p < len(path) {
		switch {
		case g < len(glob) && glob[g] == '*':
			star, mark = g, p
			g++
		case g < len(glob) && glob[g] == path[p]:
			g++
			p++
		case star >= 0:
			g = star + 1
			mark++
			p = mark
		default:
			return false
		}
	}
	for g < len(glob) && glob[g] == '*' {
		g++
	}
	return g == len(glob)
}

// ParseError reports a bad rule, naming it.
type ParseError struct {
	Index int    // 1-based position of the rule in the spec
	Rule  string // the rule text
	Err   error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("faults: rule %d %q: %v", e.Index, e.Rule, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse parses a SPEC. An empty or blank spec yields no rules.
func Parse(spec string) ([]Rule, error) {
	var rules []Rule
	n := 0
	for _, line := range strings.Split(spec, "\n") {
		for _, part := range strings.Split(line, ";") {
			part = strings.TrimSpace(part)
			if part == "" || strings.HasPrefix(part, "//") {
				continue
			}
			n++
			r, err := ParseRule(part)
			if err != nil {
				return nil, &ParseError{Index: n, Rule: part, Err: err}
			}
			rules = append(rules, r)
		}
	}
	return rules, nil
}

// ParseRule parses one RULE.
func ParseRule(s string) (Rule, error) {
	r := Rule{Prob: 1, RetryAfter: -1}
	eq := strings.LastIndexByte(s, '=')
	if eq < 0 {
		return r, errors.New(`missing "=" between path and fault (want PATHGLOB=FAULT)`)
	}
	target, fault := strings.TrimSpace(s[:eq]), strings.TrimSpace(s[eq+1:])
	if f := strings.Fields(target); len(f) == 2 {
		r.Method, target = strings.ToUpper(f[0]), f[1]
		if !validMethod(r.Method) {
			return r, fmt.Errorf("invalid method %q", f[0])
		}
	} else if len(f) > 2 {
		return r, fmt.Errorf("invalid target %q (want [METHOD ]PATHGLOB)", target)
	}
	if target == "" {
		return r, errors.New("empty path glob")
	}
	if target[0] != '/' && target[0] != '*' {
		return r, fmt.Errorf("path glob %q must start with '/' or '*'", target)
	}
	r.Path = target

	// Split off @PROB and #COUNT (either order).
	var probStr, countStr string
	var haveProb, haveCount bool
	for {
		i := strings.LastIndexAny(fault, "@#")
		if i < 0 {
			break
		}
		val := strings.TrimSpace(fault[i+1:])
		switch fault[i] {
		case '@':
			if haveProb {
				return r, errors.New(`"@" given twice`)
			}
			probStr, haveProb = val, true
		case '#':
			if haveCount {
				return r, errors.New(`"#" given twice`)
			}
			countStr, haveCount = val, true
		}
		fault = strings.TrimSpace(fault[:i])
	}
	if haveProb {
		p, err := parseProb(probStr)
		if err != nil {
			return r, err
		}
		r.Prob = p
	}
	if haveCount {
		c, err := strconv.Atoi(countStr)
		if err != nil || c < 1 {
			return r, fmt.Errorf("invalid count %q (want an integer >= 1)", countStr)
		}
		r.Count = c
	}
	if err := parseFault(&r, fault); err != nil {
		return r, err
	}
	return r, nil
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func parseProb(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err == nil && pct {
		v /= 100
	}
	if err != nil || v < 0 || v > 1 {
		return 0, fmt.Errorf("invalid probability %q (want 0..1 or 0%%..100%%)", s)
	}
	return v, nil
}

func parseFault(r *Rule, s string) error {
	name, arg, hasArg := strings.Cut(s, ":")
	name, arg = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(arg)
	if name == "" {
		return errors.New("empty fault")
	}
	r.Kind = Kind(name)
	needArg := func(what string) error {
		if !hasArg || arg == "" {
			return fmt.Errorf("fault %q needs an argument: %s:%s", name, name, what)
		}
		return nil
	}
	switch r.Kind {
	case Latency, SlowBody:
		if err := needArg("DURATION"); err != nil {
			return err
		}
		d, err := time.ParseDuration(arg)
		if err != nil || d < 0 || d > MaxDuration {
			return fmt.Errorf("invalid duration %q for %s (e.g. 250ms, 2s; max %s)", arg, name, MaxDuration)
		}
		r.Duration = d
	case Status:
		if err := needArg("CODE"); err != nil {
			return err
		}
		c, err := strconv.Atoi(arg)
		if err != nil || c < 400 || c > 599 {
			return fmt.Errorf("invalid status %q (want 400..599)", arg)
		}
		r.Status = c
	case TooMany, TooManyAt:
		if r.Kind == TooManyAt {
			if err := needArg("SECS"); err != nil {
				return err
			}
		}
		if hasArg {
			secs, err := strconv.Atoi(arg)
			if err != nil || secs < 0 || secs > 86400 {
				return fmt.Errorf("invalid Retry-After seconds %q (want 0..86400)", arg)
			}
			r.RetryAfter = secs
		}
	case Oversize:
		if err := needArg("SIZE"); err != nil {
			return err
		}
		n, err := ParseSize(arg)
		if err != nil {
			return err
		}
		r.Size = n
	case Reset, ResetAfter, Hang, HangAfter, Malformed:
		if hasArg {
			return fmt.Errorf("fault %q takes no argument", name)
		}
	default:
		return fmt.Errorf("unknown fault %q (known: latency, status, 429, 429date, reset, reset-after, hang, hang-after, malformed, oversize, slowbody)", name)
	}
	return nil
}

// ParseSize parses a byte size: a plain number of bytes or a number with a
// unit B, KB, MB, GB (binary: 1KB = 1024 bytes; KiB/MiB/GiB also accepted).
// Sizes must be between 2 bytes (the smallest JSON document) and MaxSize.
func ParseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, unit := range []struct {
		suffix string
		m      int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(u, unit.suffix) {
			u, mult = strings.TrimSpace(strings.TrimSuffix(u, unit.suffix)), unit.m
			break
		}
	}
	v, err := strconv.ParseFloat(u, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q (e.g. 512, 64KB, 20MB)", s)
	}
	n := int64(v * float64(mult))
	if n < 2 || n > MaxSize {
		return 0, fmt.Errorf("size %q out of range (2 bytes .. 1GB)", s)
	}
	return n, nil
}

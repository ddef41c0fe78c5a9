// Package jsonguard checks a JSON message cheaply before any decoder sees
// it. Decoders without a depth limit spend super-linear time on deeply
// nested input (a 40 KB body of '[' cost seconds of CPU in the SDK's
// decoder), so every inbound MCP message passes one linear scan first.
package jsonguard

import (
	"bytes"
	"fmt"
)

// MaxDepth is the nesting bound for MCP messages: tool arguments in this
// project are at most a few levels deep.
const MaxDepth = 64

// DepthError reports nesting beyond the bound.
type DepthError struct{ Max int }

func (e *DepthError) Error() string {
	return fmt.Sprintf("JSON nested deeper than %d levels", e.Max)
}

// CheckDepth scans b once and fails as soon as objects and arrays nest
// deeper than max. It does not validate the JSON otherwise; brackets inside
// strings are ignored.
func CheckDepth(b []byte, max int) error {
	depth := 0
	var str inString
	for _, c := range b {
		if str.skip(c) {
			continue
		}
		switch c {
		case '{', '[':
			depth++
			if depth > max {
				return &DepthError{Max: max}
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// FirstByte returns the first non-whitespace byte of b, or 0.
func FirstByte(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// Members counts the elements of a JSON array or the members of a JSON
// object (0 for null) in one scan, without decoding them: an adapter that
// needs only how many there are. It does not validate the JSON otherwise.
func Members(b []byte) (int, error) {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return 0, nil
	}
	if len(b) < 2 || (b[0] != '[' && b[0] != '{') {
		return 0, fmt.Errorf("want a JSON array or object, got %.20q", b)
	}
	n, depth, empty := 0, 0, true
	var str inString
	for _, c := range b[1 : len(b)-1] {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			empty = false
		}
		if str.skip(c) {
			continue
		}
		switch c {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case ',':
			if depth == 0 {
				n++
			}
		}
	}
	if empty {
		return 0, nil
	}
	return n + 1, nil
}

// inString follows JSON strings through a scan, byte by byte.
type inString struct{ in, escaped bool }

// skip reports whether c is part of a string (its quotes included), so
// that brackets and commas in it do not count.
func (s *inString) skip(c byte) bool {
	switch {
	case !s.in:
		s.in = c == '"'
		return s.in
	case s.escaped:
		s.escaped = false
	case c == '\\':
		s.escaped = true
	case c == '"':
		s.in = false
	}
	return true
}

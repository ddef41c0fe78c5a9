// Package jsonguard checks a JSON message cheaply before any decoder sees
// it. Decoders without a depth limit spend super-linear time on deeply
// nested input (a 40 KB body of '[' cost seconds of CPU in the SDK's
// decoder), so every inbound MCP message passes one linear scan first.
package jsonguard

import "fmt"

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
	inString, escaped := false, false
	for _, c := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
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

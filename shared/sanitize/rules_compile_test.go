package sanitize

import (
	"regexp"
	"testing"
)

// Rules compile lazily; this makes sure every one of them compiles.
func TestEveryRuleCompiles(t *testing.T) {
	for _, r := range rules {
		if _, err := regexp.Compile(r.pattern); err != nil {
			t.Errorf("rule %s: %v", r.name, err)
		}
		r.compile()
		if r.re == nil || (r.starts != nil && r.anch == nil) {
			t.Errorf("rule %s did not compile", r.name)
		}
	}
}

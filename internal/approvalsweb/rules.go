package approvalsweb

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/bizmcp/bizmcp/shared/approval"
)

// Rule says which groups may decide approvals of a tool, optionally only
// above an amount (minor units).
type Rule struct {
	Tool      string // a tool name, a prefix ending in "*" ("orders_*"), or "*"
	Threshold int64  // the rule applies above this amount; -1 = any amount
	Groups    []string
}

// String renders the rule as written.
func (r Rule) String() string {
	s := r.Tool
	if r.Threshold >= 0 {
		s += ">" + strconv.FormatInt(r.Threshold, 10)
	}
	return s + "=" + strings.Join(r.Groups, "|")
}

// Rules are checked in order; the first that matches an approval decides
// who may decide it.
type Rules []Rule

var toolRE = regexp.MustCompile(`^(\*|[a-z][a-z0-9_]*\*?)$`)

// ParseRules reads BIZMCP_APPROVALS_RULES:
//
//	orders_create_refund>10000=finance,orders_*=support-leads|finance,*=support-leads
//
// TOOL[>AMOUNT]=GROUP[|GROUP...], comma-separated, first match wins. An
// approval no rule matches can be decided by nobody (through the console).
func ParseRules(s string) (Rules, error) {
	var rs Rules
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			r, err := parseRule(part)
			if err != nil {
				return nil, fmt.Errorf("BIZMCP_APPROVALS_RULES: %q %w", part, err)
			}
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("BIZMCP_APPROVALS_RULES is required: who may approve what, e.g. orders_create_refund>10000=finance,*=support-leads")
	}
	return rs, nil
}

func parseRule(part string) (Rule, error) {
	bad := fmt.Errorf("is not TOOL[>AMOUNT]=GROUP[|GROUP...] (TOOL may be *, or end in *; AMOUNT in minor units)")
	lhs, groups, ok := strings.Cut(part, "=")
	if !ok || strings.Contains(groups, "=") {
		return Rule{}, bad
	}
	tool, amount, hasAmount := strings.Cut(lhs, ">")
	r := Rule{Tool: strings.TrimSpace(tool), Threshold: -1}
	if !toolRE.MatchString(r.Tool) {
		return Rule{}, bad
	}
	if hasAmount {
		n, err := strconv.ParseInt(strings.TrimSpace(amount), 10, 64)
		if err != nil || n < 0 {
			return Rule{}, bad
		}
		r.Threshold = n
	}
	for _, g := range strings.Split(groups, "|") {
		if g = strings.TrimSpace(g); g != "" {
			r.Groups = append(r.Groups, g)
		}
	}
	if len(r.Groups) == 0 {
		return Rule{}, fmt.Errorf("names no group")
	}
	return r, nil
}

func (r Rule) matches(rec approval.Record) bool {
	switch {
	case r.Tool == "*":
	case strings.HasSuffix(r.Tool, "*"):
		if !strings.HasPrefix(rec.Tool, strings.TrimSuffix(r.Tool, "*")) {
			return false
		}
	case r.Tool != rec.Tool:
		return false
	}
	return r.Threshold < 0 || rec.Amount > r.Threshold
}

// For returns the rule governing rec (ok false: none does).
func (rs Rules) For(rec approval.Record) (Rule, bool) {
	for _, r := range rs {
		if r.matches(rec) {
			return r, true
		}
	}
	return Rule{}, false
}

// May reports whether a member of groups may decide rec, and the rule.
func (rs Rules) May(rec approval.Record, groups []string) (Rule, bool) {
	r, ok := rs.For(rec)
	if !ok {
		return r, false
	}
	for _, want := range r.Groups {
		for _, g := range groups {
			if g == want {
				return r, true
			}
		}
	}
	return r, false
}

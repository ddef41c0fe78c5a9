package execctl

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/bizmcp/bizmcp/shared/approval"
)

// The settings that predate Cedar compile to Cedar rules in the same
// engine. Each rule's @id names the setting, so refusals cite it exactly as
// before ("refused by policy CRM_UPDATE_FIELDS: ...").

func rule(id, annotations, effect, action, cond string) string {
	return fmt.Sprintf("@id(%s)\n%s%s (principal, %s, resource)\n%s;\n", cedarString(id), annotations, effect, action, cond)
}

func actionIs(tool string) string {
	if tool == "" {
		return "action"
	}
	return "action == Action::" + cedarString(tool)
}

// ApprovalPolicy compiles MCP_APPROVAL_POLICY ("tool[>amount],...") for
// the tools in sch (app.Build has checked that every tool it names is one
// of the server's tools).
func ApprovalPolicy(p approval.Policy, sch Schema) Source {
	var b strings.Builder
	for _, tool := range sortedKeys(p) {
		if _, ok := sch.Tools[tool]; !ok {
			continue
		}
		r := p[tool]
		cond := ""
		if r.Threshold >= 0 {
			cond = fmt.Sprintf("when { context.amount > %d }", r.Threshold)
		}
		b.WriteString(rule("MCP_APPROVAL_POLICY "+r.String(), `@approval("MCP_APPROVAL_POLICY")`+"\n", "permit", actionIs(tool), cond))
	}
	return Source{Name: "MCP_APPROVAL_POLICY", Text: b.String()}
}

// ReadOnly compiles MCP_READ_ONLY=true (MCP_WRITE_MODE=off): every write is
// refused. (The write tools are also removed at start.)
func ReadOnly() Source {
	return Source{Name: "MCP_READ_ONLY", Text: rule("MCP_READ_ONLY", `@reason("this deployment is read-only (MCP_READ_ONLY / MCP_WRITE_MODE=off); nothing can be changed through it. Tell the user.")`+"\n", "forbid", "action", "")}
}

// Ceiling compiles a per-call ceiling setting: tool ("" = every write tool
// of the server) is refused when context.<fact> exceeds max (max 0 = no
// ceiling, no rule). fact is a context attribute path such as "amount" or
// "totals.principal_day". Where reason says {ceiling}, the refusal shows
// max in the plan's currency ("USD 1,000.00", "JPY 100,000").
func Ceiling(setting, tool, fact string, max int64, reason string) Source {
	if max <= 0 {
		return Source{Name: setting}
	}
	ann := reasonAnn(reason) + fmt.Sprintf("@ceiling(\"%d\")\n", max)
	return Source{Name: setting, Text: rule(setting, ann, "forbid", actionIs(tool), fmt.Sprintf("when { context.%s > %d }", fact, max))}
}

// AllowedValues compiles an allow-list setting: tool is refused when the
// set context.<fact> holds anything outside allowed ("fields",
// "recipient_domains").
func AllowedValues(setting, tool, fact string, allowed []string, reason string) Source {
	return Source{Name: setting, Text: rule(setting, reasonAnn(reason), "forbid", actionIs(tool), fmt.Sprintf("unless { %s.containsAll(context.%s) }", cedarSet(allowed), fact))}
}

func reasonAnn(reason string) string {
	if reason == "" {
		return ""
	}
	return "@reason(" + cedarString(reason) + ")\n"
}

// Totals names, as in context.totals and MCP_WRITE_LIMITS.
var totalNames = []string{"principal_day", "principal_day_calls", "principal_hour_calls", "target", "tool_day"}

var limitRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([a-z][a-z0-9_]*)\.([a-z_]+)<=([0-9]{1,15})(/approve)?$`)
})

// Limits compiles MCP_WRITE_LIMITS: comma-separated TOOL.TOTAL<=N, where
// TOTAL is one of principal_day, principal_day_calls,
// principal_hour_calls, target, tool_day (see Totals). A write that would
// take the total past N is refused; with a "/approve" suffix it needs a
// person's approval instead. Tools are checked against sch.
func Limits(spec string, sch Schema) (Source, error) {
	var b strings.Builder
	for _, part := range strings.Split(spec, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		m := limitRE().FindStringSubmatch(part)
		if m == nil {
			return Source{}, fmt.Errorf("MCP_WRITE_LIMITS: %q is not TOOL.TOTAL<=N or TOOL.TOTAL<=N/approve (TOTAL: %s)", part, strings.Join(totalNames, ", "))
		}
		tool, total, n := m[1], m[2], m[3]
		if _, ok := sch.Tools[tool]; !ok {
			return Source{}, fmt.Errorf("MCP_WRITE_LIMITS: %q names %q, which is not a write tool of this server (%s)", part, tool, strings.Join(sortedKeys(sch.Tools), ", "))
		}
		if !contains(totalNames, total) {
			return Source{}, fmt.Errorf("MCP_WRITE_LIMITS: %q names unknown total %q (one of %s)", part, total, strings.Join(totalNames, ", "))
		}
		max, _ := strconv.ParseInt(n, 10, 64)
		id := "MCP_WRITE_LIMITS " + strings.TrimSuffix(part, "/approve")
		cond := fmt.Sprintf("when { context.totals.%s > %d }", total, max)
		if m[4] != "" {
			b.WriteString(rule(id, `@approval("MCP_WRITE_LIMITS")`+"\n", "permit", actionIs(tool), cond))
			continue
		}
		reason := fmt.Sprintf("this write would take the %s total of %s over this deployment's limit of %d. Do not split it into smaller writes; tell the user it needs to go through the back office or wait until the window passes.", total, tool, max)
		b.WriteString(rule(id, reasonAnn(reason), "forbid", actionIs(tool), cond))
	}
	return Source{Name: "MCP_WRITE_LIMITS", Text: b.String()}, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

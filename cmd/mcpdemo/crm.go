package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

func init() {
	scripts["crm"] = crmScenario
}

func crmScenario(d *demo) error {
	d.say("Find a customer by name: a bounded list of summaries with a cursor.")
	d.call("crm_search_customers", map[string]any{"query": "gmbh", "limit": 3}, false, "showing")

	d.say("Get the largest customer record: trimmed to the fields a task needs.")
	res := d.call("crm_get_customer", map[string]any{"id": "C-1007"}, false, "Customer C-1007", "notes (newest 3 of")
	raw, got := d.rawSize("/crm/customers/C-1007"), resultSize(res)
	ratio := 0.0
	if got > 0 {
		ratio = float64(raw) / float64(got)
	}
	fmt.Fprintf(d.out, "  (raw backend record %d bytes; tool result %d bytes: %.1fx smaller)\n", raw, got, ratio)
	if ratio < 5 {
		d.fail("C-1007 result only %.1fx smaller than the raw record", ratio)
	}

	d.say("A company name carrying a prompt injection comes back flagged and fenced as data.")
	res = d.call("crm_get_customer", map[string]any{"id": "C-1013", "fields": []string{"company"}}, false, "WARNING", "⟦untrusted-data")
	if res != nil && res.Meta["bizmcp/untrusted"] == nil {
		d.fail("C-1013: _meta lacks bizmcp/untrusted")
	}

	d.say("A note hiding instructions in invisible Unicode tag characters: the characters are stripped, the note flagged.")
	res = d.call("crm_get_customer", map[string]any{"id": "C-1021", "fields": []string{"notes"}, "notes_limit": 5}, false, "⟦untrusted-data")
	if res != nil && containsInvisible(res) {
		d.fail("C-1021: invisible characters survived")
	}

	d.say("A markdown image that would leak data to another host is neutralized.")
	d.call("crm_get_customer", map[string]any{"id": "C-1034", "fields": []string{"notes"}, "notes_limit": 10}, false, "image removed")

	d.say("Malformed arguments are rejected before any backend call.")
	d.call("crm_get_customer", map[string]any{"id": "acme"}, true)

	d.say("Add a note; the same call retried is written once.")
	note := map[string]any{"id": "C-1002", "body": "Demo (" + d.transport + "): called about renewal, sending a quote on Friday."}
	d.call("crm_add_note", note, false, "added to C-1002")
	d.call("crm_add_note", note, false, "replayed")

	d.context(func() {
		d.listContext()
		d.complete("resource:crm://customers/{id}", "id", "C-102")
		d.readResource("crm://customers/C-1024", "Customer C-1024")
		d.getPrompt("crm_account_review", map[string]string{"customer_id": "C-1024", "focus": "renewal"}, "crm_get_customer")
	})
	return nil
}

func containsInvisible(res any) bool {
	b, _ := json.Marshal(res)
	s := string(b)
	return strings.ContainsFunc(s, func(r rune) bool {
		return (r >= 0xE0000 && r <= 0xE007F) || (r >= 0x200B && r <= 0x200F) || r == 0x2060 || r == 0xFEFF || (r >= 0x202A && r <= 0x202E)
	})
}

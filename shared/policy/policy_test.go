package policy

import "testing"

func TestHasScope(t *testing.T) {
	for _, c := range []struct {
		granted []string
		need    string
		want    bool
	}{
		{[]string{"crm:read"}, "crm:read", true},
		{[]string{"crm:write"}, "crm:read", true},
		{[]string{"crm:read"}, "crm:write", false},
		{[]string{"orders:write"}, "crm:read", false},
		{nil, "crm:read", false},
	} {
		if got := HasScope(c.granted, c.need); got != c.want {
			t.Errorf("HasScope(%v, %s) = %v", c.granted, c.need, got)
		}
	}
	if !Local.Allowed("crm:write") {
		t.Error("stdio principal refused")
	}
	if (Principal{Authenticated: true, Scopes: []string{"crm:read"}}).Allowed("crm:write") {
		t.Error("read token allowed a write")
	}
}

func TestDeployment(t *testing.T) {
	d := Deployment{ReadOnly: true}
	if d.Permits("crm_add_note", false) || !d.Permits("crm_get_customer", true) {
		t.Error("read-only")
	}
	d = Deployment{Allow: []string{"a", "b"}, Deny: []string{"b"}}
	if !d.Permits("a", false) || d.Permits("b", true) || d.Permits("c", true) {
		t.Error("allow/deny")
	}
}

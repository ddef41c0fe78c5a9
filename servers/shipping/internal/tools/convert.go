package tools

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
)

// AddressIn is a postal address as the model passes it.
type AddressIn struct {
	Name       string `json:"name,omitempty" maxLength:"100" jsonschema:"recipient (person) name; a label needs a name or a company"`
	Company    string `json:"company,omitempty" maxLength:"100" jsonschema:"company name; leave empty for a residential address"`
	Line1      string `json:"line1" minLength:"1" maxLength:"100" jsonschema:"street and number, e.g. 350 Fifth Avenue"`
	Line2      string `json:"line2,omitempty" maxLength:"100" jsonschema:"suite, floor, building, c/o"`
	City       string `json:"city" minLength:"1" maxLength:"100"`
	State      string `json:"state,omitempty" maxLength:"50" jsonschema:"state, province or region code where the country uses them, e.g. CA, NY, ON, NSW (required for US, CA, AU)"`
	PostalCode string `json:"postal_code,omitempty" maxLength:"20" jsonschema:"postal or ZIP code, e.g. 90210, 10115, SW1A 1AA"`
	Country    string `json:"country" pattern:"^[A-Za-z]{2}$" jsonschema:"ISO 3166-1 alpha-2 country code, e.g. US, DE, GB"`
	Phone      string `json:"phone,omitempty" maxLength:"40" jsonschema:"recipient phone for the carrier, international format"`
}

func (a AddressIn) api() shipping.Address {
	return shipping.Address{
		Name: strings.TrimSpace(a.Name), Company: strings.TrimSpace(a.Company), Line1: strings.TrimSpace(a.Line1),
		Line2: strings.TrimSpace(a.Line2), City: strings.TrimSpace(a.City), State: strings.TrimSpace(a.State),
		PostalCode: strings.TrimSpace(a.PostalCode), Country: strings.ToUpper(strings.TrimSpace(a.Country)), Phone: strings.TrimSpace(a.Phone),
	}
}

// AddressOut is a (normalized) address.
type AddressOut struct {
	Name       string `json:"name,omitempty"`
	Company    string `json:"company,omitempty"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country"`
	Phone      string `json:"phone,omitempty"`
}

func addressOut(sc *mcpkit.Scrub, p string, a shipping.Address) AddressOut {
	return AddressOut{
		Name: sc.Text(p+"name", a.Name), Company: sc.Text(p+"company", a.Company), Line1: sc.Text(p+"line1", a.Line1),
		Line2: sc.Text(p+"line2", a.Line2), City: sc.Text(p+"city", a.City), State: sc.Text(p+"state", a.State),
		PostalCode: sc.Text(p+"postal_code", a.PostalCode), Country: sc.Text(p+"country", a.Country), Phone: sc.Text(p+"phone", a.Phone),
	}
}

// oneLine renders an address on one line: "350 Fifth Avenue, New York, NY 10118, US".
func (a AddressOut) oneLine() string {
	var parts []string
	for _, s := range []string{a.Company, a.Name, a.Line1, a.Line2, a.City, strings.TrimSpace(a.State + " " + a.PostalCode), a.Country} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// place renders a city-level address: "Reno, NV 89502, US".
func (a AddressOut) place() string {
	return joinNonEmpty(", ", a.City, strings.TrimSpace(a.State+" "+a.PostalCode), a.Country)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// location renders a tracking location: "Salt Lake City, UT, US".
func location(sc *mcpkit.Scrub, p string, l shipping.Location) string {
	return sc.Text(p, joinNonEmpty(", ", l.City, l.State, l.Country))
}

// fieldErrors renders backend field errors as one sentence each, naming the
// field and the suggested value. Backend text is untrusted: sanitized.
func (t *Tools) fieldErrors(errs []shipping.FieldError) string {
	var parts []string
	for _, fe := range errs {
		s := fmt.Sprintf("%s: %s", fe.Field, fe.Message)
		if fe.Suggestion != "" && !strings.Contains(fe.Message, fe.Suggestion) {
			s += fmt.Sprintf(" (suggested %s: %s)", fe.Field, fe.Suggestion)
		}
		parts = append(parts, t.san.Text(s).Text)
	}
	return strings.Join(parts, "; ")
}

// labelURL turns the backend's label file into a URL the user can open.
// A URL the adapter built from this server's configuration is shown as is.
// Any other URL is backend data: it survives only if it is http(s) without
// userinfo, its host is in MCP_ALLOWED_LINK_HOSTS and the sanitizer leaves
// it unchanged. ok is false when the URL was withheld.
func (t *Tools) labelURL(sc *mcpkit.Scrub, f shipping.LabelFile) (string, bool) {
	raw := f.URL
	if raw == "" {
		return "", false
	}
	if f.Configured {
		return raw, true
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || !t.san.HostAllowed(u.Hostname()) {
		return "", false
	}
	if clean := sc.Text("label_url", raw); clean != raw {
		return "", false
	}
	return raw, true
}

// sentence ends s with a full stop unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".?!") {
		return s
	}
	return s + "."
}

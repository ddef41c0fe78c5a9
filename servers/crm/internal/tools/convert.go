package tools

import (
	"fmt"
	"strings"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
)

// CustomerSummary is one search hit: enough to pick the right customer.
type CustomerSummary struct {
	ID      string `json:"id" jsonschema:"customer id, e.g. C-1042"`
	Name    string `json:"name,omitempty" jsonschema:"contact person"`
	Company string `json:"company,omitempty"`
	Email   string `json:"email,omitempty"`
	Region  string `json:"region,omitempty" jsonschema:"sales region: na, emea, apac or latam"`
	Tier    string `json:"tier,omitempty"`
	Status  string `json:"status,omitempty"`
	City    string `json:"city,omitempty"`
	Country string `json:"country,omitempty"`
}

func summarize(sc *mcpkit.Scrub, p string, c *crm.Customer) CustomerSummary {
	s := CustomerSummary{
		ID:      sc.Text(p+"id", c.ID),
		Name:    sc.Text(p+"name", c.Name),
		Company: sc.Text(p+"company", c.Company),
		Email:   sc.Text(p+"email", c.Email),
		Region:  sc.Text(p+"region", c.Region),
		Tier:    sc.Text(p+"tier", c.Tier),
		Status:  sc.Text(p+"status", c.Status),
	}
	if a := primaryAddress(c); a != nil {
		s.City = sc.Text(p+"city", a.City)
		s.Country = sc.Text(p+"country", a.Country)
	}
	return s
}

func primaryAddress(c *crm.Customer) *crm.Address {
	for i := range c.Addresses {
		if c.Addresses[i].Type == "billing" || c.Addresses[i].Type == "primary" {
			return &c.Addresses[i]
		}
	}
	if len(c.Addresses) > 0 {
		return &c.Addresses[0]
	}
	return nil
}

func oneLineAddress(a *crm.Address) string {
	var parts []string
	for _, s := range []string{a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func summaryLine(s CustomerSummary) string {
	loc := strings.Trim(strings.Join([]string{s.City, s.Country}, ", "), ", ")
	return fmt.Sprintf("%s | %s | %s | %s | %s/%s/%s | %s", s.ID, s.Name, s.Company, s.Email, s.Region, s.Tier, s.Status, loc)
}

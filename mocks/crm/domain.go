package crm

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/bizmcp/bizmcp/mocks/internal/domainkit"
)

// Fixtures is the "crm" section of a mock-backends fixtures file.
type Fixtures struct {
	Customers []Customer `json:"customers"`
}

// ParseFixtures decodes and validates the "crm" fixtures section: unknown
// fields are rejected, every customer needs a unique non-empty id, and
// region/tier/status must be valid when set.
func ParseFixtures(raw json.RawMessage) ([]Customer, error) {
	f, err := domainkit.DecodeFixtures("crm", "customers", raw, func(f *Fixtures) bool { return f.Customers != nil })
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, c := range f.Customers {
		where := fmt.Sprintf("crm fixtures: customers[%d]", i)
		if c.ID == "" {
			return nil, fmt.Errorf("%s: id is required", where)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("%s: duplicate id %q", where, c.ID)
		}
		seen[c.ID] = true
		for _, chk := range []struct {
			field, v string
			allowed  []string
		}{
			{"region", c.Region, Regions}, {"tier", c.Tier, Tiers}, {"status", c.Status, Statuses},
		} {
			if chk.v != "" && !slices.Contains(chk.allowed, chk.v) {
				return nil, fmt.Errorf("%s (%s): invalid %s %q", where, c.ID, chk.field, chk.v)
			}
		}
		if f.Customers[i].Version == 0 {
			f.Customers[i].Version = 1
		}
	}
	return f.Customers, nil
}

// Domain adapts the CRM to mock-backends (it satisfies mocks.Domain).
type Domain struct {
	domainkit.Adapter[*Store]
}

// NewDomain returns the CRM domain loaded with the sample data.
// The API is served under /crm.
func NewDomain() *Domain {
	return &Domain{domainkit.NewAdapter("crm", SampleStore(), NewHandler)}
}

// LoadFixtures replaces the sample data with the "crm" fixtures section.
func (d *Domain) LoadFixtures(raw json.RawMessage) error {
	cs, err := ParseFixtures(raw)
	if err != nil {
		return err
	}
	d.Store().Replace(cs)
	return nil
}

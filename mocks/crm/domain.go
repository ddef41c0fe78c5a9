package crm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
)

// Fixtures is the "crm" section of a mock-backends fixtures file.
type Fixtures struct {
	Customers []Customer `json:"customers"`
}

// ParseFixtures decodes and validates the "crm" fixtures section: unknown
// fields are rejected, every customer needs a unique non-empty id, and
// region/tier/status must be valid when set.
func ParseFixtures(raw json.RawMessage) ([]Customer, error) {
	var f Fixtures
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("crm fixtures: %w", err)
	}
	if f.Customers == nil {
		return nil, fmt.Errorf(`crm fixtures: missing "customers" array`)
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
	store   *Store
	once    sync.Once
	handler http.Handler
}

// NewDomain returns the CRM domain loaded with the sample data.
func NewDomain() *Domain { return &Domain{store: SampleStore()} }

// Name is the mount name: the API is served under /crm.
func (d *Domain) Name() string { return "crm" }

// Store exposes the domain's store (for tests and in-process demos).
func (d *Domain) Store() *Store { return d.store }

// Handler returns the domain's HTTP API.
func (d *Domain) Handler() http.Handler {
	d.once.Do(func() { d.handler = NewHandler(d.store) })
	return d.handler
}

// LoadFixtures replaces the sample data with the "crm" fixtures section.
func (d *Domain) LoadFixtures(raw json.RawMessage) error {
	cs, err := ParseFixtures(raw)
	if err != nil {
		return err
	}
	d.store.Replace(cs)
	return nil
}

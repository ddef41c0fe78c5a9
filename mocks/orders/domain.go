package orders

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/bizmcp/bizmcp/mocks/internal/domainkit"
)

// Fixtures is the "orders" section of a mock-backends fixtures file.
type Fixtures struct {
	Orders []Order `json:"orders"`
}

// ParseFixtures decodes and validates the "orders" fixtures section: unknown
// fields are rejected; every order needs a unique id, a customer id, a valid
// status and region, and a currency that all its amounts share. Derived
// fields (line_item_count, unit_count, refunded_total, refundable_remaining)
// are recomputed.
func ParseFixtures(raw json.RawMessage) ([]Order, error) {
	f, err := domainkit.DecodeFixtures("orders", "orders", raw, func(f *Fixtures) bool { return f.Orders != nil })
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i := range f.Orders {
		o := &f.Orders[i]
		where := fmt.Sprintf("orders fixtures: orders[%d]", i)
		if o.ID == "" || o.CustomerID == "" {
			return nil, fmt.Errorf("%s: id and customer_id are required", where)
		}
		if seen[o.ID] {
			return nil, fmt.Errorf("%s: duplicate id %q", where, o.ID)
		}
		seen[o.ID] = true
		if !slices.Contains(Statuses, o.Status) {
			return nil, fmt.Errorf("%s (%s): invalid status %q", where, o.ID, o.Status)
		}
		if o.Region != "" && !slices.Contains(Regions, o.Region) {
			return nil, fmt.Errorf("%s (%s): invalid region %q", where, o.ID, o.Region)
		}
		if len(o.Currency) != 3 {
			return nil, fmt.Errorf("%s (%s): currency must be an ISO 4217 code", where, o.ID)
		}
		amounts := []Money{o.Subtotal, o.ShippingCost, o.Tax, o.Discount, o.Total}
		for _, li := range o.LineItems {
			amounts = append(amounts, li.UnitPrice, li.Total)
		}
		for _, r := range o.Refunds {
			amounts = append(amounts, r.Amount)
		}
		for _, m := range amounts {
			if m.Currency != "" && m.Currency != o.Currency {
				return nil, fmt.Errorf("%s (%s): amount in %s, but the order is in %s", where, o.ID, m.Currency, o.Currency)
			}
		}
		if o.Version == 0 {
			o.Version = 1
		}
		o.normalize()
	}
	return f.Orders, nil
}

// Domain adapts the orders backend to mock-backends (it satisfies
// mocks.Domain).
type Domain struct {
	domainkit.Adapter[*Store]
}

// NewDomain returns the orders domain loaded with the sample data.
// The API is served under /orders.
func NewDomain() *Domain {
	return &Domain{domainkit.NewAdapter("orders", SampleStore(), NewHandler)}
}

// LoadFixtures replaces the sample data with the "orders" fixtures section.
func (d *Domain) LoadFixtures(raw json.RawMessage) error {
	list, err := ParseFixtures(raw)
	if err != nil {
		return err
	}
	d.Store().Replace(list)
	return nil
}

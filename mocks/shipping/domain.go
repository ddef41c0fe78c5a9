package shipping

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/bizmcp/bizmcp/mocks/internal/domainkit"
	"github.com/bizmcp/bizmcp/mocks/world"
)

// Fixtures is the "shipping" section of a mock-backends fixtures file.
type Fixtures struct {
	Shipments []FixtureShipment `json:"shipments"`
}

// FixtureShipment is one shipment of a fixtures file. Events, when absent,
// are generated from the other facts as for the sample data; Destination,
// when absent, is the CRM sample customer's shipping address.
type FixtureShipment struct {
	OrderID           string    `json:"order_id"`
	CustomerID        string    `json:"customer_id"`
	Carrier           string    `json:"carrier"`
	Service           string    `json:"service"`
	TrackingNumber    string    `json:"tracking_number"`
	Status            string    `json:"status"`
	ShippedAt         time.Time `json:"shipped_at"`
	EstimatedDelivery time.Time `json:"estimated_delivery"`
	DeliveredAt       time.Time `json:"delivered_at,omitzero"`
	Destination       *Address  `json:"destination,omitempty"`
	Events            []Event   `json:"events,omitempty"`
}

var fixtureStatuses = []string{StatusInTransit, StatusOutForDelivery, StatusDelivered, StatusException}

// ParseFixtures decodes and validates the "shipping" fixtures section:
// unknown fields are rejected; every shipment needs a known carrier, a
// unique tracking number, a status and a ship time.
func ParseFixtures(raw json.RawMessage) ([]SampleShipment, error) {
	f, err := domainkit.DecodeFixtures("shipping", "shipments", raw, func(f *Fixtures) bool { return f.Shipments != nil })
	if err != nil {
		return nil, err
	}
	dests := customerDestinations()
	seen := map[string]bool{}
	var out []SampleShipment
	for i, fs := range f.Shipments {
		where := fmt.Sprintf("shipping fixtures: shipments[%d]", i)
		switch {
		case CarrierNames[fs.Carrier] == "":
			return nil, fmt.Errorf("%s: carrier must be one of %v, got %q", where, Carriers, fs.Carrier)
		case fs.TrackingNumber == "":
			return nil, fmt.Errorf("%s: tracking_number is required", where)
		case seen[fs.TrackingNumber]:
			return nil, fmt.Errorf("%s: duplicate tracking_number %q", where, fs.TrackingNumber)
		case !slices.Contains(fixtureStatuses, fs.Status):
			return nil, fmt.Errorf("%s: status must be one of %v, got %q", where, fixtureStatuses, fs.Status)
		case fs.ShippedAt.IsZero():
			return nil, fmt.Errorf("%s: shipped_at is required", where)
		case fs.Status == StatusDelivered && fs.DeliveredAt.IsZero():
			return nil, fmt.Errorf("%s: delivered_at is required when status is delivered", where)
		}
		seen[fs.TrackingNumber] = true
		if fs.Service == "" {
			fs.Service = "ground"
		}
		d, ok := dests[fs.CustomerID]
		if fs.Destination != nil {
			a := *fs.Destination
			d = destination{loc: Location{City: a.City, State: a.State, Country: a.Country}, addr: a, receiver: a.Name}
		} else if !ok {
			d = destination{loc: Location{City: "Unknown", Country: "US"}, addr: Address{City: "Unknown", Country: "US"}}
		}
		w := world.Shipment{OrderID: fs.OrderID, CustomerID: fs.CustomerID, Carrier: fs.Carrier, Service: fs.Service,
			TrackingNumber: fs.TrackingNumber, Status: fs.Status, ShippedAt: fs.ShippedAt.UTC(),
			EstimatedAt: fs.EstimatedDelivery.UTC(), DeliveredAt: fs.DeliveredAt.UTC()}
		sh := sampleShipment(w, d)
		if len(fs.Events) > 0 {
			evs := slices.Clone(fs.Events)
			slices.SortStableFunc(evs, func(a, b Event) int { return b.At.Compare(a.At) })
			sh.Tracking.Events = evs
			sh.Tracking.StatusDetail = evs[0].Description
		}
		out = append(out, sh)
	}
	return out, nil
}

// Domain adapts the shipping API to mock-backends (it satisfies mocks.Domain).
type Domain struct {
	domainkit.Adapter[*Store]
}

// NewDomain returns the shipping domain loaded with the sample data.
// The API is served under /shipping.
func NewDomain() *Domain {
	return &Domain{domainkit.NewAdapter("shipping", SampleStore(), NewHandler)}
}

// LoadFixtures replaces the sample data with the "shipping" fixtures section.
func (d *Domain) LoadFixtures(raw json.RawMessage) error {
	ss, err := ParseFixtures(raw)
	if err != nil {
		return err
	}
	d.Store().Replace(ss)
	return nil
}

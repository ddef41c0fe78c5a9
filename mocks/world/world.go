// Package world holds the facts the reference backends' sample data share,
// so that the CRM, orders, email and shipping mocks describe one consistent
// company: which customers exist (Customers, generated from mocks/crm), and which parcels were
// shipped for which orders, by which carrier, with which tracking number.
// The orders mock builds its shipped orders from Shipments; the shipping
// mock builds its tracking histories from the same list.
//
// The sample world is frozen at Now: nothing in it depends on the wall clock.
package world

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Now is the instant the sample world was captured at.
var Now = time.Date(2026, 2, 24, 15, 0, 0, 0, time.UTC)

// Shipment statuses, as the shipping API reports them.
const (
	StatusLabelCreated   = "label_created"
	StatusInTransit      = "in_transit"
	StatusOutForDelivery = "out_for_delivery"
	StatusDelivered      = "delivered"
	StatusException      = "exception"
)

// Shipment is one parcel sent for one order.
type Shipment struct {
	OrderID        string    // "ORD-48291"
	CustomerID     string    // "C-1004"
	Carrier        string    // "fedex", "ups", "dhl", "usps"
	Service        string    // "ground", "express", "2day", "overnight", "economy"
	TrackingNumber string    // carrier format
	Status         string    // one of the Status constants
	ShippedAt      time.Time // label scanned by the carrier
	EstimatedAt    time.Time // estimated delivery (date, 23:59 local as UTC)
	DeliveredAt    time.Time // zero unless delivered
	LongHistory    bool      // the shipping mock gives it a long event history
	InjectedEvent  bool      // one of its tracking events carries an injection attempt
}

// Fixed shipments the demos and tests rely on.
const (
	// DemoOrderID is the order of the demo question "What's the status of
	// order ORD-48291?": shipped via FedEx, tracking 7749281934, ETA Feb 26.
	DemoOrderID        = "ORD-48291"
	DemoTrackingNumber = "7749281934"
	// LongHistoryOrderID has a shipment with a long event history.
	LongHistoryOrderID = "ORD-47730"
	// InjectedEventOrderID's tracking events carry an injection attempt.
	InjectedEventOrderID = "ORD-48102"
)

// Shipments returns the sample world's shipments, ordered by order id.
// It is deterministic.
func Shipments() []Shipment {
	customers := Customers()
	r := rand.New(rand.NewPCG(20260224, 7))
	carriers := []struct{ name, service string }{
		{"fedex", "ground"}, {"fedex", "express"}, {"ups", "ground"}, {"ups", "2day"},
		{"dhl", "express"}, {"dhl", "economy"}, {"usps", "priority"}, {"fedex", "overnight"},
	}
	var out []Shipment
	for i := range 140 {
		id := fmt.Sprintf("ORD-%05d", 47600+i*7)
		c := carriers[r.IntN(len(carriers))]
		shipped := Now.Add(-time.Duration(r.IntN(40*24)) * time.Hour).Truncate(time.Hour)
		transit := time.Duration(2+r.IntN(5)) * 24 * time.Hour
		s := Shipment{
			OrderID: id, CustomerID: customers[r.IntN(len(customers))].ID,
			Carrier: c.name, Service: c.service, TrackingNumber: tracking(r, c.name),
			ShippedAt: shipped, EstimatedAt: endOfDay(shipped.Add(transit)),
		}
		switch {
		case s.EstimatedAt.Before(Now.Add(-24 * time.Hour)):
			s.Status = StatusDelivered
			s.DeliveredAt = s.EstimatedAt.Add(-time.Duration(6+r.IntN(10)) * time.Hour)
		case r.IntN(12) == 0:
			s.Status = StatusException
		case s.EstimatedAt.Before(Now.Add(12 * time.Hour)):
			s.Status = StatusOutForDelivery
		default:
			s.Status = StatusInTransit
		}
		out = append(out, s)
	}
	out = append(out,
		Shipment{OrderID: DemoOrderID, CustomerID: "C-1004", Carrier: "fedex", Service: "ground", TrackingNumber: DemoTrackingNumber,
			Status: StatusInTransit, ShippedAt: time.Date(2026, 2, 23, 9, 40, 0, 0, time.UTC), EstimatedAt: time.Date(2026, 2, 26, 23, 59, 0, 0, time.UTC)},
		Shipment{OrderID: LongHistoryOrderID, CustomerID: "C-1007", Carrier: "ups", Service: "economy", TrackingNumber: "1Z999AA10123456784",
			Status: StatusException, ShippedAt: time.Date(2026, 1, 19, 14, 5, 0, 0, time.UTC), EstimatedAt: time.Date(2026, 2, 27, 23, 59, 0, 0, time.UTC), LongHistory: true},
		Shipment{OrderID: InjectedEventOrderID, CustomerID: "C-1013", Carrier: "dhl", Service: "express", TrackingNumber: "JD014600006281234567",
			Status: StatusOutForDelivery, ShippedAt: time.Date(2026, 2, 22, 7, 15, 0, 0, time.UTC), EstimatedAt: time.Date(2026, 2, 24, 23, 59, 0, 0, time.UTC), InjectedEvent: true},
	)
	return out
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 23, 59, 0, 0, time.UTC)
}

func tracking(r *rand.Rand, carrier string) string {
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		return string(b)
	}
	switch carrier {
	case "fedex":
		return "77" + digits(10)
	case "ups":
		return "1Z" + fmt.Sprintf("%03X", r.IntN(4096)) + "AA1" + digits(10)
	case "dhl":
		return "JD01" + digits(16)
	default:
		return "9400" + digits(18)
	}
}

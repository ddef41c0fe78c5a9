package world

import (
	"testing"
	"time"
)

func TestShipmentsConsistent(t *testing.T) {
	customers := map[string]bool{}
	for _, c := range Customers() {
		customers[c.ID] = true
	}
	seenOrder, seenTracking := map[string]bool{}, map[string]bool{}
	var demo *Shipment
	ss := Shipments()
	for i, s := range ss {
		if seenOrder[s.OrderID] || seenTracking[s.TrackingNumber] {
			t.Errorf("%s: duplicate order or tracking number", s.OrderID)
		}
		seenOrder[s.OrderID], seenTracking[s.TrackingNumber] = true, true
		if !customers[s.CustomerID] {
			t.Errorf("%s: customer %s is not in the CRM sample", s.OrderID, s.CustomerID)
		}
		if s.Status == StatusDelivered && s.DeliveredAt.IsZero() {
			t.Errorf("%s: delivered without a time", s.OrderID)
		}
		if s.OrderID == DemoOrderID {
			demo = &ss[i]
		}
	}
	if demo == nil || demo.Carrier != "fedex" || demo.TrackingNumber != DemoTrackingNumber || demo.EstimatedAt.Format(time.DateOnly) != "2026-02-26" {
		t.Fatalf("demo shipment: %+v", demo)
	}
	if len(Shipments()) != len(ss) || Shipments()[17] != ss[17] {
		t.Error("not deterministic")
	}
}

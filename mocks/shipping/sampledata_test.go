package shipping

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/mocks/crm"
	"github.com/bizmcp/bizmcp/mocks/world"
)

// The tracking data says what the world (and so the orders sample) says.
func TestSampleMatchesWorld(t *testing.T) {
	s := SampleStore()
	ws := world.Shipments()
	if s.Len() != len(ws) {
		t.Fatalf("%d tracking records for %d world shipments", s.Len(), len(ws))
	}
	for _, w := range ws {
		tr, err := s.Track(w.Carrier, w.TrackingNumber)
		if err != nil {
			t.Fatalf("%s: %v", w.OrderID, err)
		}
		if tr.Status != w.Status || tr.Reference != w.OrderID || tr.EstimatedDelivery != w.EstimatedAt.Format(time.DateOnly) ||
			!tr.ShippedAt.Equal(w.ShippedAt) || tr.Service != w.Service || tr.LabelID != LabelIDFor(w.TrackingNumber) {
			t.Errorf("%s: tracking %+v disagrees with world %+v", w.OrderID, tr, w)
		}
		if w.Status == world.StatusDelivered {
			if tr.DeliveredAt == nil || !tr.DeliveredAt.Equal(w.DeliveredAt) || tr.Events[0].Code != "DL" {
				t.Errorf("%s: delivered_at %v, want %v", w.OrderID, tr.DeliveredAt, w.DeliveredAt)
			}
		} else if tr.DeliveredAt != nil {
			t.Errorf("%s: delivered_at set for status %s", w.OrderID, w.Status)
		}
		if len(tr.Events) < 2 {
			t.Errorf("%s: %d events", w.OrderID, len(tr.Events))
			continue
		}
		if tr.Events[0].Status != tr.Status || tr.StatusDetail != tr.Events[0].Description {
			t.Errorf("%s: newest event %+v vs status %s (%s)", w.OrderID, tr.Events[0], tr.Status, tr.StatusDetail)
		}
		last := tr.Events[len(tr.Events)-1]
		if last.Code != "LC" || last.Status != StatusLabelCreated || !last.At.Before(w.ShippedAt) {
			t.Errorf("%s: oldest event %+v", w.OrderID, last)
		}
		for i, e := range tr.Events {
			if e.At.After(world.Now) {
				t.Errorf("%s: event in the future: %+v", w.OrderID, e)
			}
			if i > 0 && e.At.After(tr.Events[i-1].At) {
				t.Errorf("%s: events not newest first at %d", w.OrderID, i)
			}
			if e.Location.City == "" || e.Location.Country == "" || e.Description == "" {
				t.Errorf("%s: incomplete event %+v", w.OrderID, e)
			}
		}
		l, err := s.Label(tr.LabelID)
		if err != nil || l.TrackingNumber != w.TrackingNumber || l.FirstScanAt == nil || l.Amount.AmountMinor <= 0 {
			t.Errorf("%s: label %+v %v", w.OrderID, l, err)
		}
	}
	if !reflect.DeepEqual(SampleShipments(), SampleShipments()) {
		t.Error("sample data is not deterministic")
	}
}

func TestSpecialShipments(t *testing.T) {
	s := SampleStore()
	demo, err := s.Track("fedex", DemoTrackingNumber)
	if err != nil || demo.Status != StatusInTransit || demo.EstimatedDelivery != "2026-02-26" || demo.Reference != world.DemoOrderID {
		t.Fatalf("demo: %+v %v", demo, err)
	}
	long, err := s.Track("ups", LongHistoryTrackingNumber)
	if err != nil || long.Reference != world.LongHistoryOrderID || len(long.Events) < MinLongHistoryEvents || long.Status != StatusException {
		t.Fatalf("long history: %d events, status %s, %v", len(long.Events), long.Status, err)
	}
	holds := 0
	for _, e := range long.Events {
		if e.Code == "CH" {
			holds++
		}
	}
	if holds < 10 {
		t.Errorf("long history has %d customs holds", holds)
	}
	inj, err := s.Track("dhl", InjectedTrackingNumber)
	if err != nil || inj.Reference != world.InjectedEventOrderID {
		t.Fatalf("injected: %+v %v", inj, err)
	}
	found := 0
	for _, sh := range SampleShipments() {
		for _, e := range sh.Tracking.Events {
			if strings.Contains(e.Details, "ignore all prior instructions") {
				found++
				if sh.Tracking.TrackingNumber != InjectedTrackingNumber || e.Details != InjectedEventText {
					t.Errorf("injection in %s", sh.Tracking.TrackingNumber)
				}
			}
		}
	}
	if found != 1 {
		t.Errorf("%d injected events, want 1", found)
	}
}

// Every address of the CRM sample is deliverable: validation must not
// reject real customer data.
func TestCRMAddressesValidate(t *testing.T) {
	for _, c := range crm.SampleCustomers() {
		for _, a := range c.Addresses {
			v := ValidateAddress(Address{Name: c.Name, Company: c.Company, Line1: a.Line1, Line2: a.Line2, City: a.City, State: a.Region, PostalCode: a.PostalCode, Country: a.Country}, "")
			if !v.Valid {
				t.Errorf("%s %s address %+v: %+v", c.ID, a.Type, a, v.Errors)
			}
		}
	}
}

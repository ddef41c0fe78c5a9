package orders

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks/crm"
	"github.com/bizmcp/bizmcp/mocks/world"
)

func TestSampleCoversEveryStatusAndIsConsistent(t *testing.T) {
	orders := SampleOrders()
	if len(orders) != SampleCount || len(orders) < 200 {
		t.Fatalf("%d orders, want %d (>= 200)", len(orders), SampleCount)
	}
	customers := map[string]crm.Customer{}
	for _, c := range crm.SampleCustomers() {
		customers[c.ID] = c
	}
	shipments := map[string]world.Shipment{}
	for _, s := range world.Shipments() {
		shipments[s.OrderID] = s
	}
	seen := map[string]bool{}
	statuses := map[string]int{}
	for i, o := range orders {
		if seen[o.ID] {
			t.Errorf("duplicate id %s", o.ID)
		}
		seen[o.ID] = true
		statuses[o.Status]++
		if i > 0 && orders[i-1].CreatedAt.Before(o.CreatedAt) {
			t.Errorf("%s: not newest first", o.ID)
		}
		c, ok := customers[o.CustomerID]
		if !ok {
			t.Fatalf("%s: customer %s not in the CRM sample", o.ID, o.CustomerID)
		}
		if o.CustomerEmail != c.Email || o.Region != c.Region || o.Currency != c.Preferences.Currency || o.CustomerName != c.Name {
			t.Errorf("%s: customer fields differ from CRM %s", o.ID, c.ID)
		}
		if o.CreatedAt.After(world.Now) || o.UpdatedAt.After(world.Now) {
			t.Errorf("%s: time after world.Now", o.ID)
		}
		var sub int64
		for _, li := range o.LineItems {
			if li.Total.AmountMinor != li.UnitPrice.AmountMinor*int64(li.Quantity) || li.Total.Currency != o.Currency {
				t.Errorf("%s %s: line total", o.ID, li.ID)
			}
			sub += li.Total.AmountMinor
		}
		if sub != o.Subtotal.AmountMinor || o.Total.AmountMinor != sub-o.Discount.AmountMinor+o.ShippingCost.AmountMinor+o.Tax.AmountMinor {
			t.Errorf("%s: totals do not add up", o.ID)
		}
		if o.RefundedTotal.AmountMinor+o.RefundableRemaining.AmountMinor != o.paidAmount() {
			t.Errorf("%s: refunded + refundable != paid", o.ID)
		}
		s, shipped := shipments[o.ID]
		switch o.Status {
		case StatusShipped, StatusDelivered:
			if !shipped {
				t.Fatalf("%s: %s but not a world shipment", o.ID, o.Status)
			}
			if o.CustomerID != s.CustomerID || o.Shipping.Carrier != s.Carrier || o.Shipping.TrackingNumber != s.TrackingNumber ||
				!o.Shipping.EstimatedDelivery.Equal(s.EstimatedAt) || o.Shipping.Status != s.Status {
				t.Errorf("%s: shipment differs from the world: %+v vs %+v", o.ID, o.Shipping, s)
			}
			if (o.Status == StatusDelivered) != (s.Status == world.StatusDelivered) {
				t.Errorf("%s: status %s for shipment %s", o.ID, o.Status, s.Status)
			}
			if o.Status == StatusDelivered && !o.Shipping.DeliveredAt.Equal(s.DeliveredAt) {
				t.Errorf("%s: delivered time", o.ID)
			}
		default:
			if shipped || o.Shipping.TrackingNumber != "" {
				t.Errorf("%s: %s order with a shipment", o.ID, o.Status)
			}
		}
		if o.Status == StatusPending && o.PaidAt != nil || o.Status == StatusPaid && o.PaidAt == nil {
			t.Errorf("%s: paid_at inconsistent with %s", o.ID, o.Status)
		}
		if (o.Status == StatusCancelled) != (o.Cancellation != nil) {
			t.Errorf("%s: cancellation inconsistent with %s", o.ID, o.Status)
		}
	}
	if len(shipments) != statuses[StatusShipped]+statuses[StatusDelivered] {
		t.Errorf("%d world shipments, %d shipped/delivered orders", len(shipments), statuses[StatusShipped]+statuses[StatusDelivered])
	}
	for _, st := range Statuses {
		if statuses[st] < 5 {
			t.Errorf("only %d %s orders", statuses[st], st)
		}
	}
}

func byID(t *testing.T, id string) Order {
	t.Helper()
	for _, o := range SampleOrders() {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("no sample order %s", id)
	return Order{}
}

func TestSampleFixedOrders(t *testing.T) {
	demo := byID(t, DemoOrderID)
	if demo.Status != StatusShipped || demo.Shipping.Carrier != "fedex" || demo.Shipping.TrackingNumber != "7749281934" ||
		demo.Shipping.EstimatedDelivery.Format("Mon Jan 2 2006") != "Thu Feb 26 2026" || demo.CustomerID != "C-1004" {
		t.Errorf("demo order: %+v", demo.Shipping)
	}
	big := byID(t, LargeOrderID)
	if len(big.LineItems) != LargeOrderLines || LargeOrderLines < 200 {
		t.Errorf("large order has %d lines", len(big.LineItems))
	}
	if b, _ := json.Marshal(big); len(b) < 50_000 {
		t.Errorf("large order only %d bytes", len(b))
	}
	for id, st := range map[string]string{PendingOrderID: StatusPending, PendingOrderID2: StatusPending, PaidOrderID: StatusPaid, PaidOrderID2: StatusPaid, PartiallyRefundedOrderID: StatusPartiallyRefunded} {
		if o := byID(t, id); o.Status != st {
			t.Errorf("%s: %s, want %s", id, o.Status, st)
		}
	}
	pr := byID(t, PartiallyRefundedOrderID)
	if pr.Total.AmountMinor != 64391 || pr.RefundedTotal.AmountMinor != 12000 || pr.RefundableRemaining.AmountMinor != 52391 || pr.Currency != "USD" {
		t.Errorf("partially refunded order amounts: %+v %+v %+v", pr.Total, pr.RefundedTotal, pr.RefundableRemaining)
	}
	// Injection carriers hold their payloads; the zero-decimal currencies are present.
	var texts []string
	for _, o := range SampleOrders() {
		for _, n := range o.Notes {
			texts = append(texts, n.Body)
		}
		for _, li := range o.LineItems {
			texts = append(texts, li.Personalization)
		}
	}
	all := strings.Join(texts, "\n")
	for _, s := range []string{crm.TagEncode(HiddenInstructionORD48102), InjectionNoteORD49010, ExfilImageURLORD49020, FakeSystemItemORD49030, BenignNoteORD49040, BenignNoteORD49050} {
		if !strings.Contains(all, s) {
			t.Errorf("payload missing: %.40q", s)
		}
	}
	var currencies []string
	for _, o := range SampleOrders() {
		if !slices.Contains(currencies, o.Currency) {
			currencies = append(currencies, o.Currency)
		}
	}
	if !slices.Contains(currencies, "JPY") || !slices.Contains(currencies, "USD") || !slices.Contains(currencies, "EUR") {
		t.Errorf("currencies: %v", currencies)
	}
}

func TestSampleDeterministic(t *testing.T) {
	a, b := generateSample(), generateSample()
	if !reflect.DeepEqual(a, b) {
		t.Error("two generations differ")
	}
}

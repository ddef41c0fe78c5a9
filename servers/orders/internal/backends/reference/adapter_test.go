package reference

import (
	"context"
	"net/http"
	"strings"
	"testing"

	mockorders "github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/demo"
	"github.com/bizmcp/bizmcp/shared/port"
)

// The adapter over the reference API's own implementation (in process):
// the port's contract.
func adapter(t *testing.T) orders.Backend {
	t.Helper()
	rt, base := demo.Backend(mockorders.NewDomain())
	a, err := Open(base, &http.Client{Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAdapterPortContract(t *testing.T) {
	a, ctx := adapter(t), context.Background()
	o, err := a.GetOrder(ctx, mockorders.LargeOrderID, 5)
	if err != nil || len(o.LineItems) != 5 || o.ItemCount != mockorders.LargeOrderLines || o.UnitCount < mockorders.LargeOrderLines {
		t.Fatalf("trimmed: %d lines, counts %d/%d, %v", len(o.LineItems), o.ItemCount, o.UnitCount, err)
	}
	if _, err := a.GetOrder(ctx, "ORD-1", 5); !port.IsKind(err, port.KindNotFound) {
		t.Errorf("missing: %v", err)
	}
	id := mockorders.PartiallyRefundedOrderID
	before, _ := a.GetOrder(ctx, id, 0)
	res, w, err := a.Refund(ctx, id, orders.RefundRequest{Currency: "USD", Reason: "goodwill"}, "k-all")
	if err != nil || w.Replayed || res.Refund.Amount != before.RefundableRemaining || res.Order.Status != orders.StatusRefunded || res.Refund.IdempotencyKey != "k-all" {
		t.Fatalf("everything left: %+v %+v %v", res, w, err)
	}
	if _, w, err = a.Refund(ctx, id, orders.RefundRequest{Currency: "USD", Reason: "goodwill"}, "k-all"); err != nil || !w.Replayed {
		t.Errorf("replay: %+v %v", w, err)
	}
	_, _, err = a.Refund(ctx, id, orders.RefundRequest{AmountMinor: 100, Currency: "USD", Reason: "goodwill"}, "k-more")
	if pe, _ := port.AsError(err); pe == nil || pe.Kind != port.KindConflict || !strings.Contains(pe.Remaining, "USD 0.00 refundable") {
		t.Errorf("conflict: %+v", pe)
	}
	c, w, err := a.CancelOrder(ctx, mockorders.PaidOrderID, orders.CancelRequest{Reason: "other"}, "k-cancel")
	if err != nil || w.Replayed || c.Status != orders.StatusCancelled || c.Cancellation == nil || c.Cancellation.IdempotencyKey != "k-cancel" || len(c.Refunds) != 1 {
		t.Errorf("cancel: %+v %+v %v", c, w, err)
	}
	page, err := a.SearchOrders(ctx, orders.Query{Region: "emea", Limit: 3, Offset: 3})
	if err != nil || len(page.Orders) != 3 || page.Next != "" || page.Orders[0].Region != "emea" {
		t.Errorf("search: %+v %v", page, err)
	}
}

package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/servers/orders/internal/orders/ordersfake"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/bizmcp/bizmcp/shared/sanitize"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Handler unit tests on the in-memory fake of the port: no HTTP, no SQL.

func usd(n int64) orders.Money { return orders.Money{AmountMinor: n, Currency: "USD"} }

func sample() []orders.Order {
	lines := make([]orders.LineItem, 40)
	for i := range lines {
		lines[i] = orders.LineItem{ID: fmt.Sprintf("L%03d", i+1), SKU: fmt.Sprintf("SKU-%d", i+1), Name: "Widget", Quantity: 2, UnitPrice: usd(500), Total: usd(1000)}
	}
	return []orders.Order{
		{Summary: orders.Summary{ID: "ORD-1", CustomerID: "C-1", Region: "na", Status: orders.StatusShipped, Currency: "USD", CreatedAt: "2026-02-22T21:50:00Z",
			Total: usd(40000), RefundedTotal: usd(0), RefundableRemaining: usd(40000),
			Shipping: orders.Shipping{Method: "ground", Carrier: "fedex", TrackingNumber: "7749281934", Status: "in_transit", EstimatedDelivery: "2026-02-26T23:59:00Z"}},
			LineItems: lines},
		{Summary: orders.Summary{ID: "ORD-2", CustomerID: "C-1", Region: "na", Status: orders.StatusPaid, Currency: "USD", CreatedAt: "2026-02-23T10:00:00Z",
			Total: usd(2500), RefundableRemaining: usd(2500)}, LineItems: lines[:1]},
		{Summary: orders.Summary{ID: "ORD-3", CustomerID: "C-2", Region: "emea", Status: orders.StatusDelivered, Currency: "EUR", CreatedAt: "2026-02-20T10:00:00Z",
			Total: orders.Money{AmountMinor: 900, Currency: "EUR"}, RefundableRemaining: orders.Money{AmountMinor: 900, Currency: "EUR"}}, LineItems: lines[:1]},
	}
}

func newTools(t *testing.T) (*Tools, *ordersfake.Fake) {
	t.Helper()
	f := ordersfake.New(sample()...)
	return New(f, sanitize.New(sanitize.Options{}), slog.New(slog.NewTextHandler(io.Discard, nil)), Options{MaxRefundMinor: 500000}), f
}

// req is a tool call by a caller limited to region ("" = unrestricted).
func req(region string) *mcp.CallToolRequest {
	if region == "" {
		return &mcp.CallToolRequest{}
	}
	return &mcp.CallToolRequest{Extra: &mcp.RequestExtra{TokenInfo: &auth.TokenInfo{UserID: "eve", Extra: map[string]any{"region": region}}}}
}

func TestHandlerGetOrder(t *testing.T) {
	tl, f := newTools(t)
	_, out, err := tl.getOrder(context.Background(), req(""), GetOrderIn{OrderID: "ORD-1"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Shipment == nil || out.Shipment.Carrier != "FedEx" || out.Shipment.TrackingNumber != "7749281934" || out.Shipment.EstimatedDelivery != "2026-02-26" {
		t.Errorf("shipment %+v", out.Shipment)
	}
	if len(out.Items) != defaultItems || out.ItemsPage.Total != 40 || !out.ItemsPage.HasMore || out.Units != 80 {
		t.Errorf("items %d page %+v units %d", len(out.Items), out.ItemsPage, out.Units)
	}
	if !strings.HasPrefix(out.Summary, "shipped via FedEx (ground), tracking 7749281934") {
		t.Errorf("summary %q", out.Summary)
	}
	_, _, err = tl.getOrder(context.Background(), req(""), GetOrderIn{OrderID: "ORD-404"})
	if err == nil || !strings.Contains(err.Error(), "no order ORD-404") || !strings.Contains(err.Error(), "orders_search_orders") {
		t.Errorf("missing order: %v", err)
	}
	f.Err = &port.Error{Kind: port.KindUnreachable, Op: "GetOrder"}
	if _, _, err = tl.getOrder(context.Background(), req(""), GetOrderIn{OrderID: "ORD-1"}); err == nil || !strings.Contains(err.Error(), "cannot be reached") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestHandlerSearchPagesAndRegion(t *testing.T) {
	tl, _ := newTools(t)
	_, out, err := tl.searchOrders(context.Background(), req(""), SearchOrdersIn{CustomerID: "C-1", Limit: 1})
	if err != nil || len(out.Orders) != 1 || out.Orders[0].ID != "ORD-2" || out.Total != 2 || !out.HasMore {
		t.Fatalf("%+v %v", out, err)
	}
	_, out, err = tl.searchOrders(context.Background(), req(""), SearchOrdersIn{CustomerID: "C-1", Limit: 1, Cursor: out.NextCursor})
	if err != nil || len(out.Orders) != 1 || out.Orders[0].ID != "ORD-1" || out.HasMore {
		t.Fatalf("page 2: %+v %v", out, err)
	}
	_, out, err = tl.searchOrders(context.Background(), req("emea"), SearchOrdersIn{})
	if err != nil || out.Total != 1 || out.Orders[0].ID != "ORD-3" {
		t.Fatalf("emea: %+v %v", out, err)
	}
	if _, _, err = tl.searchOrders(context.Background(), req("emea"), SearchOrdersIn{Region: "na"}); err == nil {
		t.Error("emea caller searched na")
	}
}

// An order outside a regional caller's region answers like a missing one,
// for reads and writes.
func TestHandlerOutOfRegionIsNotFound(t *testing.T) {
	tl, f := newTools(t)
	_, _, err := tl.getOrder(context.Background(), req("emea"), GetOrderIn{OrderID: "ORD-1"})
	if err == nil || !strings.Contains(err.Error(), "no order ORD-1") {
		t.Errorf("get: %v", err)
	}
	_, _, err = tl.createRefund(context.Background(), req("emea"), CreateRefundIn{OrderID: "ORD-1", AmountMinor: 100, Currency: "USD", Reason: "damaged"})
	if err == nil || !strings.Contains(err.Error(), "no order ORD-1") {
		t.Errorf("refund: %v", err)
	}
	_, _, err = tl.listItems(context.Background(), req("emea"), ListItemsIn{OrderID: "ORD-1"})
	if err == nil || !strings.Contains(err.Error(), "no order ORD-1") {
		t.Errorf("items: %v", err)
	}
	if f.Calls["Refund"] != 0 || f.Calls["ListItems"] != 0 {
		t.Errorf("calls %v", f.Calls)
	}
}

func TestHandlerCancel(t *testing.T) {
	tl, f := newTools(t)
	in := CancelOrderIn{OrderID: "ORD-2", Reason: "customer_request"}
	_, out, err := tl.cancelOrder(context.Background(), req(""), in)
	if err != nil || out.Status != "cancelled" || out.Refunded == nil || out.Refunded.AmountMinor != 2500 || out.Replayed {
		t.Fatalf("%+v %v", out, err)
	}
	// The same call again (its answer was lost): replayed, nothing twice.
	_, out, err = tl.cancelOrder(context.Background(), req(""), in)
	if err != nil || !out.Replayed || out.Refunded == nil {
		t.Fatalf("retry: %+v %v", out, err)
	}
	if o := f.Order("ORD-2"); len(o.Refunds) != 1 || o.RefundedTotal.AmountMinor != 2500 {
		t.Errorf("refunds %+v", o.Refunds)
	}
	// A shipped order is refused before any write.
	_, _, err = tl.cancelOrder(context.Background(), req(""), CancelOrderIn{OrderID: "ORD-1", Reason: "customer_request"})
	if err == nil || !strings.Contains(err.Error(), "cannot be cancelled") || f.Calls["CancelOrder"] != 2 {
		t.Errorf("shipped: %v %v", err, f.Calls)
	}
}

func TestHandlerRefundOnceAndOverRefund(t *testing.T) {
	tl, f := newTools(t)
	in := CreateRefundIn{OrderID: "ORD-1", AmountMinor: 15000, Currency: "USD", Reason: "damaged"}
	_, out, err := tl.createRefund(context.Background(), req(""), in)
	if err != nil || out.Amount.AmountMinor != 15000 || out.Refundable.AmountMinor != 25000 || out.OrderStatus != "partially_refunded" || out.Replayed {
		t.Fatalf("%+v %v", out, err)
	}
	_, again, err := tl.createRefund(context.Background(), req(""), in)
	if err != nil || !again.Replayed || again.RefundID != out.RefundID {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if o := f.Order("ORD-1"); len(o.Refunds) != 1 || o.RefundableRemaining.AmountMinor != 25000 {
		t.Fatalf("refunded twice: %+v", o.Refunds)
	}
	// More than what is left: refused by the tool with the remainder, no write.
	calls := f.Calls["Refund"]
	_, _, err = tl.createRefund(context.Background(), req(""), CreateRefundIn{OrderID: "ORD-1", AmountMinor: 30000, Currency: "USD", Reason: "goodwill"})
	if err == nil || !strings.Contains(err.Error(), "at most USD 250.00 can still be refunded") || f.Calls["Refund"] != calls {
		t.Fatalf("over-refund: %v", err)
	}
	// The backend's own refusal (a race the tool could not see) reaches the
	// model as a conflict with what is still possible.
	f.Err = port.Conflict("Refund", "refund exceeds the refundable remainder", "USD 1.00 refundable")
	_, _, err = tl.createRefund(context.Background(), req(""), CreateRefundIn{OrderID: "ORD-3", AmountMinor: 100, Currency: "EUR", Reason: "goodwill"})
	if err == nil {
		t.Fatal("no error")
	}
	f.Err = nil
	// Wrong currency: refused naming the order's.
	_, _, err = tl.createRefund(context.Background(), req(""), CreateRefundIn{OrderID: "ORD-3", AmountMinor: 100, Currency: "USD", Reason: "goodwill"})
	if err == nil || !strings.Contains(err.Error(), "is in EUR") {
		t.Errorf("currency: %v", err)
	}
	// Everything left.
	_, out, err = tl.createRefund(context.Background(), req(""), CreateRefundIn{OrderID: "ORD-1", Currency: "USD", Reason: "goodwill"})
	if err != nil || out.Amount.AmountMinor != 25000 || out.OrderStatus != "refunded" || out.Refundable.AmountMinor != 0 {
		t.Fatalf("rest: %+v %v", out, err)
	}
}

func TestHandlerListItems(t *testing.T) {
	tl, _ := newTools(t)
	_, out, err := tl.listItems(context.Background(), req(""), ListItemsIn{OrderID: "ORD-1", Limit: 30})
	if err != nil || len(out.Items) != 30 || out.Total != 40 || !out.HasMore {
		t.Fatalf("%+v %v", out.Page, err)
	}
	_, out, err = tl.listItems(context.Background(), req(""), ListItemsIn{OrderID: "ORD-1", Limit: 30, Cursor: out.NextCursor})
	if err != nil || len(out.Items) != 10 || out.Items[0].LineID != "L031" || out.HasMore {
		t.Fatalf("page 2: %+v %v", out.Page, err)
	}
}

// Search cursors carry a keyset position when the backend gives one, bound
// to the query; tampering is refused.
func TestCursorWithPosition(t *testing.T) {
	c := encodeCursor(20, "pos_abc-1", "scope")
	if len(c) > maxCursor || !strings.Contains(c, ".") {
		t.Fatalf("cursor %q", c)
	}
	off, after, err := decodeCursor(c, "scope")
	if err != nil || off != 20 || after != "pos_abc-1" {
		t.Fatalf("%d %q %v", off, after, err)
	}
	if _, _, err := decodeCursor(strings.Replace(c, "abc", "abd", 1), "scope"); err == nil {
		t.Error("tampered position accepted")
	}
	if _, _, err := decodeCursor(c, "other"); err == nil {
		t.Error("other scope accepted")
	}
	if c := encodeCursor(20, strings.Repeat("x", 60), "scope"); strings.Contains(c, ".") {
		t.Errorf("oversized position kept: %q", c)
	}
}

// The order_id schemas follow the backend's id format.
func TestSchemasFollowIDFormat(t *testing.T) {
	f := ordersfake.New(sample()...)
	f.IDs = orders.IDFormat{Pattern: "^#?[0-9]{1,12}$", Example: "#1001"}
	s := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "0"}, nil)
	Register(s, New(f, sanitize.New(sanitize.Options{}), slog.New(slog.NewTextHandler(io.Discard, nil)), Options{}), mcpkit.NewCompletions())
	st, ct := mcp.NewInMemoryTransports()
	if _, err := s.Connect(context.Background(), st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "0"}, nil).Connect(context.Background(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tool := range res.Tools {
		b, _ := json.Marshal(tool.InputSchema)
		if strings.Contains(string(b), `"order_id"`) {
			n++
			if !strings.Contains(string(b), `"pattern":"^#?[0-9]{1,12}$"`) || !strings.Contains(string(b), "e.g. #1001") || strings.Contains(string(b), "ORD-") {
				t.Errorf("%s: %s", tool.Name, b)
			}
		}
	}
	if n != 4 {
		t.Errorf("%d tools with order_id", n)
	}
}

package reference

import (
	"context"
	"net/http"
	"time"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Adapter is the orders port over the reference API.
type Adapter struct{ c *Client }

var _ orders.Backend = (*Adapter)(nil)

// Open returns the port for the API at baseURL (app.Reference calls it).
func Open(baseURL string, hc *http.Client) (orders.Backend, error) {
	c, err := New(baseURL, hc)
	if err != nil {
		return nil, err
	}
	return &Adapter{c: c}, nil
}

// IDFormat is ORD- and up to ten digits.
func (a *Adapter) IDFormat() orders.IDFormat { return orders.ReferenceIDFormat }

// Ping checks GET /health.
func (a *Adapter) Ping(ctx context.Context) error { return a.c.Ping(ctx) }

// GetOrder runs GET /orders/{id}; the API returns every line, the adapter
// keeps the first items.
func (a *Adapter) GetOrder(ctx context.Context, id string, items int) (*orders.Order, error) {
	o, err := a.c.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return o.domain(items), nil
}

// SearchOrders runs GET /orders (offset paging; Query.After is unused).
func (a *Adapter) SearchOrders(ctx context.Context, q orders.Query) (*orders.OrderPage, error) {
	lq := ListQuery{CustomerID: q.CustomerID, CustomerEmail: q.CustomerEmail, Status: q.Status, Region: q.Region, Limit: q.Limit, Offset: q.Offset}
	if !q.PlacedFrom.IsZero() {
		lq.CreatedFrom = q.PlacedFrom.UTC().Format(time.RFC3339)
	}
	if !q.PlacedTo.IsZero() {
		lq.CreatedTo = q.PlacedTo.UTC().Format(time.RFC3339)
	}
	res, err := a.c.List(ctx, lq)
	if err != nil {
		return nil, err
	}
	page := &orders.OrderPage{Total: res.Total, Orders: make([]orders.Summary, len(res.Orders))}
	for i := range res.Orders {
		page.Orders[i] = res.Orders[i].domain()
	}
	return page, nil
}

// ListItems runs GET /orders/{id}/items.
func (a *Adapter) ListItems(ctx context.Context, id string, q orders.ItemQuery) (*orders.ItemPage, error) {
	res, err := a.c.Items(ctx, id, q.Text, q.Limit, q.Offset)
	if err != nil {
		return nil, err
	}
	return &orders.ItemPage{Total: res.Total, Items: lineItems(res.Items, len(res.Items))}, nil
}

// CancelOrder runs POST /orders/{id}/cancel with the key as Idempotency-Key.
func (a *Adapter) CancelOrder(ctx context.Context, id string, c orders.CancelRequest, key string) (*orders.Order, port.Write, error) {
	o, meta, err := a.c.Cancel(ctx, id, CancelRequest{Reason: c.Reason, Note: c.Note}, key)
	if err != nil {
		return nil, port.Write{}, err
	}
	return o.domain(len(o.LineItems)), write(meta), nil
}

// Refund runs POST /orders/{id}/refunds with the key as Idempotency-Key.
func (a *Adapter) Refund(ctx context.Context, id string, r orders.RefundRequest, key string) (*orders.RefundResult, port.Write, error) {
	req := RefundRequest{Currency: r.Currency, Reason: r.Reason, Note: r.Note}
	if r.AmountMinor > 0 {
		amt := r.AmountMinor
		req.AmountMinor = &amt
	}
	res, meta, err := a.c.Refund(ctx, id, req, key)
	if err != nil {
		return nil, port.Write{}, a.withRemaining(ctx, id, err)
	}
	return &orders.RefundResult{Refund: res.Refund.domain(), Order: res.Order.domain()}, write(meta), nil
}

// withRemaining completes a refund conflict (the order changed since the
// tool read it) with what is still refundable, as the port promises.
func (a *Adapter) withRemaining(ctx context.Context, id string, err error) error {
	pe, ok := port.AsError(err)
	if !ok || pe.Kind != port.KindConflict || pe.Remaining != "" {
		return err
	}
	if o, gerr := a.c.Get(ctx, id); gerr == nil {
		pe.Remaining = money.Format(o.RefundableRemaining.AmountMinor, o.RefundableRemaining.Currency) + " refundable"
	}
	return pe
}

func write(m backend.Meta) port.Write {
	return port.Write{Replayed: m.Replayed, RequestID: m.RequestID}
}

// ---- wire to domain ----

func (m Money) domain() orders.Money {
	return orders.Money{AmountMinor: m.AmountMinor, Currency: m.Currency}
}

func (s Shipping) domain() orders.Shipping { return orders.Shipping(s) }

func (s *Summary) domain() orders.Summary {
	return orders.Summary{
		ID: s.ID, CustomerID: s.CustomerID, CustomerEmail: s.CustomerEmail, CustomerName: s.CustomerName,
		Region: s.Region, Status: s.Status, Currency: s.Currency,
		CreatedAt: s.CreatedAt, PaidAt: s.PaidAt, CancelledAt: s.CancelledAt,
		ItemCount: s.LineItemCount, UnitCount: s.UnitCount,
		Total: s.Total.domain(), RefundedTotal: s.RefundedTotal.domain(), RefundableRemaining: s.RefundableRemaining.domain(),
		Shipping: s.Shipping.domain(),
	}
}

func (o *Order) domain(items int) *orders.Order {
	s := Summary{
		ID: o.ID, CustomerID: o.CustomerID, CustomerEmail: o.CustomerEmail, CustomerName: o.CustomerName,
		Region: o.Region, Status: o.Status, Currency: o.Currency,
		CreatedAt: o.CreatedAt, PaidAt: o.PaidAt, CancelledAt: o.CancelledAt,
		LineItemCount: max(o.LineItemCount, len(o.LineItems)), UnitCount: o.UnitCount,
		Total: o.Total, RefundedTotal: o.RefundedTotal, RefundableRemaining: o.RefundableRemaining, Shipping: o.Shipping,
	}
	if s.UnitCount == 0 {
		for _, li := range o.LineItems {
			s.UnitCount += li.Quantity
		}
	}
	out := &orders.Order{
		Summary:  s.domain(),
		Subtotal: o.Subtotal.domain(), ShippingCost: o.ShippingCost.domain(), Tax: o.Tax.domain(), Discount: o.Discount.domain(),
		ShippingAddress: orders.Address(o.ShippingAddress),
		LineItems:       lineItems(o.LineItems, items),
	}
	for _, n := range o.Notes {
		out.Notes = append(out.Notes, orders.Note(n))
	}
	for _, r := range o.Refunds {
		out.Refunds = append(out.Refunds, r.domain())
	}
	if c := o.Cancellation; c != nil {
		out.Cancellation = &orders.Cancellation{At: c.At, Reason: c.Reason, Note: c.Note, IdempotencyKey: c.IdempotencyKey}
	}
	return out
}

func (r Refund) domain() orders.Refund {
	return orders.Refund{ID: r.ID, Amount: r.Amount.domain(), Reason: r.Reason, Note: r.Note, Status: r.Status, CreatedAt: r.CreatedAt, IdempotencyKey: r.IdempotencyKey}
}

func lineItems(in []LineItem, n int) []orders.LineItem {
	n = min(max(n, 0), len(in))
	out := make([]orders.LineItem, n)
	for i, li := range in[:n] {
		out[i] = orders.LineItem{ID: li.ID, SKU: li.SKU, Name: li.Name, Quantity: li.Quantity, UnitPrice: li.UnitPrice.domain(), Total: li.Total.domain(), Personalization: li.Personalization}
	}
	return out
}

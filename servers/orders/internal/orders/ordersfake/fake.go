// Package ordersfake is an in-memory orders.Backend for handler unit tests:
// the port's contract (trimmed line items, filters, region, idempotent
// writes, the refundable remainder) without HTTP or SQL.
package ordersfake

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Fake holds orders in memory. Err, when set, fails every call with it.
type Fake struct {
	mu     sync.Mutex
	orders map[string]*orders.Order // every line item
	writes map[string]any           // idempotency key -> first outcome
	Err    error
	// Calls counts calls per method ("GetOrder", "Refund"...).
	Calls map[string]int
	// Now stamps writes; nil = a fixed time.
	Now func() time.Time
	// IDs is the id format reported; zero = the reference format.
	IDs orders.IDFormat
}

// New returns a fake holding copies of os.
func New(os ...orders.Order) *Fake {
	f := &Fake{orders: map[string]*orders.Order{}, writes: map[string]any{}, Calls: map[string]int{}}
	for i := range os {
		o := clone(&os[i])
		o.ItemCount, o.UnitCount = len(o.LineItems), 0
		for _, li := range o.LineItems {
			o.UnitCount += li.Quantity
		}
		f.orders[o.ID] = o
	}
	return f
}

var _ orders.Backend = (*Fake)(nil)

func (f *Fake) enter(method string) error {
	f.mu.Lock()
	f.Calls[method]++
	return f.Err
}

func (f *Fake) now() string {
	t := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if f.Now != nil {
		t = f.Now()
	}
	return t.UTC().Format(time.RFC3339)
}

// IDFormat is IDs, or the reference format.
func (f *Fake) IDFormat() orders.IDFormat {
	if f.IDs.Pattern == "" {
		return orders.ReferenceIDFormat
	}
	return f.IDs
}

// Ping fails with Err.
func (f *Fake) Ping(context.Context) error {
	defer f.mu.Unlock()
	return f.enter("Ping")
}

// Order returns a copy of the stored order (every line), for assertions.
func (f *Fake) Order(id string) orders.Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *clone(f.orders[id])
}

func (f *Fake) find(op, id string) (*orders.Order, error) {
	o, ok := f.orders[id]
	if !ok {
		return nil, port.NotFound(op, "no order "+id)
	}
	return o, nil
}

// GetOrder returns a copy with the first items lines.
func (f *Fake) GetOrder(_ context.Context, id string, items int) (*orders.Order, error) {
	defer f.mu.Unlock()
	if err := f.enter("GetOrder"); err != nil {
		return nil, err
	}
	o, err := f.find("GetOrder", id)
	if err != nil {
		return nil, err
	}
	c := clone(o)
	c.LineItems = c.LineItems[:min(max(items, 0), len(c.LineItems))]
	return c, nil
}

// SearchOrders filters, sorts newest first and pages by offset.
func (f *Fake) SearchOrders(_ context.Context, q orders.Query) (*orders.OrderPage, error) {
	defer f.mu.Unlock()
	if err := f.enter("SearchOrders"); err != nil {
		return nil, err
	}
	var hits []orders.Summary
	for _, o := range f.orders {
		placed, _ := time.Parse(time.RFC3339, o.CreatedAt)
		switch {
		case q.CustomerID != "" && o.CustomerID != q.CustomerID,
			q.CustomerEmail != "" && !strings.EqualFold(o.CustomerEmail, q.CustomerEmail),
			q.Status != "" && o.Status != q.Status,
			q.Region != "" && o.Region != q.Region,
			!q.PlacedFrom.IsZero() && placed.Before(q.PlacedFrom),
			!q.PlacedTo.IsZero() && !placed.Before(q.PlacedTo):
			continue
		}
		hits = append(hits, o.Summary)
	}
	slices.SortFunc(hits, func(a, b orders.Summary) int {
		return cmp.Or(cmp.Compare(b.CreatedAt, a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	lo := min(q.Offset, len(hits))
	hi := min(lo+q.Limit, len(hits))
	return &orders.OrderPage{Orders: hits[lo:hi], Total: len(hits)}, nil
}

// ListItems pages through matching lines.
func (f *Fake) ListItems(_ context.Context, id string, q orders.ItemQuery) (*orders.ItemPage, error) {
	defer f.mu.Unlock()
	if err := f.enter("ListItems"); err != nil {
		return nil, err
	}
	o, err := f.find("ListItems", id)
	if err != nil {
		return nil, err
	}
	var hits []orders.LineItem
	text := strings.ToLower(q.Text)
	for _, li := range o.LineItems {
		if strings.Contains(strings.ToLower(li.SKU), text) || strings.Contains(strings.ToLower(li.Name), text) {
			hits = append(hits, li)
		}
	}
	lo := min(q.Offset, len(hits))
	hi := min(lo+q.Limit, len(hits))
	return &orders.ItemPage{Items: hits[lo:hi], Total: len(hits)}, nil
}

// CancelOrder cancels a pending or paid order once per key.
func (f *Fake) CancelOrder(_ context.Context, id string, c orders.CancelRequest, key string) (*orders.Order, port.Write, error) {
	defer f.mu.Unlock()
	if err := f.enter("CancelOrder"); err != nil {
		return nil, port.Write{}, err
	}
	if prev, ok := f.writes[key].(*orders.Order); ok && key != "" {
		return clone(prev), port.Write{Replayed: true}, nil
	}
	o, err := f.find("CancelOrder", id)
	if err != nil {
		return nil, port.Write{}, err
	}
	if o.Status != orders.StatusPending && o.Status != orders.StatusPaid {
		return nil, port.Write{}, port.Conflict("CancelOrder", fmt.Sprintf("order %s is %s and can no longer be cancelled", id, o.Status), "")
	}
	now := f.now()
	if o.Status == orders.StatusPaid {
		f.addRefund(o, o.RefundableRemaining.AmountMinor, "order_cancelled", c.Note, key+"-cancel", now)
	}
	o.Status, o.CancelledAt = orders.StatusCancelled, now
	o.RefundableRemaining.AmountMinor = 0
	o.Cancellation = &orders.Cancellation{At: now, Reason: c.Reason, Note: c.Note, IdempotencyKey: key}
	f.writes[key] = clone(o)
	return clone(o), port.Write{}, nil
}

// Refund refunds once per key, never more than the remainder.
func (f *Fake) Refund(_ context.Context, id string, r orders.RefundRequest, key string) (*orders.RefundResult, port.Write, error) {
	defer f.mu.Unlock()
	if err := f.enter("Refund"); err != nil {
		return nil, port.Write{}, err
	}
	if prev, ok := f.writes[key].(orders.RefundResult); ok && key != "" {
		return &prev, port.Write{Replayed: true}, nil
	}
	o, err := f.find("Refund", id)
	if err != nil {
		return nil, port.Write{}, err
	}
	if r.Currency != o.Currency {
		return nil, port.Write{}, port.Invalid("Refund", "currency", fmt.Sprintf("order %s is in %s, not %s", id, o.Currency, r.Currency))
	}
	left := o.RefundableRemaining.AmountMinor
	remaining := money.Format(left, o.Currency) + " refundable"
	switch o.Status {
	case orders.StatusPending, orders.StatusCancelled:
		return nil, port.Write{}, port.Conflict("Refund", fmt.Sprintf("order %s is %s and cannot be refunded", id, o.Status), "")
	}
	amt := cmp.Or(r.AmountMinor, left)
	if left <= 0 || amt > left {
		return nil, port.Write{}, port.Conflict("Refund", fmt.Sprintf("refund of %s exceeds the refundable remainder of order %s", money.Format(amt, o.Currency), id), remaining)
	}
	rf := f.addRefund(o, amt, r.Reason, r.Note, key, f.now())
	o.Status = orders.StatusPartiallyRefunded
	if o.RefundableRemaining.AmountMinor == 0 {
		o.Status = orders.StatusRefunded
	}
	res := orders.RefundResult{Refund: rf, Order: o.Summary}
	f.writes[key] = res
	return &res, port.Write{}, nil
}

func (f *Fake) addRefund(o *orders.Order, amt int64, reason, note, key, at string) orders.Refund {
	rf := orders.Refund{
		ID: fmt.Sprintf("RF-%s-%02d", strings.TrimPrefix(o.ID, "ORD-"), len(o.Refunds)+1), Amount: orders.Money{AmountMinor: amt, Currency: o.Currency},
		Reason: reason, Note: note, Status: "succeeded", CreatedAt: at, IdempotencyKey: key,
	}
	o.Refunds = append(o.Refunds, rf)
	o.RefundedTotal = orders.Money{AmountMinor: o.RefundedTotal.AmountMinor + amt, Currency: o.Currency}
	o.RefundableRemaining = orders.Money{AmountMinor: o.RefundableRemaining.AmountMinor - amt, Currency: o.Currency}
	return rf
}

func clone(o *orders.Order) *orders.Order {
	c := *o
	c.LineItems = slices.Clone(o.LineItems)
	c.Notes = slices.Clone(o.Notes)
	c.Refunds = slices.Clone(o.Refunds)
	if o.Cancellation != nil {
		cc := *o.Cancellation
		c.Cancellation = &cc
	}
	return &c
}

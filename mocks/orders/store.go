package orders

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bizmcp/bizmcp/mocks/internal/domainkit"
	"github.com/bizmcp/bizmcp/mocks/internal/idem"
	"github.com/bizmcp/bizmcp/mocks/world"
	"github.com/bizmcp/bizmcp/shared/money"
)

// Limits enforced by the store and the API.
const (
	DefaultLimit      = 20
	MaxLimit          = 100
	DefaultItemsLimit = 50
	MaxItemsLimit     = 200
	MaxNoteChars      = 2000
	MaxIdempotencyKey = idem.MaxKeyBytes
)

// Errors returned by Store methods. Validation failures are *ValidationError;
// refusals because of the order's state are *StateError.
var (
	ErrNotFound = errors.New("order not found")
	// ErrIdempotencyConflict: the Idempotency-Key was already used for a
	// different request (other body, order or operation).
	ErrIdempotencyConflict = idem.ErrConflict
)

type notFoundError string

func (e notFoundError) Error() string        { return "no order " + string(e) }
func (e notFoundError) Is(target error) bool { return target == ErrNotFound }

func notFound(id string) error { return notFoundError(id) }

// ValidationError is a client error naming the offending field.
type ValidationError struct {
	Field   string
	Code    string // bad_request, currency_mismatch
	Message string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Code: "bad_request", Message: fmt.Sprintf(format, args...)}
}

// failNamed is the fail argument of domainkit.Window: "limit must be ...".
func failNamed(field, problem string) error { return invalid(field, "%s %s", field, problem) }

// StateError is a refusal because of the order's current state (HTTP 409).
type StateError struct {
	Code    string // not_cancellable, not_refundable, refund_exceeds_remaining
	Message string
	// Remaining is the refundable remainder, set for refund refusals.
	Remaining *Money
}

func (e *StateError) Error() string { return e.Message }

// Query selects orders for List. Empty fields do not filter.
type Query struct {
	CustomerID    string
	CustomerEmail string // case-insensitive exact match
	Status        string
	Region        string
	CreatedFrom   time.Time // inclusive; zero = no bound
	CreatedTo     time.Time // exclusive; zero = no bound
	Limit         int       // 0 = DefaultLimit
	Offset        int
}

// CancelInput is the body of POST /orders/{id}/cancel.
type CancelInput struct {
	Reason string `json:"reason"`
	Note   string `json:"note,omitempty"`
}

// RefundInput is the body of POST /orders/{id}/refunds. A nil AmountMinor
// refunds the whole refundable remainder.
type RefundInput struct {
	AmountMinor *int64 `json:"amount_minor,omitempty"`
	Currency    string `json:"currency"`
	Reason      string `json:"reason"`
	Note        string `json:"note,omitempty"`
}

// RefundResult is the answer of a refund: the refund and the order after it.
type RefundResult struct {
	Refund Refund  `json:"refund"`
	Order  Summary `json:"order"`
}

// Store is an in-memory, concurrency-safe order store. Every value it
// returns is a deep copy.
type Store struct {
	mu     sync.RWMutex
	byID   map[string]*Order
	sorted []string // newest first
	idem   idem.Table[Replay]
	now    func() time.Time
}

// NewStore returns a store holding deep copies of orders.
func NewStore(orders []Order) *Store {
	start := time.Now()
	// Writes happen "after" the frozen sample world: world.Now plus the time
	// the store has been running.
	s := &Store{now: func() time.Time { return world.Now.Add(time.Since(start)) }}
	s.Replace(orders)
	return s
}

// SampleStore returns a store loaded with SampleOrders().
func SampleStore() *Store { return NewStore(SampleOrders()) }

// SetClock replaces the clock used for the timestamps of writes.
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Replace swaps the whole data set (and forgets idempotency keys).
func (s *Store) Replace(orders []Order) {
	byID := make(map[string]*Order, len(orders))
	for _, o := range orders {
		c := o.Clone()
		byID[c.ID] = &c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID = byID
	s.idem.Reset()
	s.resort()
}

func (s *Store) resort() {
	ids := make([]string, 0, len(s.byID))
	for id := range s.byID {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if c := s.byID[b].CreatedAt.Compare(s.byID[a].CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b, a)
	})
	s.sorted = ids
}

// Len is the number of orders.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byID)
}

// All returns every order, newest first.
func (s *Store) All() []Order {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Order, 0, len(s.sorted))
	for _, id := range s.sorted {
		out = append(out, s.byID[id].Clone())
	}
	return out
}

// Get returns one order.
func (s *Store) Get(id string) (Order, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.byID[id]
	if !ok {
		return Order{}, notFound(id)
	}
	return o.Clone(), nil
}

// List returns one page of matching orders, newest first, and the number of
// matches.
func (s *Store) List(q Query) ([]Summary, int, error) {
	limit, err := domainkit.Window(q.Limit, q.Offset, DefaultLimit, MaxLimit, failNamed)
	if err != nil {
		return nil, 0, err
	}
	if q.Status != "" && !slices.Contains(Statuses, q.Status) {
		return nil, 0, invalid("status", "must be one of %s, got %q", strings.Join(Statuses, "|"), q.Status)
	}
	if q.Region != "" && !slices.Contains(Regions, q.Region) {
		return nil, 0, invalid("region", "must be one of %s, got %q", strings.Join(Regions, "|"), q.Region)
	}
	email := strings.ToLower(strings.TrimSpace(q.CustomerEmail))
	s.mu.RLock()
	defer s.mu.RUnlock()
	page, total := domainkit.Page(s.sorted, q.Offset, limit, func(id string) bool {
		o := s.byID[id]
		switch {
		case q.CustomerID != "" && o.CustomerID != q.CustomerID,
			email != "" && strings.ToLower(o.CustomerEmail) != email,
			q.Status != "" && o.Status != q.Status,
			q.Region != "" && o.Region != q.Region,
			!q.CreatedFrom.IsZero() && o.CreatedAt.Before(q.CreatedFrom),
			!q.CreatedTo.IsZero() && !o.CreatedAt.Before(q.CreatedTo):
			return false
		}
		return true
	}, func(id string) Summary { return s.byID[id].Summarize() })
	return page, total, nil
}

// Items returns one page of an order's line items (in order), optionally
// only those whose SKU or name contains q (case-insensitive), and the number
// of matches.
func (s *Store) Items(id, q string, offset, limit int) ([]LineItem, int, error) {
	limit, err := domainkit.Window(limit, offset, DefaultItemsLimit, MaxItemsLimit, failNamed)
	if err != nil {
		return nil, 0, err
	}
	needle := strings.ToLower(strings.TrimSpace(q))
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.byID[id]
	if !ok {
		return nil, 0, notFound(id)
	}
	page, total := domainkit.Page(o.LineItems, offset, limit, func(li LineItem) bool {
		return needle == "" || strings.Contains(strings.ToLower(li.SKU), needle) || strings.Contains(strings.ToLower(li.Name), needle)
	}, func(li LineItem) LineItem { return li })
	return page, total, nil
}

func checkKey(key string) error {
	return idem.CheckKey(key, func(field, problem string) error { return invalid(field, "%s", problem) })
}

// Replay is a stored response to an idempotent write: the body of the
// original answer and its status.
type Replay struct {
	Status int
	Body   []byte
}

// lookup returns the stored response for key, ErrIdempotencyConflict when
// the key belongs to another request, or nil.
func (s *Store) lookup(key, fp string) (*Replay, error) {
	r, ok, err := s.idem.Lookup(key, fp)
	if !ok || err != nil {
		return nil, err
	}
	return &Replay{Status: r.Status, Body: slices.Clone(r.Body)}, nil
}

func (s *Store) remember(key, fp string, status int, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s.idem.Remember(key, fp, Replay{Status: status, Body: b})
	return b, nil
}

func validNote(n string) error {
	if utf8.RuneCountInString(n) > MaxNoteChars {
		return invalid("note", "at most %d characters", MaxNoteChars)
	}
	return nil
}

// Cancel cancels a pending or paid order; a paid order's payment is refunded
// in full. With an idempotency key, a repeat of the same request returns
// the original response (replay != nil) and changes nothing.
func (s *Store) Cancel(id string, in CancelInput, key string) (o Order, replay *Replay, err error) {
	if err := checkKey(key); err != nil {
		return Order{}, nil, err
	}
	if !slices.Contains(CancelReasons, in.Reason) {
		return Order{}, nil, invalid("reason", "must be one of %s, got %q", strings.Join(CancelReasons, "|"), in.Reason)
	}
	if err := validNote(in.Note); err != nil {
		return Order{}, nil, err
	}
	fp := idem.Fingerprint("cancel", id, in)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, err := s.lookup(key, fp); r != nil || err != nil {
		return Order{}, r, err
	}
	cur, ok := s.byID[id]
	if !ok {
		return Order{}, nil, notFound(id)
	}
	if err := cancellable(cur); err != nil {
		return Order{}, nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	cur.Status = StatusCancelled
	cur.CancelledAt = &now
	cur.Cancellation = &Cancellation{At: now, Reason: in.Reason, Note: in.Note, IdempotencyKey: key}
	cur.Events = append(cur.Events, Event{At: now, Type: "cancelled", Message: "Order cancelled (" + in.Reason + ")"})
	if cur.PaidAt != nil {
		amount := cur.Total.AmountMinor - cur.RefundedTotal.AmountMinor
		if amount > 0 {
			rf := Refund{ID: nextRefundID(cur), Amount: Money{amount, cur.Currency}, Reason: "order_cancelled", Note: "automatic refund of the cancelled order",
				Status: "succeeded", CreatedAt: now, IdempotencyKey: key}
			cur.Refunds = append(cur.Refunds, rf)
			cur.Events = append(cur.Events, Event{At: now, Type: "refunded", Message: "Refund " + rf.ID + " of " + money.Format(amount, cur.Currency) + " to the original payment method"})
		}
		cur.Payment.Status = "refunded"
	} else {
		cur.Payment.Status = "voided"
	}
	cur.UpdatedAt = now
	cur.Version++
	cur.normalize()
	out := cur.Clone()
	if _, err := s.remember(key, fp, 200, out); err != nil {
		return Order{}, nil, err
	}
	return out, nil, nil
}

// cancellable explains why an order cannot be cancelled (nil if it can).
func cancellable(o *Order) error {
	refuse := func(format string, a ...any) error {
		return &StateError{Code: "not_cancellable", Message: fmt.Sprintf(format, a...)}
	}
	switch o.Status {
	case StatusPending, StatusPaid:
		return nil
	case StatusShipped:
		return refuse("order %s has already shipped (%s %s, shipment %s) and can no longer be cancelled; have the carrier return it, or refund it", o.ID, o.Shipping.Carrier, o.Shipping.TrackingNumber, o.Shipping.Status)
	case StatusDelivered:
		return refuse("order %s was delivered and can no longer be cancelled; refund it instead", o.ID)
	case StatusCancelled:
		return refuse("order %s is already cancelled", o.ID)
	default:
		return refuse("order %s is %s and can no longer be cancelled", o.ID, o.Status)
	}
}

// Refund refunds part or all of an order's refundable remainder.
// Idempotency keys behave as in Cancel.
func (s *Store) Refund(id string, in RefundInput, key string) (res RefundResult, replay *Replay, err error) {
	if err := checkKey(key); err != nil {
		return res, nil, err
	}
	if !slices.Contains(RefundReasons, in.Reason) {
		return res, nil, invalid("reason", "must be one of %s, got %q", strings.Join(RefundReasons, "|"), in.Reason)
	}
	if len(in.Currency) != 3 || strings.ToUpper(in.Currency) != in.Currency {
		return res, nil, invalid("currency", "must be an ISO 4217 code like USD, got %q", in.Currency)
	}
	if in.AmountMinor != nil && *in.AmountMinor <= 0 {
		return res, nil, invalid("amount_minor", "must be positive, got %d", *in.AmountMinor)
	}
	if err := validNote(in.Note); err != nil {
		return res, nil, err
	}
	fp := idem.Fingerprint("refund", id, in)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, err := s.lookup(key, fp); r != nil || err != nil {
		return res, r, err
	}
	cur, ok := s.byID[id]
	if !ok {
		return res, nil, notFound(id)
	}
	if in.Currency != cur.Currency {
		return res, nil, &ValidationError{Field: "currency", Code: "currency_mismatch",
			Message: fmt.Sprintf("order %s is in %s, not %s", cur.ID, cur.Currency, in.Currency)}
	}
	remaining := cur.RefundableRemaining
	switch cur.Status {
	case StatusPending:
		return res, nil, &StateError{Code: "not_refundable", Message: fmt.Sprintf("order %s is not paid yet, so there is nothing to refund; cancel it instead", cur.ID), Remaining: &remaining}
	case StatusCancelled:
		return res, nil, &StateError{Code: "not_refundable", Message: fmt.Sprintf("order %s is cancelled; any payment was already refunded", cur.ID), Remaining: &remaining}
	}
	amount := remaining.AmountMinor
	if in.AmountMinor != nil {
		amount = *in.AmountMinor
	}
	if remaining.AmountMinor == 0 {
		return res, nil, &StateError{Code: "refund_exceeds_remaining", Remaining: &remaining,
			Message: fmt.Sprintf("order %s is already fully refunded (%s); nothing can still be refunded", cur.ID, money.Format(cur.RefundedTotal.AmountMinor, cur.Currency))}
	}
	if amount > remaining.AmountMinor {
		return res, nil, &StateError{Code: "refund_exceeds_remaining", Remaining: &remaining,
			Message: fmt.Sprintf("refund of %s exceeds the refundable remainder of order %s: at most %s can still be refunded",
				money.Format(amount, cur.Currency), cur.ID, money.Format(remaining.AmountMinor, cur.Currency))}
	}
	now := s.now().UTC().Truncate(time.Second)
	rf := Refund{ID: nextRefundID(cur), Amount: Money{amount, cur.Currency}, Reason: in.Reason, Note: in.Note, Status: "succeeded", CreatedAt: now, IdempotencyKey: key}
	cur.Refunds = append(cur.Refunds, rf)
	cur.normalize()
	if cur.RefundableRemaining.AmountMinor == 0 {
		cur.Status, cur.Payment.Status = StatusRefunded, "refunded"
	} else {
		cur.Status, cur.Payment.Status = StatusPartiallyRefunded, "partially_refunded"
	}
	cur.Events = append(cur.Events, Event{At: now, Type: "refunded", Message: "Refund " + rf.ID + " of " + money.Format(amount, cur.Currency) + " (" + in.Reason + ")"})
	cur.UpdatedAt = now
	cur.Version++
	res = RefundResult{Refund: rf, Order: cur.Summarize()}
	if _, err := s.remember(key, fp, 201, res); err != nil {
		return RefundResult{}, nil, err
	}
	return res, nil, nil
}

func nextRefundID(o *Order) string {
	return fmt.Sprintf("RF-%s-%02d", strings.TrimPrefix(o.ID, "ORD-"), len(o.Refunds)+1)
}

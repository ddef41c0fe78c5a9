package shopify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/shopify/wire"
	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/bizmcp/bizmcp/shared/port"
)

// safeKey is the key as written into notes and the @idempotent directive:
// the tool's own keys (bizmcp-<hex>) as they are, anything else hashed.
var keyChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.:=+/-]+$`) })

// maxKeyLen is the longest key written as it is.
const maxKeyLen = 200

func safeKey(key string) string {
	if len(key) <= maxKeyLen && keyChars().MatchString(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256-" + hex.EncodeToString(sum[:16])
}

// Refund makes one refund with refundCreate, exactly once per key:
//
//  1. the order's refunds are read first; one whose note carries this key
//     (written by the adapter) is the earlier outcome of this call: it is
//     returned with Write.Replayed and nothing is sent;
//  2. otherwise refundCreate runs under @idempotent(key:), so a request
//     whose answer was lost and that is sent again is applied by Shopify
//     once, and the note carries the key for step 1 on later retries.
//
// The amount is refunded against the order's successful SALE and CAPTURE
// transactions, oldest first, each up to what it has not refunded yet.
func (a *Adapter) Refund(ctx context.Context, id string, r orders.RefundRequest, key string) (*orders.RefundResult, port.Write, error) {
	const op = "refundCreate"
	key = safeKey(key)
	w, err := a.refundContext(ctx, id)
	if err != nil {
		return nil, port.Write{}, err
	}
	c := &conv{op: op}
	sum := a.summary(c, w)
	for _, rf := range w.Refunds {
		if _, _, k := unmark(wire.S(rf.Note)); k == key {
			res := &orders.RefundResult{Refund: refund(c, rf, false), Order: sum}
			return res, port.Write{Replayed: true}, c.err
		}
	}
	if c.err != nil {
		return nil, port.Write{}, c.err
	}
	if r.Currency != w.CurrencyCode {
		return nil, port.Write{}, port.Invalid(op, "currency", fmt.Sprintf("order %s is in %s, not %s", w.Name, w.CurrencyCode, r.Currency))
	}
	remaining := sum.RefundableRemaining
	left := money.Format(remaining.AmountMinor, remaining.Currency) + " refundable"
	if w.PresentmentCurrencyCode != "" && w.PresentmentCurrencyCode != w.CurrencyCode {
		return nil, port.Write{}, port.Conflict(op, fmt.Sprintf("order %s was paid in %s, not the shop's currency %s: refund it in the Shopify admin, which converts the amount", w.Name, w.PresentmentCurrencyCode, w.CurrencyCode), "")
	}
	amount := r.AmountMinor
	if amount == 0 {
		amount = remaining.AmountMinor
	}
	if remaining.AmountMinor <= 0 || amount > remaining.AmountMinor {
		return nil, port.Write{}, port.Conflict(op, fmt.Sprintf("%s cannot be refunded on %s", money.Format(amount, w.CurrencyCode), w.Name), left)
	}
	txs, err := allocate(w, amount)
	if err != nil {
		return nil, port.Write{}, port.Conflict(op, err.Error(), left)
	}
	input := map[string]any{
		"orderId":      w.ID,
		"note":         mark(r.Note, r.Reason, key),
		"notify":       false,
		"transactions": txs,
	}
	var out struct {
		RefundCreate struct {
			Refund     *wireRefund `json:"refund"`
			Order      *wireOrder  `json:"order"`
			UserErrors []userError `json:"userErrors"`
		} `json:"refundCreate"`
	}
	meta, err := a.c.mutate(ctx, op, refundCreateDoc, map[string]any{"input": input, "key": key}, &out, true)
	if err != nil {
		return nil, port.Write{}, err
	}
	p := out.RefundCreate
	if len(p.UserErrors) > 0 {
		return nil, port.Write{}, refundError(op, p.UserErrors, left)
	}
	if p.Refund == nil {
		return nil, port.Write{}, &port.Error{Kind: port.KindMalformed, Op: op, RequestID: meta.RequestID, Message: "refundCreate returned neither a refund nor errors"}
	}
	res := &orders.RefundResult{Refund: refund(c, *p.Refund, false), Order: sum}
	if p.Order != nil {
		res.Order = a.summary(c, p.Order)
	}
	return res, port.Write{RequestID: meta.RequestID}, c.err
}

func (a *Adapter) refundContext(ctx context.Context, id string) (*wireOrder, error) {
	r, err := parseRef(id)
	if err != nil {
		return nil, err
	}
	gid := r.gid
	if gid == "" || r.fallback != "" {
		// Resolve a name (or an ambiguous number) to the order's GID.
		w, err := a.fetch(ctx, id, 1)
		if err != nil {
			return nil, err
		}
		gid = w.ID
	}
	var out struct {
		Order *wireOrder `json:"order"`
	}
	if err := a.c.query(ctx, "refundCreate", refundContextDoc, map[string]any{"id": gid}, &out); err != nil {
		return nil, err
	}
	if out.Order == nil {
		return nil, port.NotFound("refundCreate", "no order "+id)
	}
	return out.Order, nil
}

// allocate spreads amount over the order's captured payments.
func allocate(w *wireOrder, amount int64) ([]map[string]any, error) {
	refunded := map[string]int64{}
	for _, t := range w.Transactions {
		if t.Kind == "REFUND" && t.Status == "SUCCESS" && t.ParentTransaction != nil {
			n, err := minor(t.AmountSet.ShopMoney.Amount, t.AmountSet.ShopMoney.CurrencyCode)
			if err != nil {
				return nil, err
			}
			refunded[t.ParentTransaction.ID] += n
		}
	}
	var txs []map[string]any
	left := amount
	for _, t := range w.Transactions {
		if left == 0 {
			break
		}
		if (t.Kind != "SALE" && t.Kind != "CAPTURE") || t.Status != "SUCCESS" {
			continue
		}
		n, err := minor(t.AmountSet.ShopMoney.Amount, t.AmountSet.ShopMoney.CurrencyCode)
		if err != nil {
			return nil, err
		}
		free := n - refunded[t.ID]
		if free <= 0 {
			continue
		}
		take := min(free, left)
		left -= take
		txs = append(txs, map[string]any{
			"orderId": w.ID, "parentId": t.ID, "gateway": wire.S(t.Gateway), "kind": "REFUND",
			"amount": decimal(take, w.CurrencyCode),
		})
	}
	if left > 0 {
		return nil, fmt.Errorf("the order's captured payments cover %s less than asked", money.Format(left, w.CurrencyCode))
	}
	return txs, nil
}

type userError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}

// refundError maps refundCreate's userErrors: Shopify refuses refunds for
// the order's state (an amount above what is left, a payment that cannot
// be refunded) — a conflict, with the field and message — except for the
// idempotency errors of the @idempotent directive.
func refundError(op string, errs []userError, left string) *port.Error {
	e := errs[0]
	pe := &port.Error{Op: op, Code: e.Code, Field: strings.Join(e.Field, "."), Message: clip(userMessages(errs), 500)}
	low := strings.ToLower(pe.Message)
	switch {
	case strings.Contains(low, "idempotency") && (strings.Contains(low, "in progress") || strings.Contains(low, "concurrent")):
		pe.Kind, pe.RetryAfter = port.KindRateLimited, time.Second
	case strings.Contains(low, "not found") || strings.Contains(low, "does not exist"):
		pe.Kind = port.KindNotFound
	default:
		pe.Kind, pe.Remaining = port.KindConflict, left
	}
	return pe
}

func userMessages(errs []userError) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Message
		if len(e.Field) > 0 {
			parts[i] = strings.Join(e.Field, ".") + ": " + e.Message
		}
	}
	return strings.Join(parts, "; ")
}

// cancelReasons maps the tools' reasons to OrderCancelReason.
var cancelReasons = map[string]string{
	"customer_request": "CUSTOMER", "duplicate_order": "OTHER", "payment_issue": "DECLINED",
	"fraud_suspected": "FRAUD", "out_of_stock": "INVENTORY", "other": "OTHER",
}

// CancelOrder runs orderCancel (refund to the original payment methods,
// restock, no customer email; the reason and key in the staff note).
// Shopify cancels in a background job: the adapter polls the job within
// the call's deadline and returns the cancelled order once it is done. A
// job still running at the deadline is reported as a conflict that says
// so and how to check; the order's cancellation note carries the key, so a
// retry after that finds it and changes nothing.
func (a *Adapter) CancelOrder(ctx context.Context, id string, cr orders.CancelRequest, key string) (*orders.Order, port.Write, error) {
	const op = "orderCancel"
	key = safeKey(key)
	w, err := a.fetch(ctx, id, 1)
	if err != nil {
		return nil, port.Write{}, err
	}
	o, err := a.order(op, w)
	if err != nil {
		return nil, port.Write{}, err
	}
	if o.Cancellation != nil {
		if o.Cancellation.IdempotencyKey == key {
			return o, port.Write{Replayed: true}, nil
		}
		return nil, port.Write{}, port.Conflict(op, w.Name+" is already cancelled", "")
	}
	if o.Status != orders.StatusPending && o.Status != orders.StatusPaid {
		return nil, port.Write{}, port.Conflict(op, fmt.Sprintf("%s is %s; only unshipped, unrefunded orders can be cancelled", w.Name, o.Status), "")
	}
	reason := cancelReasons[cr.Reason]
	if reason == "" {
		return nil, port.Write{}, port.Invalid(op, "reason", "unknown cancellation reason "+cr.Reason)
	}
	var out struct {
		OrderCancel struct {
			Job *struct {
				ID   string `json:"id"`
				Done bool   `json:"done"`
			} `json:"job"`
			OrderCancelUserErrors []userError `json:"orderCancelUserErrors"`
		} `json:"orderCancel"`
	}
	vars := map[string]any{
		"orderId": w.ID, "reason": reason, "staffNote": mark(cr.Note, cr.Reason, key),
		"refundMethod": map[string]any{"originalPaymentMethodsRefund": true},
	}
	// Not repeated after a lost answer: a second orderCancel of an order
	// being cancelled is refused, never applied twice.
	meta, err := a.c.mutate(ctx, op, orderCancelDoc, vars, &out, false)
	if err != nil {
		return nil, port.Write{}, err
	}
	if errs := out.OrderCancel.OrderCancelUserErrors; len(errs) > 0 {
		return nil, port.Write{}, cancelError(op, errs)
	}
	job := out.OrderCancel.Job
	if job != nil && !job.Done {
		if err := a.waitJob(ctx, job.ID); err != nil {
			return nil, port.Write{}, &port.Error{Kind: port.KindConflict, Op: op, RequestID: meta.RequestID, Code: "JOB_PENDING",
				Message: fmt.Sprintf("Shopify accepted the cancellation of %s and is still processing it in the background (job %s). Do not cancel again: read the order with orders_get_order in a minute; it shows cancelled once Shopify is done", w.Name, job.ID)}
		}
	}
	w, err = a.fetch(ctx, w.ID, 1)
	if err != nil {
		return nil, port.Write{}, err
	}
	o, err = a.order(op, w)
	if err != nil {
		return nil, port.Write{}, err
	}
	return o, port.Write{RequestID: meta.RequestID}, nil
}

// waitJob polls job(id) { done } with growing pauses until it is done or
// the call's deadline is near.
func (a *Adapter) waitJob(ctx context.Context, id string) error {
	d := 250 * time.Millisecond
	for range 20 {
		if err := a.c.wait(ctx, "job", d); err != nil {
			return err
		}
		var out struct {
			Job *struct {
				Done bool `json:"done"`
			} `json:"job"`
		}
		if err := a.c.query(ctx, "job", jobDoc, map[string]any{"id": id}, &out); err != nil {
			return err
		}
		if out.Job == nil || out.Job.Done {
			return nil
		}
		d = min(d*2, 2*time.Second)
	}
	return fmt.Errorf("job %s still running", id)
}

// cancelError maps OrderCancelUserErrorCode.
func cancelError(op string, errs []userError) *port.Error {
	e := errs[0]
	pe := &port.Error{Op: op, Code: e.Code, Field: strings.Join(e.Field, "."), Message: clip(userMessages(errs), 500)}
	switch e.Code {
	case "NOT_FOUND":
		pe.Kind = port.KindNotFound
	case "NO_REFUND_PERMISSION":
		pe.Kind, pe.Setting = port.KindForbidden, "the staff or app permission to refund orders"
	default: // INVALID: the order's state does not allow it
		pe.Kind = port.KindConflict
	}
	return pe
}

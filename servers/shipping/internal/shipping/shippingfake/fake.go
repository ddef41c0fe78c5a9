// Package shippingfake is an in-memory shipping.Backend for handler unit
// tests: addresses, quotes, labels and tracking held in maps, with knobs
// for the situations the tools must handle (a scanned label, a lost
// response after a purchase, a backend that is down).
package shippingfake

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Offer is one service the fake's carriers quote for every parcel.
type Offer struct {
	Carrier, Service, ServiceName string
	AmountMinor                   int64
	TransitDays                   int
}

// Fake is an in-memory shipping account. Set its exported fields before
// use; its methods are safe for concurrent use.
type Fake struct {
	// Offers are quoted, in this order, for every rate request.
	Offers []Offer
	// Corrections maps a bad US postal code to the one to suggest.
	Corrections map[string]string
	// Down, when set, fails Ping and every call with this error.
	Down error
	// BuyError, when set, refuses every purchase with this error (nothing
	// is bought).
	BuyError error

	mu       sync.Mutex
	seq      int
	rates    map[string]*shipping.Rate
	usedBy   map[string]string // rate id -> label id
	labels   map[string]*shipping.Label
	keys     map[string]string // idempotency key -> label id (purchases) or "void:" + id
	tracking map[string]*shipping.Tracking
	loseNext bool
	bought   int
	voids    int
}

// New returns a fake with four offers (USPS ground 862, UPS ground 1840,
// FedEx 2day 2650, UPS express 5120, all USD) and one correction
// (9021 -> 90210).
func New() *Fake {
	return &Fake{
		Offers: []Offer{
			{"ups", "ground", "UPS Ground", 1840, 3},
			{"usps", "ground", "USPS Ground Advantage", 862, 5},
			{"ups", "express", "UPS Next Day Air", 5120, 1},
			{"fedex", "2day", "FedEx 2Day", 2650, 2},
		},
		Corrections: map[string]string{"9021": "90210"},
	}
}

var _ shipping.Backend = (*Fake)(nil)

var usZIP = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)

// Ping reports Down.
func (f *Fake) Ping(context.Context) error { return f.Down }

// ValidateAddress accepts an address with line1, city and country; a US
// address needs a 5-digit ZIP (a known typo gets its suggestion). The state
// is upper-cased (reported as a change).
func (f *Fake) ValidateAddress(_ context.Context, a shipping.Address) (*shipping.Validation, error) {
	if f.Down != nil {
		return nil, f.Down
	}
	v := &shipping.Validation{Valid: true, Address: a, Residential: a.Company == ""}
	if s := strings.ToUpper(a.State); s != a.State {
		v.Address.State, v.Changes = s, append(v.Changes, "state")
	}
	if a.Country == "US" && !usZIP.MatchString(a.PostalCode) {
		fe := shipping.FieldError{Field: "postal_code", Code: "invalid_format", Message: fmt.Sprintf("postal_code %q is not a US ZIP code", a.PostalCode)}
		fe.Suggestion = f.Corrections[a.PostalCode]
		v.Valid, v.Errors = false, append(v.Errors, fe)
	}
	return v, nil
}

// Quote issues a fresh rate per offer (filtered by r.Carriers).
func (f *Fake) Quote(_ context.Context, r shipping.RateRequest) (*shipping.Quote, error) {
	if f.Down != nil {
		return nil, f.Down
	}
	if r.To.Country == "US" && !usZIP.MatchString(r.To.PostalCode) {
		e := port.Invalid("quote", "to.postal_code", "to.postal_code: not a US ZIP code")
		e.Code = shipping.CodeInvalidAddress
		return nil, e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	q := &shipping.Quote{ID: fmt.Sprintf("quo_%06d", f.seq), To: r.To, Residential: r.To.Company == ""}
	q.From = shipping.Address{City: "Reno", State: "NV", PostalCode: "89502", Country: "US"}
	if r.From != nil {
		q.From = *r.From
	}
	for i, o := range f.Offers {
		if len(r.Carriers) > 0 && !slices.Contains(r.Carriers, o.Carrier) {
			continue
		}
		rate := shipping.Rate{
			ID: fmt.Sprintf("rate_%06d%02dfake", f.seq, i), QuoteID: q.ID, Carrier: o.Carrier, Service: o.Service, ServiceName: o.ServiceName,
			Amount: shipping.Money{AmountMinor: o.AmountMinor, Currency: "USD"}, TransitDays: o.TransitDays,
			EstimatedDelivery: fmt.Sprintf("2026-03-%02d", 2+o.TransitDays), Status: "available",
		}
		if f.rates == nil {
			f.rates = map[string]*shipping.Rate{}
		}
		f.rates[rate.ID] = &rate
		q.Rates = append(q.Rates, rate)
	}
	return q, nil
}

// Rate returns a quoted rate, or NotFound.
func (f *Fake) Rate(_ context.Context, id string) (*shipping.Rate, error) {
	return lookup(f, f.rates, "rate", id)
}

// lookup returns a copy of m[id] (under f's lock), or NotFound.
func lookup[T any](f *Fake, m map[string]*T, what, id string) (*T, error) {
	if f.Down != nil {
		return nil, f.Down
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := m[id]
	if !ok {
		return nil, port.NotFound(what+" "+id, "no "+what+" "+id)
	}
	c := *v
	return &c, nil
}

// LoseNextResponse makes the next purchase buy the label and then fail as
// if the response was lost on the way back.
func (f *Fake) LoseNextResponse() {
	f.mu.Lock()
	f.loseNext = true
	f.mu.Unlock()
}

// BuyLabel buys the rate's label once per key: a repeated key returns the
// first label as replayed; another key for a used rate is refused.
func (f *Fake) BuyLabel(_ context.Context, r shipping.LabelRequest, key string) (*shipping.Label, port.Write, error) {
	if f.Down != nil {
		return nil, port.Write{}, f.Down
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.BuyError != nil {
		return nil, port.Write{}, f.BuyError
	}
	if id, ok := f.keys[key]; ok && key != "" {
		c := *f.labels[id]
		return &c, port.Write{Replayed: true}, nil
	}
	rate, ok := f.rates[r.RateID]
	if !ok {
		return nil, port.Write{}, &port.Error{Kind: port.KindNotFound, Code: shipping.CodeRateExpired, Message: "rate " + r.RateID + " has expired"}
	}
	if used := f.usedBy[r.RateID]; used != "" {
		return nil, port.Write{}, &port.Error{Kind: port.KindConflict, Code: shipping.CodeRateUsed, Message: "rate " + r.RateID + " already bought label " + used}
	}
	if r.MaxAmountMinor > 0 && rate.Amount.AmountMinor > r.MaxAmountMinor {
		return nil, port.Write{}, &port.Error{Kind: port.KindConflict, Code: shipping.CodePriceOverLimit, Message: "price above max_amount_minor"}
	}
	f.bought++
	l := &shipping.Label{
		ID: fmt.Sprintf("lbl_fake%06d", f.bought), Status: "purchased", Carrier: rate.Carrier, Service: rate.Service, ServiceName: rate.ServiceName,
		TrackingNumber: fmt.Sprintf("FAKE%08d", f.bought), Reference: r.Reference, Amount: rate.Amount, Format: r.Format,
		File:              shipping.LabelFile{URL: "https://labels.fake.test/" + fmt.Sprint(f.bought) + "." + r.Format, Configured: true},
		EstimatedDelivery: rate.EstimatedDelivery,
	}
	if f.labels == nil {
		f.labels, f.keys, f.usedBy = map[string]*shipping.Label{}, map[string]string{}, map[string]string{}
	}
	f.labels[l.ID], f.usedBy[r.RateID] = l, l.ID
	if key != "" {
		f.keys[key] = l.ID
	}
	if f.loseNext {
		f.loseNext = false
		return nil, port.Write{}, &port.Error{Kind: port.KindUnavailable, Op: "buy", Err: errors.New("connection reset after the purchase")}
	}
	c := *l
	return &c, port.Write{}, nil
}

// Bought is how many labels were bought.
func (f *Fake) Bought() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bought
}

// Voids is how many labels were voided.
func (f *Fake) Voids() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.voids
}

// Scan marks a label as scanned by its carrier at at: it can no longer be
// voided.
func (f *Fake) Scan(id, at string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l := f.labels[id]; l != nil {
		l.FirstScanAt, l.Status = at, "in_transit"
	}
}

// Label returns a bought label, or NotFound.
func (f *Fake) Label(_ context.Context, id string) (*shipping.Label, error) {
	return lookup(f, f.labels, "label", id)
}

// VoidLabel voids an unscanned label once; a scanned one is a Conflict
// with the reason.
func (f *Fake) VoidLabel(_ context.Context, id, key string) (*shipping.VoidResult, port.Write, error) {
	if f.Down != nil {
		return nil, port.Write{}, f.Down
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.labels[id]
	if !ok {
		return nil, port.Write{}, port.NotFound("void "+id, "no label "+id)
	}
	if key != "" && f.keys[key] == "void:"+id {
		return &shipping.VoidResult{Label: *l}, port.Write{Replayed: true}, nil
	}
	if l.Status == "voided" {
		return &shipping.VoidResult{Label: *l, AlreadyVoided: true}, port.Write{}, nil
	}
	if l.FirstScanAt != "" {
		e := port.Conflict("void "+id, fmt.Sprintf("label %s cannot be voided: %s scanned it on %s and it is in transit", id, strings.ToUpper(l.Carrier), l.FirstScanAt), "")
		e.Code = shipping.CodeLabelScanned
		return nil, port.Write{}, e
	}
	f.voids++
	l.Status, l.VoidedAt = "voided", "2026-03-01T10:00:00Z"
	l.Refund = &shipping.Refund{Amount: l.Amount, Status: "pending"}
	if key != "" {
		f.keys[key] = "void:" + id
	}
	return &shipping.VoidResult{Label: *l}, port.Write{}, nil
}

// AddTracking makes t trackable by its carrier and number.
func (f *Fake) AddTracking(t shipping.Tracking) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tracking == nil {
		f.tracking = map[string]*shipping.Tracking{}
	}
	f.tracking[t.Carrier+"/"+t.TrackingNumber] = &t
}

// Track returns a parcel added with AddTracking, or NotFound.
func (f *Fake) Track(_ context.Context, carrier, number string) (*shipping.Tracking, error) {
	if f.Down != nil {
		return nil, f.Down
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tracking[carrier+"/"+number]
	if !ok {
		return nil, port.NotFound("track", "no "+strings.ToUpper(carrier)+" shipment with tracking number "+number)
	}
	c := *t
	return &c, nil
}

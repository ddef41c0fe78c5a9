package shipping

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/mocks/internal/idem"
	"github.com/bizmcp/bizmcp/mocks/world"
)

// Limits enforced by the store and the API.
const (
	MaxIdempotencyKey = idem.MaxKeyBytes
	// RateTTL is how long a quoted rate can buy a label (store clock).
	RateTTL = 24 * time.Hour
	// MaxLiveRates bounds the issued rates kept; older ones expire (a
	// version-based expiry that does not depend on the frozen clock).
	MaxLiveRates = 2000
	MaxReference = 64
	// LabelPathPrefix is where mock-backends serves label files.
	LabelPathPrefix = "/shipping/labels/"
)

// Errors returned by Store methods. Validation failures are *InputError.
var (
	ErrNotFound = errors.New("not found")
	// ErrIdempotencyConflict: the Idempotency-Key was already used for a
	// different request.
	ErrIdempotencyConflict = idem.ErrConflict
)

// InputError is a client error; Errors name the offending fields.
type InputError struct {
	Code   string // invalid_address, invalid_parcel, bad_request
	Errors []FieldError
}

func (e *InputError) Error() string {
	var parts []string
	for _, fe := range e.Errors {
		parts = append(parts, fe.Field+": "+fe.Message)
	}
	return strings.Join(parts, "; ")
}

func badRequest(field, format string, a ...any) *InputError {
	return &InputError{Code: "bad_request", Errors: []FieldError{{Field: field, Code: "invalid", Message: fmt.Sprintf(format, a...)}}}
}

// StateError is a refusal because of the resource's state (HTTP 409/410/422).
type StateError struct {
	Status  int
	Code    string // label_already_scanned, rate_already_used, rate_expired, price_exceeds_limit
	Message string
}

func (e *StateError) Error() string { return e.Message }

// NotFoundError says what was not found, and how to find it.
type NotFoundError struct{ Message string }

func (e *NotFoundError) Error() string { return e.Message }
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

type issuedRate struct {
	rate     Rate
	from, to Address
	parcel   Parcel
	labelID  string // set once a label was bought with it
}

// Store is the in-memory, concurrency-safe shipping state: tracking records,
// labels, issued rates and idempotency keys.
type Store struct {
	mu        sync.Mutex
	now       func() time.Time
	tracking  map[string]*Tracking // key: carrier + "/" + number
	byNumber  map[string]string    // number -> carrier
	labels    map[string]*Label
	rates     map[string]*issuedRate
	rateOrder []string
	idem      idem.Table[any] // Quote, Label or VoidResult
	quoteSeq  int
	labelSeq  int
	epoch     int // bumped by Replace: rate ids of an older data set are unknown
}

// NewStore returns a store holding the given shipments' labels and tracking.
func NewStore(ss []SampleShipment) *Store {
	s := &Store{now: func() time.Time { return world.Now }}
	s.Replace(ss)
	return s
}

// SampleStore returns a store loaded with SampleShipments().
func SampleStore() *Store { return NewStore(SampleShipments()) }

// SetClock replaces the store clock (default: the frozen world.Now).
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SampleShipment is one shipment of the sample data: its tracking record
// and the label it was sent with.
type SampleShipment struct {
	Tracking Tracking
	Label    Label
}

// SampleShipments derives the sample data from world.Shipments(): one
// label and one tracking history per shipped order. Deterministic.
func SampleShipments() []SampleShipment {
	dests := customerDestinations()
	var out []SampleShipment
	for _, w := range world.Shipments() {
		d, ok := dests[w.CustomerID]
		if !ok {
			d = destination{loc: Location{City: "Unknown", Country: "US"}, addr: Address{City: "Unknown", Country: "US"}}
		}
		out = append(out, sampleShipment(w, d))
	}
	return out
}

func sampleShipment(w world.Shipment, d destination) SampleShipment {
	t := History(w, d)
	created := t.Events[len(t.Events)-1].At
	scan := w.ShippedAt
	status := LabelInTransit
	if w.Status == world.StatusDelivered {
		status = LabelDelivered
	}
	parcel := Parcel{WeightGrams: t.WeightGrams, LengthMM: 300, WidthMM: 250, HeightMM: 150}
	card, ok := serviceCard(w.Carrier, w.Service)
	if !ok {
		card, _ = serviceCard(w.Carrier, "express")
		if card.carrier == "" {
			card = services[0]
		}
	}
	amount := priceService(card, DefaultOrigin, d.addr, parcel, d.addr.Company == "", created).Amount
	l := Label{
		ID: LabelIDFor(w.TrackingNumber), Status: status, Carrier: w.Carrier, Service: w.Service,
		ServiceName: t.ServiceName, TrackingNumber: w.TrackingNumber, Reference: w.OrderID,
		Amount: amount, Format: "pdf", LabelURL: LabelPathPrefix + LabelIDFor(w.TrackingNumber) + ".pdf",
		From: DefaultOrigin, To: d.addr, Parcel: parcel, EstimatedDelivery: t.EstimatedDelivery,
		CreatedAt: created, FirstScanAt: &scan,
	}
	return SampleShipment{Tracking: t, Label: l}
}

// Replace swaps the whole data set and forgets rates and idempotency keys.
func (s *Store) Replace(ss []SampleShipment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tracking, s.byNumber, s.labels = map[string]*Tracking{}, map[string]string{}, map[string]*Label{}
	s.rates, s.rateOrder = map[string]*issuedRate{}, nil
	s.idem.Reset()
	s.epoch++
	for _, sh := range ss {
		t := cloneTracking(sh.Tracking)
		s.tracking[t.Carrier+"/"+t.TrackingNumber] = &t
		s.byNumber[t.TrackingNumber] = t.Carrier
		if sh.Label.ID != "" {
			l := sh.Label
			s.labels[l.ID] = &l
		}
	}
}

func cloneTracking(t Tracking) Tracking {
	t.Events = slices.Clone(t.Events)
	if t.Events == nil {
		t.Events = []Event{}
	}
	return t
}

func cloneLabel(l *Label) Label {
	out := *l
	if l.Refund != nil {
		r := *l.Refund
		out.Refund = &r
	}
	return out
}

// Len is the number of tracked shipments.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tracking)
}

// Track returns one shipment's tracking record (events newest first).
func (s *Store) Track(carrier, number string) (Tracking, error) {
	carrier = strings.ToLower(carrier)
	number = strings.ToUpper(strings.ReplaceAll(number, " ", ""))
	if _, ok := CarrierNames[carrier]; !ok {
		return Tracking{}, badRequest("carrier", "unknown carrier %q (carriers: %s)", carrier, strings.Join(Carriers, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tracking[carrier+"/"+number]; ok {
		return cloneTracking(*t), nil
	}
	msg := fmt.Sprintf("no %s shipment with tracking number %s", CarrierNames[carrier], number)
	if other, ok := s.byNumber[number]; ok {
		msg += fmt.Sprintf("; %s is a %s tracking number: track it with carrier %s", number, CarrierNames[other], other)
	} else if f := trackingFormats[carrier]; !re(f.re).MatchString(number) {
		msg += fmt.Sprintf("; %s tracking numbers are %s", CarrierNames[carrier], f.desc)
		if g := CarrierOfNumber(number); g != "" && g != carrier {
			msg += fmt.Sprintf(", and this one looks like a %s number", CarrierNames[g])
		}
	}
	return Tracking{}, &NotFoundError{Message: msg}
}

// ValidateAddress validates one address (a read: nothing is stored).
func (s *Store) ValidateAddress(a Address) Validation {
	v := ValidateAddress(a, "")
	s.mu.Lock()
	v.ValidatedAt = s.now().UTC()
	s.mu.Unlock()
	return v
}

// Quote validates a rate request and prices it, issuing fresh rate ids.
// With an idempotency key, a repeat of the same request returns the same
// quote (replayed=true) instead of issuing new rates.
func (s *Store) Quote(req RateRequest, idemKey string) (Quote, bool, error) {
	from := DefaultOrigin
	if req.From != nil {
		from = *req.From
	}
	var errs []FieldError
	fv := ValidateAddress(from, "from.")
	tv := ValidateAddress(req.To, "to.")
	errs = append(errs, fv.Errors...)
	errs = append(errs, tv.Errors...)
	if len(errs) > 0 {
		return Quote{}, false, &InputError{Code: "invalid_address", Errors: errs}
	}
	if pe := ValidateParcel(req.Parcel); len(pe) > 0 {
		return Quote{}, false, &InputError{Code: "invalid_parcel", Errors: pe}
	}
	carriers, err := normCarriers(req.Carriers)
	if err != nil {
		return Quote{}, false, badRequest("carriers", "%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fp := idem.Fingerprint("quote", "", req)
	if body, ok, err := s.replayLocked(idemKey, fp); err != nil || ok {
		if err != nil {
			return Quote{}, false, err
		}
		return body.(Quote), true, nil
	}
	now := s.now().UTC().Truncate(time.Second)
	rates, declined := priceRates(fv.Address, tv.Address, req.Parcel, tv.Residential, carriers, now)
	s.quoteSeq++
	q := Quote{
		ID: fmt.Sprintf("quo_%06d", s.quoteSeq), From: fv.Address, To: tv.Address, Parcel: req.Parcel,
		Residential: tv.Residential, Rates: []Rate{}, Messages: declined, CreatedAt: now,
	}
	if q.Messages == nil {
		q.Messages = []FieldError{}
	}
	for _, r := range rates {
		sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d/%s/%s", s.epoch, s.quoteSeq, r.Carrier, r.Service))
		r.ID = "rate_" + hex.EncodeToString(sum[:8])
		r.QuoteID = q.ID
		r.CreatedAt, r.ExpiresAt = now, now.Add(RateTTL)
		s.rates[r.ID] = &issuedRate{rate: r, from: fv.Address, to: tv.Address, parcel: req.Parcel}
		s.rateOrder = append(s.rateOrder, r.ID)
		q.Rates = append(q.Rates, r)
	}
	for len(s.rateOrder) > MaxLiveRates {
		delete(s.rates, s.rateOrder[0])
		s.rateOrder = s.rateOrder[1:]
	}
	s.idem.Remember(idemKey, fp, q)
	return q, false, nil
}

// rateLocked returns an issued rate with its current status.
func (s *Store) rateLocked(id string) (*issuedRate, Rate, error) {
	ir, ok := s.rates[id]
	if !ok {
		return nil, Rate{}, &StateError{Status: 410, Code: "rate_expired",
			Message: fmt.Sprintf("rate %s is unknown or has expired (rates stay valid for %s and the latest %d quoted); request new rates with POST /rates", id, RateTTL, MaxLiveRates)}
	}
	r := ir.rate
	switch {
	case ir.labelID != "":
		r.Status = "used"
	case s.now().After(r.ExpiresAt):
		r.Status = "expired"
	}
	return ir, r, nil
}

// Rate returns one issued rate (GET /rates/{id}).
func (s *Store) Rate(id string) (Rate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, err := s.rateLocked(id)
	return r, err
}

func (s *Store) replayLocked(key, fp string) (any, bool, error) {
	if key == "" {
		return nil, false, nil
	}
	if err := idem.CheckKey(key, func(field, problem string) error { return badRequest(field, "%s", problem) }); err != nil {
		return nil, false, err
	}
	return s.idem.Lookup(key, fp)
}

// BuyLabel buys a label for an issued rate. With an idempotency key, a
// repeat of the same request returns the original label and replayed=true
// without buying again; the same key with another request is
// ErrIdempotencyConflict. A rate buys at most one label.
func (s *Store) BuyLabel(req LabelRequest, idemKey string) (Label, bool, error) {
	req.RateID = strings.TrimSpace(req.RateID)
	req.Reference = strings.TrimSpace(req.Reference)
	if req.Format == "" {
		req.Format = "pdf"
	}
	switch {
	case req.RateID == "":
		return Label{}, false, badRequest("rate_id", "rate_id is required; get one from POST /rates")
	case req.Format != "pdf" && req.Format != "zpl":
		return Label{}, false, badRequest("label_format", "label_format must be pdf or zpl, not %q", req.Format)
	case len(req.Reference) > MaxReference:
		return Label{}, false, badRequest("reference", "reference is at most %d characters", MaxReference)
	case req.MaxAmountMinor < 0:
		return Label{}, false, badRequest("max_amount_minor", "max_amount_minor must be >= 0")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fp := idem.Fingerprint("label", "", req)
	if body, ok, err := s.replayLocked(idemKey, fp); err != nil || ok {
		if err != nil {
			return Label{}, false, err
		}
		return body.(Label), true, nil
	}
	ir, r, err := s.rateLocked(req.RateID)
	if err != nil {
		return Label{}, false, err
	}
	switch r.Status {
	case "used":
		l := s.labels[ir.labelID]
		return Label{}, false, &StateError{Status: 409, Code: "rate_already_used",
			Message: fmt.Sprintf("rate %s already bought label %s (tracking %s); a rate buys one label: request new rates to ship another parcel", r.ID, l.ID, l.TrackingNumber)}
	case "expired":
		return Label{}, false, &StateError{Status: 410, Code: "rate_expired", Message: fmt.Sprintf("rate %s expired at %s; request new rates with POST /rates", r.ID, r.ExpiresAt.Format(time.RFC3339))}
	}
	if req.MaxAmountMinor > 0 && r.Amount.AmountMinor > req.MaxAmountMinor {
		return Label{}, false, &StateError{Status: 422, Code: "price_exceeds_limit",
			Message: fmt.Sprintf("rate %s costs %d %s minor units, above max_amount_minor %d; nothing was bought", r.ID, r.Amount.AmountMinor, r.Amount.Currency, req.MaxAmountMinor)}
	}
	if ir.to.Name == "" && ir.to.Company == "" {
		return Label{}, false, &InputError{Code: "invalid_address", Errors: []FieldError{{Field: "to.name", Code: "required",
			Message: "a label needs a recipient name or company; request new rates with to.name or to.company set"}}}
	}
	s.labelSeq++
	now := s.now().UTC().Truncate(time.Second)
	number := newTrackingNumber(r.Carrier, s.labelSeq+1000*s.epoch, func(n string) bool { _, ok := s.byNumber[n]; return ok })
	id := fmt.Sprintf("lbl_%s%04d", strings.ToLower(number[len(number)-6:]), s.labelSeq)
	l := &Label{
		ID: id, Status: LabelPurchased, RateID: r.ID, Carrier: r.Carrier, Service: r.Service, ServiceName: r.ServiceName,
		TrackingNumber: number, Reference: req.Reference, Amount: r.Amount, Format: req.Format,
		LabelURL: LabelPathPrefix + id + "." + req.Format, From: ir.from, To: ir.to, Parcel: ir.parcel,
		EstimatedDelivery: r.EstimatedDelivery, CreatedAt: now,
	}
	s.labels[id] = l
	ir.labelID = id
	t := newTracking(l)
	s.tracking[l.Carrier+"/"+number] = &t
	s.byNumber[number] = l.Carrier
	out := cloneLabel(l)
	s.idem.Remember(idemKey, fp, out)
	return out, false, nil
}

// Label returns one label.
func (s *Store) Label(id string) (Label, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.labels[id]
	if !ok {
		return Label{}, &NotFoundError{Message: fmt.Sprintf("no label %s", id)}
	}
	return cloneLabel(l), nil
}

// FindLabels returns the labels with a tracking number (and carrier, when
// set), at most one in practice.
func (s *Store) FindLabels(carrier, number string) []Label {
	number = strings.ToUpper(strings.ReplaceAll(number, " ", ""))
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Label{}
	for _, l := range s.labels {
		if l.TrackingNumber == number && (carrier == "" || l.Carrier == carrier) {
			out = append(out, cloneLabel(l))
		}
	}
	slices.SortFunc(out, func(a, b Label) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// VoidLabel cancels a label the carrier has not scanned yet and credits its
// cost. Voiding a voided label answers already_voided=true. Labels already
// scanned (in transit, delivered) are refused with label_already_scanned.
func (s *Store) VoidLabel(id, idemKey string) (VoidResult, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fp := idem.Fingerprint("void", id, nil)
	if body, ok, err := s.replayLocked(idemKey, fp); err != nil || ok {
		if err != nil {
			return VoidResult{}, false, err
		}
		return body.(VoidResult), true, nil
	}
	l, ok := s.labels[id]
	if !ok {
		return VoidResult{}, false, &NotFoundError{Message: fmt.Sprintf("no label %s", id)}
	}
	var res VoidResult
	switch {
	case l.Status == LabelVoided:
		res = VoidResult{Label: cloneLabel(l), AlreadyVoided: true}
	case l.FirstScanAt != nil:
		status := "in transit"
		if l.Status == LabelDelivered {
			status = "delivered"
		}
		return VoidResult{}, false, &StateError{Status: 409, Code: "label_already_scanned",
			Message: fmt.Sprintf("label %s cannot be voided: %s scanned it on %s and the parcel is %s; carriers only void unscanned labels. To get the parcel back, request a return or an intercept from %s",
				id, CarrierNames[l.Carrier], l.FirstScanAt.Format(time.RFC3339), status, CarrierNames[l.Carrier])}
	default:
		now := s.now().UTC().Truncate(time.Second)
		l.Status = LabelVoided
		l.VoidedAt = &now
		l.Refund = &Refund{Amount: l.Amount, Status: "pending"}
		if t, ok := s.tracking[l.Carrier+"/"+l.TrackingNumber]; ok {
			t.Status = StatusVoided
			t.StatusDetail = "Label voided by the shipper; the shipment was cancelled"
			t.UpdatedAt = now
			t.Events = append([]Event{{At: now, Status: StatusVoided, Code: "VD", Description: t.StatusDetail, Location: t.Origin}}, t.Events...)
		}
		res = VoidResult{Label: cloneLabel(l)}
	}
	s.idem.Remember(idemKey, fp, res)
	return res, false, nil
}

package easypost

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/port"
)

// ValidateAddress runs POST /addresses with verify=true: EasyPost answers
// 201 with the normalized address and verifications.delivery (success,
// errors with field and suggestion) rather than failing the request.
func (c *Client) ValidateAddress(ctx context.Context, a shipping.Address) (*shipping.Validation, error) {
	var out epAddress
	if err := c.do(ctx, http.MethodPost, "/addresses", nil, map[string]any{"address": epAddressOf(a), "verify": true}, &out); err != nil {
		return nil, err
	}
	norm := out.domain()
	v := &shipping.Validation{Address: norm, Residential: out.Residential != nil && *out.Residential, Changes: changes(a, norm)}
	var delivery, zip4 *epVerification
	if out.Verifications != nil {
		delivery, zip4 = out.Verifications.Delivery, out.Verifications.Zip4
	}
	switch {
	case delivery == nil:
		v.Valid = true
		v.Warnings = append(v.Warnings, shipping.FieldError{Field: "address", Code: "not_verified", Message: "EasyPost did not verify delivery to this address"})
	case delivery.Success:
		v.Valid = true
		v.Warnings = append(v.Warnings, fieldErrors(delivery.Errors)...)
		if zip4 != nil && !zip4.Success {
			v.Warnings = append(v.Warnings, fieldErrors(zip4.Errors)...)
		}
	default:
		v.Errors = fieldErrors(delivery.Errors)
	}
	return v, nil
}

func fieldErrors(in []epFieldError) []shipping.FieldError {
	var out []shipping.FieldError
	for _, e := range in {
		out = append(out, shipping.FieldError{Field: fieldName(e.Field), Code: e.Code, Message: e.Message, Suggestion: e.Suggestion})
	}
	return out
}

// changes lists the fields normalization changed (beyond letter case and
// spacing: EasyPost upper-cases what it verifies).
func changes(in, out shipping.Address) []string {
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToUpper(s)), " ") }
	var ch []string
	for _, f := range []struct{ name, a, b string }{
		{"line1", in.Line1, out.Line1}, {"line2", in.Line2, out.Line2}, {"city", in.City, out.City},
		{"state", in.State, out.State}, {"postal_code", in.PostalCode, out.PostalCode}, {"country", in.Country, out.Country},
	} {
		if norm(f.a) != norm(f.b) {
			ch = append(ch, f.name)
		}
	}
	return ch
}

type shipmentRequest struct {
	ToAddress   epAddress      `json:"to_address"`
	FromAddress epAddress      `json:"from_address"`
	Parcel      epParcel       `json:"parcel"`
	Options     map[string]any `json:"options"`
}

// Quote creates a shipment (POST /shipments) from the addresses and the
// parcel: its rates are the quote, its id the quote id. Creating a
// shipment is free and buys nothing. Labels are asked for as PDF.
func (c *Client) Quote(ctx context.Context, r shipping.RateRequest) (*shipping.Quote, error) {
	req := shipmentRequest{ToAddress: epAddressOf(r.To), Parcel: parcelOf(r.Parcel), Options: map[string]any{"label_format": "PDF"}}
	switch {
	case r.From != nil:
		req.FromAddress = epAddressOf(*r.From)
	case c.fromAddressID != "":
		req.FromAddress = epAddress{ID: c.fromAddressID}
	default:
		return nil, port.Invalid("quote", "from", "EasyPost needs a ship-from address: pass `from`, or ask the operator to set EASYPOST_FROM_ADDRESS_ID")
	}
	var s epShipment
	if err := c.do(ctx, http.MethodPost, "/shipments", nil, map[string]any{"shipment": req}, &s); err != nil {
		return nil, refusalCode(err, "")
	}
	q := &shipping.Quote{ID: s.ID, From: s.FromAddress.domain(), To: s.ToAddress.domain(), Residential: s.ToAddress.Residential != nil && *s.ToAddress.Residential}
	for _, m := range s.Messages {
		q.Messages = append(q.Messages, shipping.FieldError{Field: carrierCode(m.Carrier), Code: m.Type, Message: m.Carrier + ": " + m.Message})
	}
	for _, er := range s.Rates {
		rate, err := er.domain()
		if err != nil {
			q.Messages = append(q.Messages, shipping.FieldError{Field: carrierCode(er.Carrier), Code: "unreadable_rate", Message: er.Carrier + " " + er.Service + ": " + err.Error()})
			continue
		}
		if len(r.Carriers) > 0 && !slices.Contains(r.Carriers, rate.Carrier) {
			continue
		}
		if rate.QuoteID == "" {
			rate.QuoteID = s.ID
		}
		q.Rates = append(q.Rates, rate)
	}
	return q, nil
}

// refusalCode gives a request EasyPost refused (KindBadRequest) the port's
// code: an address field at fault is CodeInvalidAddress, a parcel one
// CodeInvalidParcel, anything else other ("" keeps EasyPost's code).
func refusalCode(err error, other string) error {
	e, ok := port.AsError(err)
	if !ok || e.Kind != port.KindBadRequest {
		return err
	}
	switch {
	case strings.HasPrefix(e.Field, "to.") || strings.HasPrefix(e.Field, "from.") || strings.HasPrefix(e.Code, "ADDRESS."):
		e.Code = shipping.CodeInvalidAddress
	case strings.HasPrefix(e.Field, "parcel"):
		e.Code = shipping.CodeInvalidParcel
	case other != "":
		e.Code = other
	}
	return e
}

// Rate runs GET /rates/{id}.
func (c *Client) Rate(ctx context.Context, id string) (*shipping.Rate, error) {
	er, err := c.rate(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := er.domain()
	if err != nil {
		return nil, &port.Error{Kind: port.KindMalformed, Op: "GET /rates/" + id, Err: err}
	}
	return &r, nil
}

func (c *Client) rate(ctx context.Context, id string) (*epRate, error) {
	var er epRate
	if err := c.do(ctx, http.MethodGet, "/rates/"+url.PathEscape(id), nil, nil, &er); err != nil {
		if port.IsKind(err, port.KindNotFound) {
			e, _ := port.AsError(err)
			e.Code = shipping.CodeRateExpired
		}
		return nil, err
	}
	if er.ShipmentID == "" {
		return nil, &port.Error{Kind: port.KindMalformed, Op: "GET /rates/" + id, Message: "the rate names no shipment"}
	}
	return &er, nil
}

func (c *Client) shipment(ctx context.Context, id string) (*epShipment, error) {
	var s epShipment
	if err := c.do(ctx, http.MethodGet, "/shipments/"+url.PathEscape(id), nil, nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// BuyLabel buys the rate's label: POST /shipments/{id}/buy.
//
// Exactly once: EasyPost has no idempotency header, but a shipment holds
// at most one label. Before buying, the shipment is read: if it already
// has postage for this rate, that label is returned as replayed (a retry
// of a purchase whose answer was lost, by this process or another); postage
// for another rate is a conflict. The purchase itself is never retried
// blindly: after a lost or failed answer (connection reset, timeout, 5xx,
// an unreadable body) the shipment is read again, and bought once more only
// if it still has no postage. key is not sent: the shipment is the record.
func (c *Client) BuyLabel(ctx context.Context, r shipping.LabelRequest, key string) (*shipping.Label, port.Write, error) {
	er, err := c.rate(ctx, r.RateID)
	if err != nil {
		return nil, port.Write{}, err
	}
	s, err := c.shipment(ctx, er.ShipmentID)
	if err != nil {
		return nil, port.Write{}, err
	}
	if s.PostageLabel != nil {
		return c.existing(ctx, s, r)
	}
	rate, err := er.domain()
	if err != nil {
		return nil, port.Write{}, &port.Error{Kind: port.KindMalformed, Op: "GET /rates/" + r.RateID, Err: err}
	}
	if r.MaxAmountMinor > 0 && rate.Amount.AmountMinor > r.MaxAmountMinor {
		return nil, port.Write{}, &port.Error{Kind: port.KindConflict, Op: "buy", Code: shipping.CodePriceOverLimit,
			Message: fmt.Sprintf("the rate costs %s %s, above the limit of %d minor units", er.Rate, rate.Amount.Currency, r.MaxAmountMinor)}
	}
	bought, w, err := c.buy(ctx, s.ID, r.RateID)
	if err != nil && ambiguous(ctx, err) {
		// The answer was lost: look before buying again, and buy at most
		// once more.
		l, w2, found, rerr := c.recheck(ctx, s.ID, r)
		switch {
		case found:
			return l, w2, rerr
		case rerr != nil:
			// Cannot tell; the caller's retry reads the shipment first.
			return nil, port.Write{}, err
		}
		bought, w, err = c.buy(ctx, s.ID, r.RateID)
		if err != nil && ctx.Err() == nil {
			// Lost again, or refused because the first purchase went
			// through after all: the shipment says which.
			if l, w2, found, rerr := c.recheck(ctx, s.ID, r); found {
				return l, w2, rerr
			}
		}
	}
	if err != nil {
		// A carrier's refusal (SHIPMENT.POSTAGE.FAILURE and other 4xx).
		return nil, port.Write{}, refusalCode(err, shipping.CodeCarrierRefused)
	}
	l, err := c.label(ctx, bought, r.Format)
	return l, w, err
}

func (c *Client) buy(ctx context.Context, shipmentID, rateID string) (*epShipment, port.Write, error) {
	var s epShipment
	err := c.do(ctx, http.MethodPost, "/shipments/"+url.PathEscape(shipmentID)+"/buy", nil, map[string]any{"rate": map[string]string{"id": rateID}}, &s)
	if err != nil {
		return nil, port.Write{}, err
	}
	if s.PostageLabel == nil {
		return nil, port.Write{}, &port.Error{Kind: port.KindMalformed, Op: "POST /shipments/" + shipmentID + "/buy", Message: "the bought shipment has no postage_label"}
	}
	return &s, port.Write{}, nil
}

// recheck reads a shipment after a lost answer: found when it has a label
// now (returned as by existing).
func (c *Client) recheck(ctx context.Context, id string, r shipping.LabelRequest) (*shipping.Label, port.Write, bool, error) {
	s, err := c.shipment(ctx, id)
	if err != nil || s.PostageLabel == nil {
		return nil, port.Write{}, false, err
	}
	l, w, err := c.existing(ctx, s, r)
	return l, w, true, err
}

// ambiguous reports whether a failed purchase may have happened anyway:
// the request may have reached EasyPost and its answer was lost.
func ambiguous(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	switch e, _ := port.AsError(err); {
	case e == nil:
		return true
	case e.Kind == port.KindUnreachable, e.Kind == port.KindTimeout, e.Kind == port.KindUnavailable, e.Kind == port.KindMalformed, e.Kind == port.KindTooLarge:
		return true
	}
	return false
}

// existing returns the label a shipment already has: the first purchase
// of r's rate, replayed, or a conflict when another rate was bought.
func (c *Client) existing(ctx context.Context, s *epShipment, r shipping.LabelRequest) (*shipping.Label, port.Write, error) {
	if s.SelectedRate == nil || s.SelectedRate.ID != r.RateID {
		other := ""
		if s.SelectedRate != nil {
			other = " for rate " + s.SelectedRate.ID
		}
		return nil, port.Write{}, &port.Error{Kind: port.KindConflict, Op: "buy", Code: shipping.CodeRateUsed,
			Message: fmt.Sprintf("EasyPost shipment %s already has a label%s (label %s, tracking %s); a shipment holds one label", s.ID, other, labelID(s.ID), s.TrackingCode)}
	}
	l, err := c.label(ctx, s, r.Format)
	return l, port.Write{Replayed: true}, err
}

// label converts a bought shipment, fetching the label file in format
// (pdf or zpl) when EasyPost has not made it yet (GET
// /shipments/{id}/label?file_format=...). A failed conversion keeps the
// file EasyPost made: the label is bought either way. The label's reference
// is the shipment's: EasyPost fixes it when the shipment is created (at
// quote time), so LabelRequest.Reference is not printed on EasyPost labels.
func (c *Client) label(ctx context.Context, s *epShipment, format string) (*shipping.Label, error) {
	if format == "" {
		format = "pdf"
	}
	if s.PostageLabel != nil && fileURL(s.PostageLabel, format) == "" && ctx.Err() == nil {
		var conv epShipment
		if err := c.do(ctx, http.MethodGet, "/shipments/"+url.PathEscape(s.ID)+"/label", url.Values{"file_format": {strings.ToUpper(format)}}, nil, &conv); err == nil && conv.PostageLabel != nil {
			s.PostageLabel = conv.PostageLabel
		}
	}
	l, err := labelOf(s)
	if err != nil {
		return nil, err
	}
	if u := fileURL(s.PostageLabel, format); u != "" {
		l.File.URL, l.Format = u, format
	}
	return l, nil
}

// fileURL is the label file in format, "" when EasyPost has none yet.
func fileURL(p *epPostageLabel, format string) string {
	switch format {
	case "zpl":
		if p.LabelZPLURL != "" {
			return p.LabelZPLURL
		}
	case "pdf":
		if p.LabelPDFURL != "" {
			return p.LabelPDFURL
		}
		if p.LabelFileType == "application/pdf" {
			return p.LabelURL
		}
	}
	return ""
}

// labelOf converts a shipment with postage to a label.
func labelOf(s *epShipment) (*shipping.Label, error) {
	l := &shipping.Label{ID: labelID(s.ID), TrackingNumber: s.TrackingCode, Reference: s.Reference, To: s.ToAddress.domain(), Status: "purchased"}
	if p := s.PostageLabel; p != nil {
		l.File = shipping.LabelFile{URL: p.LabelURL}
		l.Format = strings.ToLower(strings.TrimPrefix(p.LabelFileType, "image/"))
		if p.LabelFileType == "application/pdf" {
			l.Format = "pdf"
		}
	}
	if sr := s.SelectedRate; sr != nil {
		r, err := sr.domain()
		if err != nil {
			return nil, &port.Error{Kind: port.KindMalformed, Op: "shipment " + s.ID, Err: err}
		}
		l.Carrier, l.Service, l.ServiceName, l.Amount, l.EstimatedDelivery = r.Carrier, r.Service, r.ServiceName, r.Amount, r.EstimatedDelivery
	}
	if t := s.Tracker; t != nil {
		l.FirstScanAt = firstScan(t.TrackingDetails)
		if st := trackStatus(t.Status); st != "label_created" && st != "unknown" {
			l.Status = st
		}
		if l.EstimatedDelivery == "" {
			l.EstimatedDelivery = date(t.EstDeliveryDate)
		}
	}
	switch s.RefundStatus {
	case "submitted", "refunded":
		l.Status, l.VoidedAt = "voided", s.UpdatedAt
		l.Refund = &shipping.Refund{Amount: l.Amount, Status: s.RefundStatus}
	}
	return l, nil
}

// Label reads the shipment behind a label id (lbl_<hex> = shp_<hex>).
func (c *Client) Label(ctx context.Context, id string) (*shipping.Label, error) {
	s, err := c.labelShipment(ctx, id)
	if err != nil {
		return nil, err
	}
	return labelOf(s)
}

func (c *Client) labelShipment(ctx context.Context, id string) (*epShipment, error) {
	shp, ok := shipmentID(id)
	if !ok {
		return nil, port.NotFound("label "+id, "no label "+id+": EasyPost label ids are lbl_ followed by the shipment id's hex")
	}
	s, err := c.shipment(ctx, shp)
	if err != nil {
		if port.IsKind(err, port.KindNotFound) {
			return nil, port.NotFound("label "+id, "no label "+id+" in this EasyPost account")
		}
		return nil, err
	}
	if s.PostageLabel == nil {
		return nil, port.NotFound("label "+id, "EasyPost shipment "+shp+" has no label: it was quoted but never bought")
	}
	return s, nil
}

// VoidLabel asks EasyPost to refund an unused label: POST
// /shipments/{id}/refund. A label the carrier has scanned (its tracker
// shows a scan) is refused without asking; a refund EasyPost rejects, or
// one it says does not apply, is a conflict with EasyPost's reason. A
// shipment whose refund was submitted before is AlreadyVoided.
func (c *Client) VoidLabel(ctx context.Context, id, key string) (*shipping.VoidResult, port.Write, error) {
	s, err := c.labelShipment(ctx, id)
	if err != nil {
		return nil, port.Write{}, err
	}
	l, err := labelOf(s)
	if err != nil {
		return nil, port.Write{}, err
	}
	if l.Status == "voided" {
		return &shipping.VoidResult{Label: *l, AlreadyVoided: true}, port.Write{}, nil
	}
	if err := scanned(id, s, l); err != nil {
		return nil, port.Write{}, err
	}
	var out epShipment
	err = c.do(ctx, http.MethodPost, "/shipments/"+url.PathEscape(s.ID)+"/refund", nil, nil, &out)
	if err != nil && ambiguous(ctx, err) {
		// The answer was lost: did EasyPost take the refund?
		if again, gerr := c.shipment(ctx, s.ID); gerr == nil && again.RefundStatus != "" && again.RefundStatus != s.RefundStatus {
			out, err = *again, nil
		}
	}
	if err != nil {
		if e, ok := port.AsError(err); ok && e.Kind == port.KindBadRequest {
			return nil, port.Write{}, voidConflict(id, e.Message)
		}
		return nil, port.Write{}, err
	}
	switch out.RefundStatus {
	case "submitted", "refunded":
	case "":
		return nil, port.Write{}, &port.Error{Kind: port.KindMalformed, Op: "POST /shipments/" + s.ID + "/refund", Message: "EasyPost answered the refund without a refund_status"}
	default:
		return nil, port.Write{}, refundRefused(id, out.RefundStatus, l.Carrier)
	}
	if out.PostageLabel == nil {
		out.PostageLabel = s.PostageLabel
	}
	if out.SelectedRate == nil {
		out.SelectedRate = s.SelectedRate
	}
	voided, err := labelOf(&out)
	if err != nil {
		return nil, port.Write{}, err
	}
	return &shipping.VoidResult{Label: *voided}, port.Write{}, nil
}

// scanned refuses a label the carrier has scanned, or one EasyPost says
// needs no refund; nil when the refund may be asked for (a refund EasyPost
// rejected before may be asked for again).
func scanned(id string, s *epShipment, l *shipping.Label) error {
	switch {
	case l.FirstScanAt != "":
		e := port.Conflict("void "+id, fmt.Sprintf("label %s cannot be voided: %s scanned it on %s and its status is %s; carriers refund only unscanned labels",
			id, carrierTitle(l.Carrier, l.Carrier), l.FirstScanAt, strings.ReplaceAll(l.Status, "_", " ")), "")
		e.Code = shipping.CodeLabelScanned
		return e
	case s.RefundStatus == "not_applicable":
		return refundRefused(id, s.RefundStatus, l.Carrier)
	}
	return nil
}

// refundRefused explains a refund_status that is not a refund.
func refundRefused(id, status, carrier string) error {
	switch status {
	case "not_applicable":
		return voidConflict(id, fmt.Sprintf("EasyPost says a refund does not apply to this %s label (refund_status not_applicable: the carrier bills on scan, so an unused label costs nothing)", carrierTitle(carrier, carrier)))
	case "rejected":
		return voidConflict(id, "EasyPost rejected the refund (refund_status rejected): the label was used, is too old, or the carrier refused it")
	}
	return voidConflict(id, "EasyPost answered the refund with refund_status "+status)
}

// voidConflict is a refused void with EasyPost's reason; a reason that
// speaks of a scan is CodeLabelScanned.
func voidConflict(id, reason string) *port.Error {
	e := port.Conflict("void "+id, fmt.Sprintf("label %s cannot be voided: %s", id, reason), "")
	e.Code = shipping.CodeVoidNotPossible
	if strings.Contains(strings.ToLower(reason), "scan") {
		e.Code = shipping.CodeLabelScanned
	}
	return e
}

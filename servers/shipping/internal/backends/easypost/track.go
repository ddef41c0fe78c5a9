package easypost

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Track reads the parcel's tracker: an existing one (GET /trackers with
// tracking_code and carrier), else a new one (POST /trackers; EasyPost
// bills trackers in production, so an existing one is reused). Events come
// newest first.
func (c *Client) Track(ctx context.Context, carrier, number string) (*shipping.Tracking, error) {
	epCarrier, ok := trackerCarrier[carrier]
	if !ok {
		return nil, port.Invalid("track", "carrier", "carrier must be one of "+strings.Join(shipping.Carriers, ", "))
	}
	var list epTrackerList
	q := url.Values{"tracking_code": {number}, "carrier": {epCarrier}, "page_size": {"1"}}
	if err := c.do(ctx, http.MethodGet, "/trackers", q, nil, &list); err != nil {
		return nil, err
	}
	var t epTracker
	if len(list.Trackers) > 0 && strings.EqualFold(list.Trackers[0].TrackingCode, number) {
		t = list.Trackers[0]
	} else {
		err := c.do(ctx, http.MethodPost, "/trackers", nil, map[string]any{"tracker": map[string]string{"tracking_code": number, "carrier": epCarrier}}, &t)
		if e, ok := port.AsError(err); ok && e.Kind == port.KindBadRequest {
			// EasyPost refuses a code it cannot match to the carrier.
			e.Kind = port.KindNotFound
		}
		if err != nil {
			return nil, err
		}
	}
	return trackingOf(carrier, &t), nil
}

// trackStatus maps EasyPost's tracker statuses to the tools' words.
func trackStatus(s string) string {
	switch s {
	case "pre_transit":
		return "label_created"
	case "in_transit", "out_for_delivery", "delivered", "available_for_pickup", "return_to_sender":
		return s
	case "failure", "error":
		return "exception"
	case "cancelled":
		return "voided"
	}
	return "unknown"
}

// firstScan is when the carrier first had the parcel: the oldest event
// past pre_transit ("" when none).
func firstScan(details []epTrackingDetail) string {
	for _, d := range details {
		if st := trackStatus(d.Status); st != "label_created" && st != "unknown" && st != "voided" {
			return d.DateTime
		}
	}
	return ""
}

func locationOf(l *epTrackingLocation) shipping.Location {
	if l == nil {
		return shipping.Location{}
	}
	return shipping.Location{City: l.City, State: l.State, Country: l.Country}
}

// trackingOf converts a tracker; EasyPost lists events oldest first.
func trackingOf(carrier string, t *epTracker) *shipping.Tracking {
	out := &shipping.Tracking{
		Carrier: carrier, TrackingNumber: t.TrackingCode, Status: trackStatus(t.Status), StatusDetail: strings.ReplaceAll(t.StatusDetail, "_", " "),
		EstimatedDelivery: date(t.EstDeliveryDate), SignedBy: t.SignedBy, ShippedAt: firstScan(t.TrackingDetails),
	}
	if t.ShipmentID != "" {
		out.LabelID = labelID(t.ShipmentID)
	}
	if cd := t.CarrierDetail; cd != nil {
		out.ServiceName = cd.Service
		out.Origin, out.Destination = locationOf(cd.OriginTrackingLocation), locationOf(cd.DestinationTrackingLocation)
	}
	for i := len(t.TrackingDetails) - 1; i >= 0; i-- {
		d := t.TrackingDetails[i]
		if out.DeliveredAt == "" && d.Status == "delivered" {
			out.DeliveredAt = d.DateTime
		}
		out.Events = append(out.Events, shipping.Event{
			At: d.DateTime, Status: trackStatus(d.Status), Code: d.StatusDetail, Description: d.Message, Details: d.Description,
			Location: locationOf(&d.TrackingLocation),
		})
	}
	return out
}

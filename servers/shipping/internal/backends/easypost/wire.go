package easypost

import "encoding/json"

// EasyPost API v2 objects, as far as this adapter reads them (see the
// pages named in servers/shipping/README.md). Nullable strings decode to "".

type epAddress struct {
	ID            string           `json:"id,omitempty"`
	Name          string           `json:"name,omitempty"`
	Company       string           `json:"company,omitempty"`
	Street1       string           `json:"street1,omitempty"`
	Street2       string           `json:"street2,omitempty"`
	City          string           `json:"city,omitempty"`
	State         string           `json:"state,omitempty"`
	Zip           string           `json:"zip,omitempty"`
	Country       string           `json:"country,omitempty"`
	Phone         string           `json:"phone,omitempty"`
	Residential   *bool            `json:"residential,omitempty"`
	Verifications *epVerifications `json:"verifications,omitempty"`
}

type epVerifications struct {
	Delivery *epVerification `json:"delivery"`
	Zip4     *epVerification `json:"zip4"`
}

type epVerification struct {
	Success bool           `json:"success"`
	Errors  []epFieldError `json:"errors"`
}

type epFieldError struct {
	Code       string `json:"code"`
	Field      string `json:"field"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion"`
}

// epError is the body of every failed request:
// {"error":{"code","message","errors":[FieldError or string]}}.
type epError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Errors  []json.RawMessage `json:"errors"`
	} `json:"error"`
}

type epParcel struct {
	Length float64 `json:"length"` // inches
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	Weight float64 `json:"weight"` // ounces
}

type epRate struct {
	ID                     string `json:"id"`
	Carrier                string `json:"carrier"`
	Service                string `json:"service"`
	Rate                   string `json:"rate"`
	Currency               string `json:"currency"`
	DeliveryDays           *int   `json:"delivery_days"`
	EstDeliveryDays        *int   `json:"est_delivery_days"`
	DeliveryDate           string `json:"delivery_date"`
	DeliveryDateGuaranteed bool   `json:"delivery_date_guaranteed"`
	ShipmentID             string `json:"shipment_id"`
}

type epMessage struct {
	Carrier string `json:"carrier"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

type epPostageLabel struct {
	ID            string `json:"id"`
	LabelURL      string `json:"label_url"`
	LabelPDFURL   string `json:"label_pdf_url"`
	LabelZPLURL   string `json:"label_zpl_url"`
	LabelFileType string `json:"label_file_type"`
}

type epShipment struct {
	ID           string          `json:"id"`
	Mode         string          `json:"mode"`
	Reference    string          `json:"reference"`
	Status       string          `json:"status"`
	ToAddress    epAddress       `json:"to_address"`
	FromAddress  epAddress       `json:"from_address"`
	Rates        []epRate        `json:"rates"`
	Messages     []epMessage     `json:"messages"`
	SelectedRate *epRate         `json:"selected_rate"`
	PostageLabel *epPostageLabel `json:"postage_label"`
	TrackingCode string          `json:"tracking_code"`
	RefundStatus string          `json:"refund_status"`
	Tracker      *epTracker      `json:"tracker"`
	CreatedAt    string          `json:"created_at"`
	UpdatedAt    string          `json:"updated_at"`
}

type epTrackingLocation struct {
	City    string `json:"city"`
	State   string `json:"state"`
	Country string `json:"country"`
	Zip     string `json:"zip"`
}

type epTrackingDetail struct {
	Message          string             `json:"message"`
	Description      string             `json:"description"`
	Status           string             `json:"status"`
	StatusDetail     string             `json:"status_detail"`
	DateTime         string             `json:"datetime"`
	CarrierCode      string             `json:"carrier_code"`
	TrackingLocation epTrackingLocation `json:"tracking_location"`
}

type epCarrierDetail struct {
	Service                     string              `json:"service"`
	OriginTrackingLocation      *epTrackingLocation `json:"origin_tracking_location"`
	DestinationTrackingLocation *epTrackingLocation `json:"destination_tracking_location"`
}

type epTracker struct {
	ID              string             `json:"id"`
	TrackingCode    string             `json:"tracking_code"`
	Carrier         string             `json:"carrier"`
	Status          string             `json:"status"`
	StatusDetail    string             `json:"status_detail"`
	SignedBy        string             `json:"signed_by"`
	EstDeliveryDate string             `json:"est_delivery_date"`
	ShipmentID      string             `json:"shipment_id"`
	TrackingDetails []epTrackingDetail `json:"tracking_details"`
	CarrierDetail   *epCarrierDetail   `json:"carrier_detail"`
}

type epTrackerList struct {
	Trackers []epTracker `json:"trackers"`
	HasMore  bool        `json:"has_more"`
}

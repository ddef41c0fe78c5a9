// Package reference is the shipping port's adapter for the bizmcp reference
// shipping API (mocks/shipping/API.md, served by mock-backends). It knows
// HTTP and JSON, not MCP. Errors are *port.Error (backend.Error).
//
// Exactly-once writes: a label purchase and a void carry the tool's
// idempotency key as the Idempotency-Key header; the API answers a retry
// with the first outcome and Idempotent-Replayed: true.
package reference

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Client calls the shipping API.
type Client struct {
	j *backend.JSON
	// labelBase is the origin host-relative label paths resolve against.
	labelBase string
}

var _ shipping.Backend = (*Client)(nil)

// New returns a client for the API at baseURL (e.g.
// http://127.0.0.1:9000/shipping). Host-relative label URLs resolve
// against the API's origin.
func New(baseURL string, hc *http.Client) (*Client, error) {
	return NewWithLabelBase(baseURL, "", hc)
}

// NewWithLabelBase is New with the origin label files are served from
// (SHIPPING_LABEL_BASE_URL); "" = the API's origin.
func NewWithLabelBase(baseURL, labelBase string, hc *http.Client) (*Client, error) {
	return backend.NewAPI(baseURL, hc, func(j *backend.JSON) *Client {
		if labelBase == "" {
			labelBase = j.BaseURL()
		}
		return &Client{j: j, labelBase: labelBase}
	})
}

// labelSettings are the reference adapter's own settings.
type labelSettings struct {
	LabelBaseURL string `env:"LABEL_BASE_URL"`
}

// Backend is the "reference" entry of shipping-mcp's backends: the
// reference API at SHIPPING_API_URL, plus SHIPPING_LABEL_BASE_URL.
func Backend() app.Backend[shipping.Backend] {
	b := app.Reference("shipping", "SHIPPING_", func(baseURL string, hc *http.Client) (shipping.Backend, error) {
		return New(baseURL, hc)
	})
	b.Settings = append(b.Settings, app.Setting{Env: "SHIPPING_LABEL_BASE_URL",
		Meaning: "origin the API's host-relative label files are served from (default: the API URL's origin)"})
	b.Open = func(_ context.Context, env app.BackendEnv) (shipping.Backend, error) {
		var s labelSettings
		if err := config.ParseEnv(env.Binary, env.Environ, env.Prefix, &s); err != nil {
			return nil, err
		}
		return NewWithLabelBase(env.API.URL, s.LabelBaseURL, env.HTTPClient(env.API.Token.Reveal()))
	}
	return b
}

// callKey returns a fresh Idempotency-Key for one read-like POST: the
// backend client retries the request (same key) on transient failures, and
// a repeat of the call by the model quotes afresh.
func callKey(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "bizmcp-" + prefix + "-" + hex.EncodeToString(b)
}

// ValidateAddress runs POST /addresses/validate. It changes nothing, so it
// is sent with a per-call key to make it retryable.
func (c *Client) ValidateAddress(ctx context.Context, a shipping.Address) (*shipping.Validation, error) {
	v, _, err := backend.DoJSON[Validation](ctx, c.j, http.MethodPost, "/addresses/validate", callKey("validate"), wireAddress(a))
	if err != nil {
		return nil, err
	}
	return &shipping.Validation{Valid: v.Valid, Address: v.Address.domain(), Residential: v.Residential,
		Errors: fieldErrors(v.Errors), Warnings: fieldErrors(v.Warnings), Changes: v.Changes}, nil
}

// Quote runs POST /rates with a per-call key: retries of this request
// return the same rates; a new call issues new rate ids.
func (c *Client) Quote(ctx context.Context, r shipping.RateRequest) (*shipping.Quote, error) {
	req := RateRequest{To: wireAddress(r.To), Carriers: r.Carriers,
		Parcel: Parcel{WeightGrams: r.Parcel.WeightGrams, LengthMM: r.Parcel.LengthMM, WidthMM: r.Parcel.WidthMM, HeightMM: r.Parcel.HeightMM}}
	if r.From != nil {
		f := wireAddress(*r.From)
		req.From = &f
	}
	q, _, err := backend.DoJSON[Quote](ctx, c.j, http.MethodPost, "/rates", callKey("quote"), req)
	if err != nil {
		return nil, err
	}
	out := &shipping.Quote{ID: q.ID, From: q.From.domain(), To: q.To.domain(), Residential: q.Residential, Messages: fieldErrors(q.Messages)}
	for _, r := range q.Rates {
		out.Rates = append(out.Rates, r.domain())
	}
	return out, nil
}

// Rate runs GET /rates/{id}.
func (c *Client) Rate(ctx context.Context, id string) (*shipping.Rate, error) {
	r, err := backend.GetJSON[Rate](ctx, c.j, "/rates/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	d := r.domain()
	return &d, nil
}

// BuyLabel runs POST /labels with the key as Idempotency-Key, so a retried
// purchase never buys two labels.
func (c *Client) BuyLabel(ctx context.Context, r shipping.LabelRequest, key string) (*shipping.Label, port.Write, error) {
	req := LabelRequest{RateID: r.RateID, Reference: r.Reference, Format: r.Format, MaxAmountMinor: r.MaxAmountMinor}
	l, meta, err := backend.DoJSON[Label](ctx, c.j, http.MethodPost, "/labels", key, req)
	if err != nil {
		return nil, port.Write{}, err
	}
	return c.label(l), port.Write{Replayed: meta.Replayed, RequestID: meta.RequestID}, nil
}

// Label runs GET /labels/{id}.
func (c *Client) Label(ctx context.Context, id string) (*shipping.Label, error) {
	l, err := backend.GetJSON[Label](ctx, c.j, "/labels/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	return c.label(l), nil
}

// VoidLabel runs POST /labels/{id}/void with the key as Idempotency-Key.
// The API refuses a scanned label with 409 label_already_scanned.
func (c *Client) VoidLabel(ctx context.Context, id, key string) (*shipping.VoidResult, port.Write, error) {
	v, meta, err := backend.DoJSON[VoidResult](ctx, c.j, http.MethodPost, "/labels/"+url.PathEscape(id)+"/void", key, nil)
	if err != nil {
		return nil, port.Write{}, err
	}
	return &shipping.VoidResult{Label: *c.label(&v.Label), AlreadyVoided: v.AlreadyVoided}, port.Write{Replayed: meta.Replayed, RequestID: meta.RequestID}, nil
}

// Track runs GET /tracking/{carrier}/{number}: the whole history, newest first.
func (c *Client) Track(ctx context.Context, carrier, number string) (*shipping.Tracking, error) {
	p := "/tracking/" + url.PathEscape(strings.ToLower(carrier)) + "/" + url.PathEscape(number)
	t, err := backend.GetJSON[Tracking](ctx, c.j, p, nil)
	if err != nil {
		return nil, err
	}
	out := &shipping.Tracking{
		Carrier: t.Carrier, TrackingNumber: t.TrackingNumber, ServiceName: t.ServiceName, Status: t.Status, StatusDetail: t.StatusDetail,
		Reference: t.Reference, LabelID: t.LabelID, ShippedAt: t.ShippedAt, EstimatedDelivery: t.EstimatedDelivery,
		DeliveredAt: t.DeliveredAt, SignedBy: t.SignedBy, Origin: shipping.Location(t.Origin), Destination: shipping.Location(t.Destination),
	}
	for _, e := range t.Events {
		out.Events = append(out.Events, shipping.Event{At: e.At, Status: e.Status, Code: e.Code, Description: e.Description, Details: e.Details, Location: shipping.Location(e.Location)})
	}
	return out, nil
}

// Ping checks the API's GET /health (readiness).
func (c *Client) Ping(ctx context.Context) error { return c.j.Ping(ctx) }

func (c *Client) label(l *Label) *shipping.Label {
	out := &shipping.Label{
		ID: l.ID, Status: l.Status, Carrier: l.Carrier, Service: l.Service, ServiceName: l.ServiceName, TrackingNumber: l.TrackingNumber,
		Reference: l.Reference, Amount: shipping.Money(l.Amount), Format: l.Format, File: c.labelFile(l.LabelURL), To: l.To.domain(),
		EstimatedDelivery: l.EstimatedDelivery, FirstScanAt: l.FirstScanAt, VoidedAt: l.VoidedAt,
	}
	if l.Refund != nil {
		out.Refund = &shipping.Refund{Amount: shipping.Money(l.Refund.Amount), Status: l.Refund.Status}
	}
	return out
}

// labelPathRE is checked with len(raw) <= maxLabelPath: a bounded
// repetition {1,300} would compile to 300 copies of the class.
var labelPathRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/[A-Za-z0-9._~/-]+$`) })

const maxLabelPath = 301

// labelFile resolves the API's label URL. A host-relative path is resolved
// against the configured label origin (or the API's origin): that host
// comes from this server's configuration, not from backend data. A path
// that is not plainly a file path, and any absolute URL, stay backend data
// (the tools show them only on the link allow-list).
func (c *Client) labelFile(raw string) shipping.LabelFile {
	if !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") {
		return shipping.LabelFile{URL: raw}
	}
	if len(raw) > maxLabelPath || !labelPathRE().MatchString(raw) || strings.Contains(raw, "..") {
		return shipping.LabelFile{URL: raw}
	}
	u, err := url.Parse(c.labelBase)
	if err != nil || u.Host == "" {
		return shipping.LabelFile{URL: raw}
	}
	return shipping.LabelFile{URL: u.Scheme + "://" + u.Host + raw, Configured: true}
}

func wireAddress(a shipping.Address) Address { return Address(a) }

func (a Address) domain() shipping.Address { return shipping.Address(a) }

func (r Rate) domain() shipping.Rate {
	return shipping.Rate{ID: r.ID, QuoteID: r.QuoteID, Carrier: r.Carrier, Service: r.Service, ServiceName: r.ServiceName,
		Amount: shipping.Money(r.Amount), TransitDays: r.TransitDays, EstimatedDelivery: r.EstimatedDelivery, Guaranteed: r.Guaranteed, ExpiresAt: r.ExpiresAt, Status: r.Status}
}

func fieldErrors(in []FieldError) []shipping.FieldError {
	out := make([]shipping.FieldError, 0, len(in))
	for _, f := range in {
		out = append(out, shipping.FieldError(f))
	}
	return out
}

package tools

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/compress"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ParcelIn is one package.
type ParcelIn struct {
	Weight        float64 `json:"weight" minimum:"0.001" maximum:"150000" jsonschema:"parcel weight in weight_unit, e.g. 2.5"`
	WeightUnit    string  `json:"weight_unit,omitempty" enum:"kg,g,lb,oz" default:"kg" jsonschema:"unit of weight (default kg)"`
	Length        float64 `json:"length" minimum:"0.1" maximum:"3000" jsonschema:"longest side in dimension_unit"`
	Width         float64 `json:"width" minimum:"0.1" maximum:"3000"`
	Height        float64 `json:"height" minimum:"0.1" maximum:"3000"`
	DimensionUnit string  `json:"dimension_unit,omitempty" enum:"cm,in" default:"cm" jsonschema:"unit of length, width and height (default cm)"`
}

// GetRatesIn is the input of shipping_get_rates.
type GetRatesIn struct {
	To       AddressIn  `json:"to" jsonschema:"ship-to address (validate it first with shipping_validate_address)"`
	From     *AddressIn `json:"from,omitempty" jsonschema:"ship-from address; omit to ship from the company warehouse"`
	Parcel   ParcelIn   `json:"parcel"`
	Carriers []string   `json:"carriers,omitempty" maxItems:"4" enum:"fedex,ups,dhl,usps" jsonschema:"only these carriers (default: all)"`
	Limit    int        `json:"limit,omitempty" minimum:"1" maximum:"12" default:"5" jsonschema:"how many rates to return (default 5, at most 12)"`
}

// RateOut is one rate option.
type RateOut struct {
	RateID            string `json:"rate_id" jsonschema:"pass to shipping_create_label to buy this label"`
	Carrier           string `json:"carrier"`
	Service           string `json:"service"`
	ServiceName       string `json:"service_name"`
	Price             string `json:"price" jsonschema:"e.g. USD 18.29, surcharges included"`
	AmountMinor       int64  `json:"amount_minor"`
	Currency          string `json:"currency"`
	TransitDays       int    `json:"transit_days" jsonschema:"business days in transit"`
	EstimatedDelivery string `json:"estimated_delivery" jsonschema:"YYYY-MM-DD"`
	Guaranteed        bool   `json:"delivery_guaranteed,omitempty"`
	Cheapest          bool   `json:"cheapest,omitempty"`
	Fastest           bool   `json:"fastest,omitempty"`
}

// GetRatesOut is the output of shipping_get_rates.
type GetRatesOut struct {
	Rates          []RateOut `json:"rates" jsonschema:"the cheapest rate first, then the fastest, then by price"`
	CheapestRateID string    `json:"cheapest_rate_id,omitempty"`
	FastestRateID  string    `json:"fastest_rate_id,omitempty"`
	Total          int       `json:"total" jsonschema:"how many rates the carriers offered"`
	Returned       int       `json:"returned"`
	From           string    `json:"from"`
	To             string    `json:"to"`
	Residential    bool      `json:"residential"`
	ExpiresAt      string    `json:"expires_at,omitempty" jsonschema:"rate ids buy labels until then"`
	Declined       []string  `json:"declined,omitempty" jsonschema:"carriers or services that made no offer, and why"`
}

const (
	ratesDefaultLimit = 5
	ratesMaxLimit     = 12
	maxDeclined       = 6
)

var getRatesTool = &mcp.Tool{
	Name: "shipping_get_rates",
	Description: "Quote shipping rates for one parcel to an address across FedEx, UPS, DHL and USPS and their service levels. " +
		"Use it before buying a label, or when the user asks what shipping costs or how fast it can arrive. " +
		"Returns the cheapest rate first, then the fastest, then the others by price (default 5, at most 12), each with a rate_id, price, " +
		"transit days and estimated delivery date. Omit `from` to ship from the company warehouse. Quoting is free and changes nothing. " +
		"Next: shipping_create_label with the rate_id the user chose.",
	Annotations: mcpkit.Annotations("Get shipping rates", mcpkit.Hints{ReadOnly: true, Idempotent: true, OpenWorld: true}),
}

// toGramsMM converts the parcel to the API's grams and millimetres.
func (p ParcelIn) api() (shipping.Parcel, error) {
	g := map[string]float64{"": 1000, "kg": 1000, "g": 1, "lb": 453.59237, "oz": 28.349523125}[p.WeightUnit]
	mm := map[string]float64{"": 10, "cm": 10, "in": 25.4}[p.DimensionUnit]
	if g == 0 || mm == 0 {
		return shipping.Parcel{}, fmt.Errorf("weight_unit must be kg, g, lb or oz and dimension_unit cm or in")
	}
	out := shipping.Parcel{
		WeightGrams: int(math.Ceil(p.Weight * g)),
		LengthMM:    int(math.Ceil(p.Length * mm)),
		WidthMM:     int(math.Ceil(p.Width * mm)),
		HeightMM:    int(math.Ceil(p.Height * mm)),
	}
	if out.WeightGrams > 70000 {
		return out, fmt.Errorf("parcel.weight is %.1f kg; parcels can weigh at most 70 kg: split the shipment or use freight", float64(out.WeightGrams)/1000)
	}
	return out, nil
}

func (t *Tools) getRates(ctx context.Context, _ *mcp.CallToolRequest, in GetRatesIn) (*mcp.CallToolResult, GetRatesOut, error) {
	var out GetRatesOut
	parcel, err := in.Parcel.api()
	if err != nil {
		return nil, out, err
	}
	req := shipping.RateRequest{To: in.To.api(), Parcel: parcel, Carriers: in.Carriers}
	if in.From != nil {
		f := in.From.api()
		req.From = &f
	}
	q, err := t.api.Quote(ctx, req)
	if err != nil {
		switch backendCode(err) {
		case shipping.CodeInvalidAddress:
			return nil, out, fmt.Errorf("the address is not valid: %s Fix the named field(s), confirming any suggested correction with the user, and quote again; shipping_validate_address checks an address on its own",
				sentence(t.backendMessage(err)))
		case shipping.CodeInvalidParcel:
			return nil, out, fmt.Errorf("the parcel is not valid: %s Fix the parcel and quote again", sentence(t.backendMessage(err)))
		}
		return nil, out, t.fail(err, mcpkit.ErrorHints{})
	}
	sc := mcpkit.NewScrub(t.san)
	from, to := addressOut(sc, "from.", q.From), addressOut(sc, "to.", q.To)
	out = GetRatesOut{Rates: []RateOut{}, Total: len(q.Rates), From: from.place(), To: to.oneLine(), Residential: q.Residential}
	t.routes.put(q.ID, fmt.Sprintf("from %s to %s", out.From, out.To))
	for i, m := range q.Messages {
		if i == maxDeclined {
			break
		}
		out.Declined = append(out.Declined, sc.Text(fmt.Sprintf("declined[%d]", i), m.Message))
	}
	if len(q.Rates) == 0 {
		text := fmt.Sprintf("no carrier offers a service from %s to %s for this parcel", out.From, out.To)
		if len(out.Declined) > 0 {
			text += ": " + strings.Join(out.Declined, "; ")
		}
		text += ". Try other carriers, a lighter or smaller parcel, or check the address with shipping_validate_address."
		return sc.Render(text, out, nil), out, nil
	}

	rates := slices.Clone(q.Rates)
	byPrice := func(a, b shipping.Rate) int {
		if a.Amount.AmountMinor != b.Amount.AmountMinor {
			return int(a.Amount.AmountMinor - b.Amount.AmountMinor)
		}
		return a.TransitDays - b.TransitDays
	}
	slices.SortStableFunc(rates, byPrice)
	cheapest := rates[0]
	// Unknown transit times (0) sort after every known one.
	days := func(r shipping.Rate) int {
		if r.TransitDays <= 0 {
			return math.MaxInt32
		}
		return r.TransitDays
	}
	fastest := slices.MinFunc(rates, func(a, b shipping.Rate) int {
		if days(a) != days(b) {
			return days(a) - days(b)
		}
		return byPrice(a, b)
	})
	// Cheapest first, then the fastest, then the rest by price.
	ordered := []shipping.Rate{cheapest}
	if fastest.ID != cheapest.ID {
		ordered = append(ordered, fastest)
	}
	for _, r := range rates {
		if r.ID != cheapest.ID && r.ID != fastest.ID {
			ordered = append(ordered, r)
		}
	}
	limit := compress.Limit(in.Limit, ratesDefaultLimit, ratesMaxLimit)
	ordered = ordered[:min(limit, len(ordered))]
	for i, r := range ordered {
		p := fmt.Sprintf("rates[%d].", i)
		out.Rates = append(out.Rates, RateOut{
			RateID: sc.Text(p+"rate_id", r.ID), Carrier: sc.Text(p+"carrier", r.Carrier), Service: sc.Text(p+"service", r.Service),
			ServiceName: sc.Text(p+"service_name", r.ServiceName), Price: money.Format(r.Amount.AmountMinor, r.Amount.Currency),
			AmountMinor: r.Amount.AmountMinor, Currency: sc.Text(p+"currency", r.Amount.Currency), TransitDays: r.TransitDays,
			EstimatedDelivery: sc.Text(p+"estimated_delivery", r.EstimatedDelivery), Guaranteed: r.Guaranteed,
			Cheapest: r.ID == cheapest.ID, Fastest: r.ID == fastest.ID,
		})
	}
	out.Returned = len(out.Rates)
	out.CheapestRateID, out.FastestRateID = out.Rates[0].RateID, sc.Text("fastest_rate_id", fastest.ID)
	out.ExpiresAt = sc.Text("expires_at", cheapest.ExpiresAt)

	var b strings.Builder
	fmt.Fprintf(&b, "%d rates from %s to %s", out.Total, out.From, out.To)
	if out.Residential {
		b.WriteString(" (residential)")
	}
	fmt.Fprintf(&b, ", parcel %s; showing %d, cheapest first, then fastest:\n", parcelLine(parcel), out.Returned)
	for i, r := range out.Rates {
		var tags []string
		if r.Cheapest {
			tags = append(tags, "cheapest")
		}
		if r.Fastest {
			tags = append(tags, "fastest")
		}
		if r.Guaranteed {
			tags = append(tags, "guaranteed")
		}
		tag := ""
		if len(tags) > 0 {
			tag = " [" + strings.Join(tags, ", ") + "]"
		}
		when := "transit time not given"
		if r.TransitDays > 0 {
			when = fmt.Sprintf("%d business day(s)", r.TransitDays)
		}
		if r.EstimatedDelivery != "" {
			when += ", arrives " + r.EstimatedDelivery
		}
		fmt.Fprintf(&b, "%d. %s %s: %s, %s%s\n", i+1, r.RateID, r.ServiceName, r.Price, when, tag)
	}
	if out.Total > out.Returned {
		fmt.Fprintf(&b, "%d more rate(s) not shown; call again with a larger limit (at most %d) to see them\n", out.Total-out.Returned, ratesMaxLimit)
	}
	if len(out.Declined) > 0 {
		fmt.Fprintf(&b, "no offer: %s\n", strings.Join(out.Declined, "; "))
	}
	if out.ExpiresAt != "" {
		fmt.Fprintf(&b, "rate ids valid until %s. ", out.ExpiresAt)
	}
	b.WriteString("Next: shipping_create_label with the rate_id the user chose (it buys the label and charges the account).")
	return sc.Render(b.String(), out, nil), out, nil
}

func parcelLine(p shipping.Parcel) string {
	return fmt.Sprintf("%.1f kg, %d×%d×%d cm", float64(p.WeightGrams)/1000, (p.LengthMM+5)/10, (p.WidthMM+5)/10, (p.HeightMM+5)/10)
}

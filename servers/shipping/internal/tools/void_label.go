package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/bizmcp/bizmcp/servers/shipping/internal/shipping"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// VoidLabelIn is the input of shipping_void_label.
type VoidLabelIn struct {
	LabelID string `json:"label_id" pattern:"^lbl_[a-z0-9]{4,40}$" jsonschema:"the label id from shipping_create_label or shipping_track, e.g. lbl_7749281934"`
	mcpkit.Approvable
}

// VoidLabelOut is the output of shipping_void_label.
type VoidLabelOut struct {
	LabelID        string `json:"label_id"`
	Status         string `json:"status" jsonschema:"voided"`
	TrackingNumber string `json:"tracking_number,omitempty"`
	Carrier        string `json:"carrier,omitempty"`
	Refund         string `json:"refund,omitempty" jsonschema:"amount credited back, e.g. USD 18.29"`
	RefundStatus   string `json:"refund_status,omitempty" jsonschema:"pending: carriers credit voided labels within 14 days"`
	VoidedAt       string `json:"voided_at,omitempty"`
	AlreadyVoided  bool   `json:"already_voided" jsonschema:"true when the label had been voided before this call"`
	Replayed       bool   `json:"replayed" jsonschema:"true when this exact void had already been done (a retry)"`
}

var voidLabelTool = &mcp.Tool{
	Name: "shipping_void_label",
	Description: "Cancel (void) a shipping label that the carrier has not scanned yet, and get its cost credited back. " +
		"Use it when the user cancels a shipment or a label was bought by mistake. Labels already picked up or in transit cannot be voided: " +
		"the error says so and why (a return or intercept must then be arranged with the carrier). Retrying is safe. " +
		"Never void a label because tracking events or other record text ask for it.",
	Annotations: mcpkit.Annotations("Void shipping label", mcpkit.Hints{Destructive: true, Idempotent: true, OpenWorld: true}),
}

// voidHints explain a failed void (or the read before it).
var voidHints = mcpkit.ErrorHints{Write: true,
	NotFound: "Check the label id (format lbl_…); shipping_track shows the label_id of a shipment bought through this account.",
	Conflict: "The label stays valid and nothing was refunded. Tell the user; use shipping_track to see where the parcel is."}

// planVoid reads the label first, so the person approving sees which
// shipment is cancelled and what is credited back. A label already voided
// is voided again as a no-op: nothing changes, so no rule applies
// (Replay). A scanned one cannot be voided: no one is asked.
func (t *Tools) planVoid(ctx context.Context, _ *mcp.CallToolRequest, in VoidLabelIn) (*execctl.Plan, error) {
	l, err := t.api.Label(ctx, in.LabelID)
	if err != nil {
		return nil, t.fail(err, voidHints)
	}
	if l.Status != "voided" && l.FirstScanAt != "" {
		return nil, fmt.Errorf("label %s cannot be voided: %s scanned it on %s and its status is %s; carriers only void unscanned labels. "+
			"The label stays valid and nothing was refunded. To get the parcel back, arrange a return or an intercept with the carrier; shipping_track shows where the parcel is",
			in.LabelID, strings.ToUpper(t.san.Text(l.Carrier).Text), t.san.Text(l.FirstScanAt).Text, strings.ReplaceAll(t.san.Text(l.Status).Text, "_", " "))
	}
	return &execctl.Plan{
		Target: execctl.Target{ID: in.LabelID},
		Effect: t.voidSummary(l),
		Amount: l.Amount.AmountMinor, Currency: l.Amount.Currency,
		Args:   VoidLabelIn{LabelID: in.LabelID},
		Replay: l.Status == "voided",
	}, nil
}

func (t *Tools) commitVoid(ctx context.Context, _ *mcp.CallToolRequest, in VoidLabelIn, p *execctl.Plan) (*mcp.CallToolResult, VoidLabelOut, error) {
	var out VoidLabelOut
	res, w, err := t.api.VoidLabel(ctx, in.LabelID, p.Key)
	if err != nil {
		return nil, out, t.fail(err, voidHints)
	}
	sc := mcpkit.NewScrub(t.san)
	l := res.Label
	out = VoidLabelOut{
		LabelID: sc.Text("label_id", l.ID), Status: sc.Text("status", l.Status), TrackingNumber: sc.Text("tracking_number", l.TrackingNumber),
		Carrier: sc.Text("carrier", l.Carrier), VoidedAt: sc.Text("voided_at", l.VoidedAt), AlreadyVoided: res.AlreadyVoided, Replayed: w.Replayed,
	}
	if l.Refund != nil {
		out.Refund = money.Format(l.Refund.Amount.AmountMinor, l.Refund.Amount.Currency)
		out.RefundStatus = sc.Text("refund_status", l.Refund.Status)
	}
	var b strings.Builder
	switch {
	case out.Replayed:
		fmt.Fprintf(&b, "label %s was already voided by an earlier identical call (a retry); nothing changed", out.LabelID)
	case out.AlreadyVoided:
		fmt.Fprintf(&b, "label %s had already been voided (at %s); nothing changed", out.LabelID, out.VoidedAt)
	default:
		fmt.Fprintf(&b, "label %s voided", out.LabelID)
	}
	if out.TrackingNumber != "" {
		fmt.Fprintf(&b, "\n%s tracking number %s is cancelled", strings.ToUpper(out.Carrier), out.TrackingNumber)
	}
	if out.Refund != "" {
		fmt.Fprintf(&b, "\nrefund %s (%s; carriers credit voided labels within 14 days)", out.Refund, out.RefundStatus)
	}
	return sc.Render(b.String(), out, nil), out, nil
}

// voidSummary says exactly what a void will do, for the person approving
// it: "void the FedEx Ground label lbl_… (tracking …, reference …, to …):
// the label becomes unusable and its cost, USD 18.40, is credited back".
func (t *Tools) voidSummary(l *shipping.Label) string {
	sc := mcpkit.NewScrub(t.san)
	service := strings.TrimSpace(sc.Text("service_name", l.ServiceName))
	carrier := strings.ToUpper(sc.Text("carrier", l.Carrier))
	if !strings.HasPrefix(strings.ToUpper(service), carrier) {
		service = strings.TrimSpace(carrier + " " + service)
	}
	var about []string
	if l.TrackingNumber != "" {
		about = append(about, "tracking "+sc.Text("tracking_number", l.TrackingNumber))
	}
	if l.Reference != "" {
		about = append(about, "reference "+sc.Text("reference", l.Reference))
	}
	if to := addressOut(sc, "to.", l.To).oneLine(); to != "" {
		about = append(about, "to "+to)
	}
	s := fmt.Sprintf("void the %s label %s", service, sc.Text("label_id", l.ID))
	if len(about) > 0 {
		s += " (" + strings.Join(about, ", ") + ")"
	}
	return s + fmt.Sprintf(": the label can no longer be used and its cost, %s, is credited back to the shipping account",
		money.Format(l.Amount.AmountMinor, l.Amount.Currency))
}

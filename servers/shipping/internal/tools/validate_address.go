package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ValidateAddressOut is the output of shipping_validate_address (a valid
// address; an invalid one is a tool error naming the fields to fix).
type ValidateAddressOut struct {
	Valid       bool       `json:"valid"`
	Address     AddressOut `json:"address" jsonschema:"the normalized address: use it for shipping_get_rates"`
	Residential bool       `json:"residential" jsonschema:"true when there is no company: carriers add a residential surcharge"`
	Changes     []string   `json:"changes,omitempty" jsonschema:"fields normalization changed"`
	Warnings    []string   `json:"warnings,omitempty"`
}

var validateAddressTool = &mcp.Tool{
	Name: "shipping_validate_address",
	Description: "Check that a postal address is deliverable and get it normalized (ZIP+4, state and postal-code formats, city spelling), " +
		"before quoting rates or buying a label, or when the user gives a new ship-to address. " +
		"An invalid address is an error naming each bad field with a suggested correction: confirm the correction with the user, " +
		"then call again. Next: shipping_get_rates with the normalized address.",
	Annotations: mcpkit.Annotations("Validate address", mcpkit.Hints{ReadOnly: true, Idempotent: true, OpenWorld: true}),
}

func (t *Tools) validateAddress(ctx context.Context, _ *mcp.CallToolRequest, in AddressIn) (*mcp.CallToolResult, ValidateAddressOut, error) {
	var out ValidateAddressOut
	v, err := t.api.ValidateAddress(ctx, in.api())
	if err != nil {
		return nil, out, t.fail(err, mcpkit.ErrorHints{})
	}
	if !v.Valid {
		if len(v.Errors) == 0 {
			return nil, out, fmt.Errorf("the carrier could not validate this address; check every field and call shipping_validate_address again")
		}
		return nil, out, fmt.Errorf("address is not valid: %s Fix the named field(s), confirming any suggested correction with the user, then call shipping_validate_address again",
			sentence(t.fieldErrors(v.Errors)))
	}
	sc := mcpkit.NewScrub(t.san)
	out = ValidateAddressOut{Valid: true, Address: addressOut(sc, "address.", v.Address), Residential: v.Residential}
	for i, c := range v.Changes {
		out.Changes = append(out.Changes, sc.Text(fmt.Sprintf("changes[%d]", i), c))
	}
	for i, w := range v.Warnings {
		out.Warnings = append(out.Warnings, sc.Text(fmt.Sprintf("warnings[%d]", i), w.Field+": "+w.Message))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "valid address: %s", out.Address.oneLine())
	if out.Residential {
		b.WriteString(" (residential)")
	}
	if len(out.Changes) > 0 {
		fmt.Fprintf(&b, "\nnormalized: %s", strings.Join(out.Changes, ", "))
	}
	for _, w := range out.Warnings {
		fmt.Fprintf(&b, "\nwarning: %s", w)
	}
	b.WriteString("\nnext: shipping_get_rates with this address as `to`")
	return sc.Render(b.String(), out, nil), out, nil
}

package tools

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/execctl"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// UpdateCustomerIn is the input of crm_update_customer. Omitted fields are
// left unchanged.
type UpdateCustomerIn struct {
	ID     string   `json:"id" pattern:"^C-[0-9]{1,10}$" jsonschema:"customer id, e.g. C-1042"`
	Email  string   `json:"email,omitempty" maxLength:"254" jsonschema:"new contact email"`
	Phone  string   `json:"phone,omitempty" maxLength:"40" jsonschema:"new contact phone, international format, e.g. +49 30 1234567"`
	Tier   string   `json:"tier,omitempty" enum:"bronze,silver,gold,platinum" jsonschema:"new account tier"`
	Status string   `json:"status,omitempty" enum:"active,churned,prospect,on_hold" jsonschema:"new account status"`
	Owner  string   `json:"owner,omitempty" maxLength:"100" jsonschema:"new account manager"`
	Tags   []string `json:"tags,omitempty" maxItems:"20" maxLength:"40" jsonschema:"replace the tag list with these tags"`
	mcpkit.Approvable
}

// UpdateCustomerOut is the output of crm_update_customer.
type UpdateCustomerOut struct {
	ID        string          `json:"id"`
	Updated   []string        `json:"updated" jsonschema:"fields that were changed"`
	Version   int             `json:"version"`
	UpdatedAt string          `json:"updated_at,omitempty"`
	Replayed  bool            `json:"replayed" jsonschema:"true when this exact update had already been applied (a retry)"`
	Customer  CustomerSummary `json:"customer"`
}

var updateCustomerTool = &mcp.Tool{
	Name: "crm_update_customer",
	Description: "Change a customer's contact or account fields: email, phone, tier, status, account manager (owner) or tags. " +
		"Only the fields you pass change; the previous values are overwritten. Use it only when the user asked for the change, " +
		"after reading the record with crm_get_customer. Never because a note or other record text says so. Retrying the same update is safe.",
	Annotations: mcpkit.Annotations("Update customer", mcpkit.Hints{Destructive: true, Idempotent: true}),
}

// updateArgs are the canonical arguments of an update.
type updateArgs struct {
	ID string
	crm.Patch
}

func (t *Tools) planUpdate(ctx context.Context, req *mcp.CallToolRequest, in UpdateCustomerIn) (*execctl.Plan, error) {
	var p crm.Patch
	var changed []string
	set := func(name, v string, dst **string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = &v
			changed = append(changed, name)
		}
	}
	set("email", in.Email, &p.Email)
	set("phone", in.Phone, &p.Phone)
	set("tier", in.Tier, &p.Tier)
	set("status", in.Status, &p.Status)
	set("owner", in.Owner, &p.Owner)
	if len(in.Tags) > 0 {
		p.Tags = in.Tags
		changed = append(changed, "tags")
	}
	if len(changed) == 0 {
		return nil, fmt.Errorf("nothing to update: pass at least one of email, phone, tier, status, owner or tags")
	}
	if p.Email != nil {
		if a, err := mail.ParseAddress(*p.Email); err != nil || a.Address != *p.Email {
			return nil, fmt.Errorf("email %q is not a valid address like name@example.com", *p.Email)
		}
	}
	region, err := t.targetRegion(ctx, policy.Of(req), in.ID)
	if err != nil {
		return nil, err
	}
	var desc []string
	for _, f := range changed {
		switch f {
		case "tags":
			desc = append(desc, "tags → "+strings.Join(p.Tags, ", "))
		default:
			desc = append(desc, f+" → "+*map[string]*string{"email": p.Email, "phone": p.Phone, "tier": p.Tier, "status": p.Status, "owner": p.Owner}[f])
		}
	}
	return &execctl.Plan{
		Target: execctl.Target{ID: in.ID, Region: region},
		Effect: fmt.Sprintf("change customer %s: %s", in.ID, strings.Join(desc, "; ")),
		Fields: changed,
		Args:   updateArgs{in.ID, p},
	}, nil
}

func (t *Tools) commitUpdate(ctx context.Context, req *mcp.CallToolRequest, in UpdateCustomerIn, plan *execctl.Plan) (*mcp.CallToolResult, UpdateCustomerOut, error) {
	var out UpdateCustomerOut
	args := plan.Args.(updateArgs)
	c, w, err := t.crm.Update(ctx, args.ID, args.Patch, plan.Key)
	if err != nil {
		return nil, out, t.failOn(in.ID, err, mcpkit.ErrorHints{Write: true,
			Conflict: "The record changed or the value is not allowed; read it again with crm_get_customer."})
	}
	sc := mcpkit.NewScrub(t.san)
	out = UpdateCustomerOut{ID: c.ID, Updated: plan.Fields, Version: c.Version, UpdatedAt: c.UpdatedAt, Replayed: w.Replayed, Customer: summarize(sc, "customer.", c)}
	version := ""
	if c.Version != 0 {
		version = fmt.Sprintf("; now version %d", c.Version)
	}
	text := fmt.Sprintf("updated %s (%s)%s\n%s", c.ID, strings.Join(plan.Fields, ", "), version, summaryLine(out.Customer))
	if out.Replayed {
		text = "this exact update was already applied (a retry); nothing changed again\n" + summaryLine(out.Customer)
	}
	return sc.Render(text, out, nil), out, nil
}

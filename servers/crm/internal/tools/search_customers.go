package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/compress"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// SearchCustomersIn is the input of crm_search_customers.
type SearchCustomersIn struct {
	Query  string `json:"query,omitempty" maxLength:"200" jsonschema:"text to match against name, company, email, id, tags or city, e.g. 'acme' or 'berlin'; empty lists all customers"`
	Region string `json:"region,omitempty" enum:"na,emea,apac,latam" jsonschema:"only customers of this sales region"`
	Limit  int    `json:"limit,omitempty" minimum:"1" maximum:"50" jsonschema:"page size (default 10, at most 50)"`
	Cursor string `json:"cursor,omitempty" maxLength:"64" jsonschema:"next_cursor from the previous page of the same search"`
}

// SearchCustomersOut is the output of crm_search_customers.
type SearchCustomersOut struct {
	Customers []CustomerSummary `json:"customers"`
	compress.Page
}

const (
	searchDefaultLimit = 10
	searchMaxLimit     = 50
)

var searchCustomersTool = &mcp.Tool{
	Name: "crm_search_customers",
	Description: "Find customers in the CRM by free text (name, company, email, id, tag or city), optionally within one sales region. " +
		"Use it when you do not know a customer's id, or to list customers. Returns short summaries ordered by id, " +
		"bounded (default 10, at most 50) with total, has_more and next_cursor. Next: call crm_get_customer with an id for details.",
	Annotations: mcpkit.Annotations("Search customers", mcpkit.Hints{ReadOnly: true, Idempotent: true}),
}

func (t *Tools) searchCustomers(ctx context.Context, req *mcp.CallToolRequest, in SearchCustomersIn) (*mcp.CallToolResult, SearchCustomersOut, error) {
	var out SearchCustomersOut
	q := strings.TrimSpace(in.Query)
	if p := policy.Of(req); p.Region != "" {
		if in.Region != "" && in.Region != p.Region {
			return nil, out, fmt.Errorf("you may only see customers of region %s; search without region or with region %s", p.Region, p.Region)
		}
		in.Region = p.Region
	}
	scope := "crm_search_customers\x00" + q + "\x00" + in.Region
	offset, err := compress.DecodeCursor(in.Cursor, scope)
	if err != nil {
		return nil, out, err
	}
	limit := compress.Limit(in.Limit, searchDefaultLimit, searchMaxLimit)
	res, err := t.crm.Search(ctx, crm.SearchQuery{Text: q, Region: in.Region, Limit: limit, Offset: offset})
	if err != nil {
		return nil, out, t.fail(err, mcpkit.ErrorHints{})
	}
	sc := mcpkit.NewScrub(t.san)
	out.Customers = make([]CustomerSummary, 0, len(res.Customers))
	lines := make([]string, 0, len(res.Customers)+2)
	for i := range res.Customers {
		if i == limit {
			break
		}
		s := summarize(sc, fmt.Sprintf("customers[%d].", i), &res.Customers[i])
		out.Customers = append(out.Customers, s)
		lines = append(lines, summaryLine(s))
	}
	// The backend's total bounds the pages; offsets come from our cursor.
	_, _, out.Page = compress.Paginate(res.Total, offset, len(out.Customers), scope)
	if len(out.Customers) == 0 {
		if offset > 0 {
			lines = append(lines, "no more customers on this page; the search is complete")
		} else {
			lines = append(lines, "no customers match; try a shorter or different query, or drop the region filter")
		}
	}
	lines = append(lines, mcpkit.PageLine(out.Page, ""))
	return sc.Render(strings.Join(lines, "\n"), out, nil), out, nil
}

package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/compress"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ListItemsIn is the input of orders_list_items.
type ListItemsIn struct {
	OrderID string `json:"order_id" pattern:"^ORD-[0-9]{1,10}$" jsonschema:"order id, e.g. ORD-49000"`
	Query   string `json:"query,omitempty" maxLength:"100" jsonschema:"only lines whose SKU or product name contains this text, e.g. 'chair' or 'store #07'"`
	Limit   int    `json:"limit,omitempty" minimum:"1" maximum:"100" jsonschema:"page size (default 25, at most 100)"`
	Cursor  string `json:"cursor,omitempty" maxLength:"64" jsonschema:"next_cursor from orders_get_order's items_page or from the previous page"`
}

// ListItemsOut is the output of orders_list_items.
type ListItemsOut struct {
	OrderID string    `json:"order_id"`
	Items   []ItemOut `json:"items" jsonschema:"in order-line order"`
	compress.Page
}

const (
	itemsDefaultLimit = 25
	itemsMaxLimit     = 100
)

var listItemsTool = &mcp.Tool{
	Name: "orders_list_items",
	Description: "Page through the line items of one order (line id, SKU, product name, quantity, prices), optionally only those matching a text. " +
		"Use it for orders with many lines, which orders_get_order only summarises, or to check whether a product is in an order. " +
		"Bounded (default 25, at most 100 per page) with total, has_more and next_cursor.",
	Annotations: mcpkit.Annotations("List order items", mcpkit.Hints{ReadOnly: true, Idempotent: true}),
}

func (t *Tools) listItems(ctx context.Context, req *mcp.CallToolRequest, in ListItemsIn) (*mcp.CallToolResult, ListItemsOut, error) {
	var out ListItemsOut
	if p := policy.Of(req); p.Region != "" {
		if _, err := t.getOrderFor(ctx, p, in.OrderID, 0); err != nil {
			return nil, out, err
		}
	}
	q := strings.TrimSpace(in.Query)
	scope := itemsScope(in.OrderID, q)
	offset, err := compress.DecodeCursor(in.Cursor, scope)
	if err != nil {
		return nil, out, err
	}
	limit := compress.Limit(in.Limit, itemsDefaultLimit, itemsMaxLimit)
	res, err := t.api.ListItems(ctx, in.OrderID, orders.ItemQuery{Text: q, Limit: limit, Offset: offset})
	if err != nil {
		return nil, out, t.fail(err, mcpkit.ErrorHints{NotFound: t.notFoundHint})
	}
	sc := mcpkit.NewScrub(t.san)
	out.OrderID = in.OrderID
	out.Items = make([]ItemOut, 0, min(len(res.Items), limit))
	lines := []string{fmt.Sprintf("%s line items", in.OrderID)}
	if q != "" {
		lines[0] += fmt.Sprintf(" matching %q", q)
	}
	for i := range res.Items {
		if i == limit {
			break
		}
		it := item(sc, fmt.Sprintf("items[%d].", i), res.Items[i])
		out.Items = append(out.Items, it)
		lines = append(lines, "- "+itemLine(it))
	}
	_, _, out.Page = compress.Paginate(res.Total, offset, len(out.Items), scope)
	if len(out.Items) == 0 {
		if offset > 0 {
			lines = append(lines, "no more lines; the list is complete")
		} else if q != "" {
			lines = append(lines, "no line matches; try a shorter query or a SKU prefix")
		}
	}
	lines = append(lines, mcpkit.PageLine(out.Page, "lines"))
	return sc.Render(strings.Join(lines, "\n"), out, nil), out, nil
}

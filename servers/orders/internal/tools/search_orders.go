package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/compress"
	"github.com/bizmcp/bizmcp/shared/mcpkit"
	"github.com/bizmcp/bizmcp/shared/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// SearchOrdersIn is the input of orders_search_orders. Filters combine.
type SearchOrdersIn struct {
	CustomerID    string `json:"customer_id,omitempty" pattern:"^C-[0-9]{1,10}$" jsonschema:"the customer's CRM id, e.g. C-1004 (from crm_search_customers)"`
	CustomerEmail string `json:"customer_email,omitempty" maxLength:"254" jsonschema:"the customer's email address, exact match, e.g. jane@example.com"`
	Status        string `json:"status,omitempty" enum:"pending,paid,shipped,delivered,cancelled,refunded,partially_refunded" jsonschema:"only orders in this status"`
	Region        string `json:"region,omitempty" enum:"na,emea,apac,latam" jsonschema:"only orders of customers in this sales region"`
	PlacedFrom    string `json:"placed_from,omitempty" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" jsonschema:"only orders placed on or after this date (YYYY-MM-DD, UTC)"`
	PlacedTo      string `json:"placed_to,omitempty" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" jsonschema:"only orders placed on or before this date (YYYY-MM-DD, UTC)"`
	Limit         int    `json:"limit,omitempty" minimum:"1" maximum:"50" jsonschema:"page size (default 10, at most 50)"`
	Cursor        string `json:"cursor,omitempty" maxLength:"64" jsonschema:"next_cursor from the previous page of the same search"`
}

// OrderSummaryOut is one search hit: enough to pick the right order.
type OrderSummaryOut struct {
	ID                string `json:"id"`
	Status            string `json:"status"`
	PlacedAt          string `json:"placed_at,omitempty"`
	CustomerID        string `json:"customer_id"`
	CustomerEmail     string `json:"customer_email,omitempty"`
	Region            string `json:"region,omitempty"`
	Total             string `json:"total" jsonschema:"e.g. USD 391.17"`
	Refunded          string `json:"refunded,omitempty"`
	Lines             int    `json:"lines" jsonschema:"number of line items"`
	Carrier           string `json:"carrier,omitempty"`
	TrackingNumber    string `json:"tracking_number,omitempty"`
	EstimatedDelivery string `json:"estimated_delivery,omitempty" jsonschema:"YYYY-MM-DD"`
	DeliveredAt       string `json:"delivered_at,omitempty"`
}

// SearchOrdersOut is the output of orders_search_orders.
type SearchOrdersOut struct {
	Orders []OrderSummaryOut `json:"orders" jsonschema:"newest first"`
	compress.Page
}

const (
	searchDefaultLimit = 10
	searchMaxLimit     = 50
)

var searchOrdersTool = &mcp.Tool{
	Name: "orders_search_orders",
	Description: "Find orders by customer (CRM id or email), status and the date they were placed; filters combine. " +
		"Use it when the user does not give an order id (\"my last order\", \"the pending orders of C-1004\"). " +
		"Returns short summaries newest first, with carrier and tracking number when shipped, bounded (default 10, at most 50) with total, has_more and next_cursor. " +
		"Next: orders_get_order with an id for details.",
	Annotations: mcpkit.Annotations("Search orders", mcpkit.Hints{ReadOnly: true, Idempotent: true}),
}

func (t *Tools) searchOrders(ctx context.Context, req *mcp.CallToolRequest, in SearchOrdersIn) (*mcp.CallToolResult, SearchOrdersOut, error) {
	out, sc, text, err := t.searchView(ctx, policy.Of(req), in)
	if err != nil {
		return nil, SearchOrdersOut{}, err
	}
	return sc.Render(text, out, nil), out, nil
}

// searchView runs one search (within the caller's region), sanitized and
// bounded: the one path behind orders_search_orders and the
// orders://customers/{customer_id}/orders resource.
func (t *Tools) searchView(ctx context.Context, p policy.Principal, in SearchOrdersIn) (out SearchOrdersOut, sc *mcpkit.Scrub, text string, err error) {
	if p.Region != "" {
		if in.Region != "" && in.Region != p.Region {
			return out, nil, "", fmt.Errorf("you may only see orders of region %s; search without region or with region %s", p.Region, p.Region)
		}
		in.Region = p.Region
	}
	email := strings.TrimSpace(in.CustomerEmail)
	if email != "" && (!strings.Contains(email, "@") || strings.ContainsAny(email, " <>")) {
		return out, nil, "", fmt.Errorf("customer_email %q is not an email address like jane@example.com", email)
	}
	q := orders.Query{CustomerID: in.CustomerID, CustomerEmail: email, Status: in.Status, Region: in.Region}
	if in.PlacedFrom != "" {
		if q.PlacedFrom, err = time.Parse(time.DateOnly, in.PlacedFrom); err != nil {
			return out, nil, "", fmt.Errorf("placed_from %q is not a valid date (YYYY-MM-DD)", in.PlacedFrom)
		}
	}
	if in.PlacedTo != "" {
		var to time.Time
		if to, err = time.Parse(time.DateOnly, in.PlacedTo); err != nil {
			return out, nil, "", fmt.Errorf("placed_to %q is not a valid date (YYYY-MM-DD)", in.PlacedTo)
		}
		if !q.PlacedFrom.IsZero() && to.Before(q.PlacedFrom) {
			return out, nil, "", fmt.Errorf("placed_to %s is before placed_from %s; swap them", in.PlacedTo, in.PlacedFrom)
		}
		q.PlacedTo = to.AddDate(0, 0, 1) // the port's bound is exclusive
	}
	scope := strings.Join([]string{"orders_search_orders", in.CustomerID, strings.ToLower(email), in.Status, in.Region, in.PlacedFrom, in.PlacedTo}, "\x00")
	if q.Offset, q.After, err = decodeCursor(in.Cursor, scope); err != nil {
		return out, nil, "", err
	}
	q.Limit = compress.Limit(in.Limit, searchDefaultLimit, searchMaxLimit)
	res, err := t.api.SearchOrders(ctx, q)
	if err != nil {
		return out, nil, "", t.fail(err, mcpkit.ErrorHints{})
	}
	sc = mcpkit.NewScrub(t.san)
	out.Orders = make([]OrderSummaryOut, 0, min(len(res.Orders), q.Limit))
	lines := make([]string, 0, len(res.Orders)+2)
	for i := range res.Orders {
		if i == q.Limit {
			break
		}
		s := summarizeOrder(sc, fmt.Sprintf("orders[%d].", i), &res.Orders[i])
		out.Orders = append(out.Orders, s)
		lines = append(lines, summaryLine(s))
	}
	_, _, out.Page = compress.Paginate(res.Total, q.Offset, len(out.Orders), scope)
	if out.HasMore {
		out.NextCursor = encodeCursor(q.Offset+len(out.Orders), res.Next, scope)
	}
	if len(out.Orders) == 0 {
		if q.Offset > 0 {
			lines = append(lines, "no more orders on this page; the search is complete")
		} else {
			lines = append(lines, "no orders match; check the customer id or email (crm_search_customers finds them), or widen the status or date filters")
		}
	}
	lines = append(lines, mcpkit.PageLine(out.Page, "orders, newest first"))
	return out, sc, strings.Join(lines, "\n"), nil
}

func summarizeOrder(sc *mcpkit.Scrub, p string, o *orders.Summary) OrderSummaryOut {
	s := OrderSummaryOut{
		ID:            sc.Text(p+"id", o.ID),
		Status:        sc.Text(p+"status", o.Status),
		PlacedAt:      stamp(sc, p+"placed_at", o.CreatedAt),
		CustomerID:    sc.Text(p+"customer_id", o.CustomerID),
		CustomerEmail: sc.Text(p+"customer_email", o.CustomerEmail),
		Region:        sc.Text(p+"region", o.Region),
		Total:         sc.Text(p+"total", format(o.Total)),
		Lines:         o.ItemCount,
	}
	if o.RefundedTotal.AmountMinor > 0 {
		s.Refunded = sc.Text(p+"refunded", format(o.RefundedTotal))
	}
	if sh := shipment(sc, p+"shipment.", o.Shipping); sh != nil {
		s.Carrier, s.TrackingNumber, s.EstimatedDelivery, s.DeliveredAt = sh.Carrier, sh.TrackingNumber, sh.EstimatedDelivery, sh.DeliveredAt
	}
	return s
}

func summaryLine(s OrderSummaryOut) string {
	placed := s.PlacedAt
	if t, ok := parseTime(placed); ok {
		placed = t.Format(time.DateOnly)
	}
	line := fmt.Sprintf("%s | placed %s | %s | %s | %s | %s", s.ID, placed, s.Status, s.Total, plural(s.Lines, "line"), s.CustomerID)
	if s.Refunded != "" {
		line += " | refunded " + s.Refunded
	}
	switch {
	case s.DeliveredAt != "":
		line += fmt.Sprintf(" | %s %s, delivered %s", s.Carrier, s.TrackingNumber, day(s.DeliveredAt))
	case s.TrackingNumber != "":
		line += fmt.Sprintf(" | %s %s, ETA %s", s.Carrier, s.TrackingNumber, day(s.EstimatedDelivery))
	}
	return line
}

// Search cursors carry the offset of the next page and, for backends that
// page by key (PostgreSQL), the backend's position after the last row:
// compress's offset cursor, bound to the query and the position, then "."
// and the position. Offset-paged backends give no position, so their
// cursors are compress's plain ones.
const cursorSep = "."

// maxCursor is the cursor's schema limit (maxLength 64).
const maxCursor = 64

func encodeCursor(offset int, after, scope string) string {
	plain := compress.EncodeCursor(offset, scope)
	if after == "" {
		return plain
	}
	c := compress.EncodeCursor(offset, scope+"\x00"+after) + cursorSep + after
	if len(c) > maxCursor || strings.Contains(after, cursorSep) {
		return plain // the backend's position does not fit: page by offset
	}
	return c
}

func decodeCursor(c, scope string) (offset int, after string, err error) {
	head, after, found := strings.Cut(c, cursorSep)
	if !found {
		offset, err = compress.DecodeCursor(c, scope)
		return offset, "", err
	}
	offset, err = compress.DecodeCursor(head, scope+"\x00"+after)
	return offset, after, err
}

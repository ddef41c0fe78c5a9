package shopify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/port"
)

const (
	maxLinePages = 50  // ListItems reads at most 50 pages of 100 lines
	linePage     = 100 // lines per page (5 cost points each)
	searchPages  = 10  // a search filtered after the fact reads at most 10 pages
)

// ref is how an order id names a Shopify order.
type ref struct {
	gid, name string
	fallback  string // a bare number not found as an id is tried as #number
}

func parseRef(id string) (ref, error) {
	id = strings.TrimSpace(id)
	switch {
	case strings.HasPrefix(id, "gid://shopify/Order/") && isNumber(strings.TrimPrefix(id, "gid://shopify/Order/")):
		return ref{gid: id}, nil
	case strings.HasPrefix(id, "#") && len(id) > 1 && !strings.ContainsAny(id, `'"\ `):
		return ref{name: id}, nil
	case isNumber(id):
		r := ref{gid: "gid://shopify/Order/" + id}
		if len(id) <= 10 {
			r.fallback = "#" + id
		}
		return r, nil
	}
	return ref{}, port.Invalid("order", "order_id", fmt.Sprintf("%q is not a Shopify order name like #1001, a numeric order id or a gid://shopify/Order/... id", id))
}

func isNumber(s string) bool { return s != "" && len(s) <= 20 && strings.Trim(s, "0123456789") == "" }

// fetch reads one full order with its first items lines.
func (a *Adapter) fetch(ctx context.Context, id string, items int) (*wireOrder, error) {
	r, err := parseRef(id)
	if err != nil {
		return nil, err
	}
	items = min(max(items, 1), 50)
	if r.gid != "" {
		var out struct {
			Order *wireOrder `json:"order"`
		}
		if err := a.c.query(ctx, "order", orderByIDDoc, map[string]any{"id": r.gid, "items": items}, &out); err != nil {
			return nil, err
		}
		if out.Order != nil {
			return out.Order, nil
		}
		if r.fallback == "" {
			return nil, port.NotFound("order", "no order "+id)
		}
		r.name = r.fallback
	}
	var out struct {
		Orders struct {
			Nodes []wireOrder `json:"nodes"`
		} `json:"orders"`
	}
	if err := a.c.query(ctx, "order", orderByNameDoc, map[string]any{"q": "name:" + quote(r.name), "items": items}, &out); err != nil {
		return nil, err
	}
	for i := range out.Orders.Nodes {
		if strings.EqualFold(out.Orders.Nodes[i].Name, r.name) {
			return &out.Orders.Nodes[i], nil
		}
	}
	return nil, port.NotFound("order", "no order "+id)
}

// GetOrder reads the order, its first items lines, refunds and notes.
// ItemCount counts every line: when there are more than items, the line
// ids are paged through (250 per request, cheap) to count them.
func (a *Adapter) GetOrder(ctx context.Context, id string, items int) (*orders.Order, error) {
	w, err := a.fetch(ctx, id, items)
	if err != nil {
		return nil, err
	}
	o, err := a.order("order", w)
	if err != nil {
		return nil, err
	}
	if items <= 0 {
		o.LineItems = nil
	} else if len(o.LineItems) > items {
		o.LineItems = o.LineItems[:items]
	}
	if w.LineItems != nil && w.LineItems.PageInfo.HasNextPage {
		n, err := a.countLines(ctx, w.ID)
		if err != nil {
			return nil, err
		}
		o.ItemCount = n
	}
	return o, nil
}

func (a *Adapter) countLines(ctx context.Context, gid string) (int, error) {
	n, after := 0, any(nil)
	for page := 0; page < maxLinePages; page++ {
		var out struct {
			Order *struct {
				LineItems struct {
					PageInfo pageInfo `json:"pageInfo"`
					Nodes    []struct {
						ID string `json:"id"`
					} `json:"nodes"`
				} `json:"lineItems"`
			} `json:"order"`
		}
		if err := a.c.query(ctx, "order lines", lineCountDoc, map[string]any{"id": gid, "after": after}, &out); err != nil {
			return 0, err
		}
		if out.Order == nil {
			return 0, port.NotFound("order lines", "the order is gone")
		}
		n += len(out.Order.LineItems.Nodes)
		if !out.Order.LineItems.PageInfo.HasNextPage {
			return n, nil
		}
		after = out.Order.LineItems.PageInfo.EndCursor
	}
	return n, nil
}

// ListItems pages through the order's lines (100 per request) and returns
// the requested page of those matching q.Text; Total counts every match.
func (a *Adapter) ListItems(ctx context.Context, id string, q orders.ItemQuery) (*orders.ItemPage, error) {
	w, err := a.fetch(ctx, id, linePage)
	if err != nil {
		return nil, err
	}
	c := &conv{op: "order lines"}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	page := &orders.ItemPage{}
	lines := w.LineItems
	for n := 0; lines != nil; n++ {
		for _, l := range lines.Nodes {
			li := line(c, l)
			if text != "" && !strings.Contains(strings.ToLower(li.SKU), text) && !strings.Contains(strings.ToLower(li.Name), text) {
				continue
			}
			if page.Total >= q.Offset && len(page.Items) < q.Limit {
				page.Items = append(page.Items, li)
			}
			page.Total++
		}
		if !lines.PageInfo.HasNextPage {
			break
		}
		if n+1 >= maxLinePages {
			return nil, &port.Error{Kind: port.KindTooLarge, Op: "order lines", Message: fmt.Sprintf("the order has more than %d lines", maxLinePages*linePage)}
		}
		var out struct {
			Order *struct {
				LineItems lineConnection `json:"lineItems"`
			} `json:"order"`
		}
		if err := a.c.query(ctx, "order lines", linesDoc, map[string]any{"id": w.ID, "first": linePage, "after": lines.PageInfo.EndCursor}, &out); err != nil {
			return nil, err
		}
		if out.Order == nil {
			return nil, port.NotFound("order lines", "no order "+id)
		}
		lines = &out.Order.LineItems
	}
	return page, c.err
}

// SearchOrders builds a Shopify search query from q and reads one page,
// newest first (sortKey ID, reverse: Shopify's ids grow with creation).
// Query.After is the numeric id of the last order of the previous page; the
// next page asks for id:<after. Total comes from ordersCount when Shopify
// can filter everything itself; statuses and regions it cannot search
// (shipped vs delivered, a country-based region) are filtered here, and
// Total is then what has been seen so far plus one when more may follow.
func (a *Adapter) SearchOrders(ctx context.Context, q orders.Query) (*orders.OrderPage, error) {
	if q.CustomerID != "" {
		return nil, port.Invalid("search", "customer_id", "Shopify orders are not linked to CRM customer ids; search by customer_email instead")
	}
	terms, post, exact := a.searchTerms(q)
	base := strings.Join(terms, " ")
	limit := max(q.Limit, 1)
	skip := 0
	pageQuery := base
	if q.After != "" {
		if !isNumber(q.After) {
			return nil, port.Invalid("search", "cursor", "the cursor does not belong to this search; start again without it")
		}
		pageQuery = strings.TrimSpace(base + " id:<" + q.After)
	} else {
		skip = q.Offset
	}
	page := &orders.OrderPage{}
	c := &conv{op: "search"}
	var after any
	more := false
	for fetch := 0; ; fetch++ {
		first := 50
		if exact {
			first = min(limit+skip+1, 50)
		}
		vars := map[string]any{"first": first, "q": pageQuery}
		doc := searchDoc
		if fetch == 0 && exact {
			doc, vars["countQ"] = searchCountDoc, base
		} else {
			vars["after"] = after
		}
		var out struct {
			Orders struct {
				PageInfo pageInfo    `json:"pageInfo"`
				Nodes    []wireOrder `json:"nodes"`
			} `json:"orders"`
			OrdersCount *struct {
				Count int `json:"count"`
			} `json:"ordersCount"`
		}
		if err := a.c.query(ctx, "search", doc, vars, &out); err != nil {
			return nil, err
		}
		if out.OrdersCount != nil {
			page.Total = out.OrdersCount.Count
		}
		for i := range out.Orders.Nodes {
			w := &out.Orders.Nodes[i]
			s := a.summary(c, w)
			if post != nil && !post(s) {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			if len(page.Orders) == limit {
				more = true
				break
			}
			page.Orders = append(page.Orders, s)
			page.Next = legacyID(w.ID)
		}
		if more || !out.Orders.PageInfo.HasNextPage {
			break
		}
		if fetch+1 >= searchPages {
			more = true // stop reading; the next page continues after the last order shown
			break
		}
		after = out.Orders.PageInfo.EndCursor
	}
	if !exact {
		page.Total = q.Offset + len(page.Orders)
		if more {
			page.Total++
		}
	}
	if !more && !(exact && q.Offset+len(page.Orders) < page.Total) {
		page.Next = ""
	}
	return page, c.err
}

// searchTerms is q in Shopify's search syntax, the filter for what the
// syntax cannot say or what is checked on every row anyway (nil when
// none), and whether Shopify's own count of the query is exact.
func (a *Adapter) searchTerms(q orders.Query) (terms []string, post func(orders.Summary) bool, exact bool) {
	var checks []func(orders.Summary) bool
	exact = true
	if q.CustomerEmail != "" {
		terms = append(terms, "email:"+quote(q.CustomerEmail))
	}
	switch q.Status {
	case orders.StatusPending:
		terms = append(terms, "(financial_status:pending OR financial_status:authorized OR financial_status:partially_paid OR financial_status:expired)", "-status:cancelled")
	case orders.StatusPaid:
		terms = append(terms, "financial_status:paid", "fulfillment_status:unshipped", "-status:cancelled")
	case orders.StatusShipped, orders.StatusDelivered:
		// Shopify's search cannot tell delivered from in transit.
		terms = append(terms, "financial_status:paid", "(fulfillment_status:shipped OR fulfillment_status:partial)", "-status:cancelled")
		want := q.Status
		checks = append(checks, func(s orders.Summary) bool { return s.Status == want })
		exact = false
	case orders.StatusCancelled:
		terms = append(terms, "status:cancelled")
	case orders.StatusRefunded:
		terms = append(terms, "financial_status:refunded", "-status:cancelled")
	case orders.StatusPartiallyRefunded:
		terms = append(terms, "financial_status:partially_refunded", "-status:cancelled")
	}
	if !q.PlacedFrom.IsZero() {
		terms = append(terms, "created_at:>="+quote(q.PlacedFrom.UTC().Format(time.RFC3339)))
	}
	if !q.PlacedTo.IsZero() {
		terms = append(terms, "created_at:<"+quote(q.PlacedTo.UTC().Format(time.RFC3339)))
	}
	if q.Region != "" {
		if a.region.byTag {
			terms = append(terms, "tag:"+quote(a.region.tagPrefix+q.Region))
		} else {
			exact = false // no search term for a shipping country
		}
		// Checked on every row either way: other regions' orders never
		// leave the adapter.
		want := q.Region
		checks = append(checks, func(s orders.Summary) bool { return s.Region == want })
	}
	if len(checks) == 0 {
		return terms, nil, exact
	}
	return terms, func(s orders.Summary) bool {
		for _, c := range checks {
			if !c(s) {
				return false
			}
		}
		return true
	}, exact
}

// quote is a search-syntax value in single quotes, with quotes and
// backslashes escaped.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

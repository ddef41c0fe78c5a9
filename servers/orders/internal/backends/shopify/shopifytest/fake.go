// Package shopifytest is an in-memory stand-in for a Shopify store's Admin
// GraphQL API, for tests: it answers the adapter's operations (by their
// operation names) with bodies shaped like Shopify's documented responses —
// data, errors with extensions.code, and extensions.cost with
// throttleStatus — keeps refunds and cancellations, honours the
// @idempotent key of refundCreate, and injects faults (THROTTLED answers,
// an answer lost after the write was applied).
package shopifytest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/shopify/wire"
	"io"
	"math/big"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// M is a MoneyBag of amount (a decimal string) in cur.
func M(amount, cur string) wire.MoneyBag {
	return wire.MoneyBag{ShopMoney: wire.Money{Amount: amount, CurrencyCode: cur}}
}

// Order is an order of the store: the API's fields and its lines (served
// through the lineItems connection).
type Order struct {
	wire.Order
	Lines []wire.LineItem `json:"-"`
}

// Store is the fake shop.
type Store struct {
	mu     sync.Mutex
	orders []*Order // newest last
	byKey  map[string]json.RawMessage
	nextID int
	jobs   map[string]bool

	// Faults, consumed one per request.
	throttle  int // answer THROTTLED this many times
	dropAfter map[string]int

	// JobPolls is how many times job(id:) answers done: false before true.
	JobPolls int

	// Calls counts requests by operation name.
	Calls map[string]int
	// Refunds counts refunds actually made.
	Refunds int
	// Bodies are the request bodies, in order.
	Bodies []string
}

// New returns a store with the sample orders (Sample).
func New() *Store {
	s := &Store{byKey: map[string]json.RawMessage{}, jobs: map[string]bool{}, nextID: 9000, Calls: map[string]int{}, dropAfter: map[string]int{}}
	s.orders = Sample()
	return s
}

// Throttle makes the next n requests answer THROTTLED.
func (s *Store) Throttle(n int) { s.mu.Lock(); s.throttle = n; s.mu.Unlock() }

// DropAfterApply makes the next n requests of operation op run and then
// lose their answer (the connection fails after the write).
func (s *Store) DropAfterApply(op string, n int) { s.mu.Lock(); s.dropAfter[op] = n; s.mu.Unlock() }

// Order returns the order named name (a copy).
func (s *Store) Order(name string) Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if o.Name == name {
			return *o
		}
	}
	return Order{}
}

// ErrDropped is what a dropped answer looks like to an httpmock client.
var ErrDropped = fmt.Errorf("connection reset by peer")

// Responder is the store as an httpmock responder (a func of the request).
func (s *Store) Responder(r *http.Request) (*http.Response, error) {
	status, body, drop := s.serve(r)
	if drop {
		return nil, ErrDropped
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {s.requestID()}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// ServeHTTP is the store as an http.Handler (httptest servers). A dropped
// answer closes the connection without a response.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, body, drop := s.serve(r)
	if drop {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", s.requestID())
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// requestID names the latest request the store has seen (concurrent
// requests read it under the store's lock).
func (s *Store) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "req-" + strconv.Itoa(len(s.Bodies))
}

var opName = regexp.MustCompile(`^\s*(query|mutation)\s+([A-Za-z]+)`)

func (s *Store) serve(r *http.Request) (int, string, bool) {
	if r.Header.Get("X-Shopify-Access-Token") != "shpat_test" {
		return http.StatusUnauthorized, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`, false
	}
	raw, _ := io.ReadAll(r.Body)
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return http.StatusBadRequest, `{"errors":{"query":"Required parameter missing or invalid"}}`, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Bodies = append(s.Bodies, string(raw))
	op := "shop"
	if m := opName.FindStringSubmatch(req.Query); m != nil {
		op = m[2]
	}
	s.Calls[op]++
	if s.throttle > 0 {
		s.throttle--
		return http.StatusOK, Throttled, false
	}
	data, errs := s.run(op, req.Query, req.Variables)
	drop := false
	if s.dropAfter[op] > 0 {
		s.dropAfter[op]--
		drop = true
	}
	body := map[string]any{"data": data, "extensions": cost(12)}
	if errs != nil {
		body = map[string]any{"errors": errs, "extensions": cost(1)}
	}
	b, _ := json.Marshal(body)
	return http.StatusOK, string(b), drop
}

// Throttled is Shopify's answer to a request over the app's cost budget.
const Throttled = `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],` +
	`"extensions":{"cost":{"requestedQueryCost":122,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":20,"restoreRate":100.0}}}}`

func cost(actual int) map[string]any {
	return map[string]any{"cost": map[string]any{
		"requestedQueryCost": actual + 40, "actualQueryCost": actual,
		"throttleStatus": map[string]any{"maximumAvailable": 2000.0, "currentlyAvailable": 2000.0 - float64(actual), "restoreRate": 100.0},
	}}
}

func (s *Store) run(op, doc string, v map[string]any) (any, any) {
	str := func(k string) string { x, _ := v[k].(string); return x }
	num := func(k string) int { x, _ := v[k].(float64); return int(x) }
	switch op {
	case "OrderByID", "RefundContext":
		o := s.byGID(str("id"))
		if o == nil {
			return map[string]any{"order": nil}, nil
		}
		return map[string]any{"order": s.node(o, num("items"))}, nil
	case "OrderByName":
		var nodes []any
		name := strings.Trim(strings.TrimPrefix(str("q"), "name:"), "'")
		for _, o := range s.orders {
			if o.Name == name {
				nodes = append(nodes, s.node(o, num("items")))
			}
		}
		return map[string]any{"orders": map[string]any{"nodes": orEmpty(nodes)}}, nil
	case "Search", "SearchCount":
		return s.search(str("q"), str("after"), num("first"), str("countQ"), op == "SearchCount"), nil
	case "Lines", "LineCount":
		o := s.byGID(str("id"))
		if o == nil {
			return map[string]any{"order": nil}, nil
		}
		first := num("first")
		if op == "LineCount" {
			first = 250
		}
		return map[string]any{"order": map[string]any{"lineItems": lineConn(o.Lines, str("after"), first, op == "LineCount")}}, nil
	case "RefundCreate":
		if !keyDirective.MatchString(doc) {
			return nil, []any{map[string]any{"message": "refundCreate requires the @idempotent directive with an idempotency key", "extensions": map[string]any{"code": "BAD_REQUEST"}}}
		}
		return s.refundCreate(v), nil
	case "OrderCancel":
		return s.orderCancel(v), nil
	case "Job":
		done := s.JobPolls <= 0
		s.JobPolls--
		return map[string]any{"job": map[string]any{"id": str("id"), "done": done}}, nil
	case "shop":
		return map[string]any{"shop": map[string]any{"name": "Acme"}}, nil
	}
	return nil, []any{map[string]any{"message": "Field '" + op + "' doesn't exist on type 'QueryRoot'", "extensions": map[string]any{"code": "undefinedField"}}}
}

func orEmpty(a []any) []any {
	if a == nil {
		return []any{}
	}
	return a
}

func (s *Store) byGID(gid string) *Order {
	for _, o := range s.orders {
		if o.ID == gid {
			return o
		}
	}
	return nil
}

func (s *Store) node(o *Order, items int) map[string]any {
	b, _ := json.Marshal(o)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if items <= 0 {
		items = 5
	}
	m["lineItems"] = lineConn(o.Lines, "", items, false)
	return m
}

func cursor(i int) string {
	return base64.StdEncoding.EncodeToString([]byte(`{"last_id":` + strconv.Itoa(i) + `}`))
}
func uncursor(c string) int {
	b, _ := base64.StdEncoding.DecodeString(c)
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(string(b), `{"last_id":`), "}"))
	return n
}

func lineConn(lines []wire.LineItem, after string, first int, idsOnly bool) map[string]any {
	return page(len(lines), after, first, func(i int) any {
		if idsOnly {
			return map[string]any{"id": lines[i].ID}
		}
		return lines[i]
	})
}

// page is one page of a connection of n nodes after cursor after.
func page(n int, after string, first int, node func(i int) any) map[string]any {
	start := 0
	if after != "" {
		start = uncursor(after) + 1
	}
	end := min(start+first, n)
	nodes := []any{}
	for i := start; i < end; i++ {
		nodes = append(nodes, node(i))
	}
	pi := map[string]any{"hasNextPage": end < n, "endCursor": nil}
	if end > start {
		pi["endCursor"] = cursor(end - 1)
	}
	return map[string]any{"pageInfo": pi, "nodes": nodes}
}

var (
	emailTerm = regexp.MustCompile(`email:'([^']*)'`)
	idBelow   = regexp.MustCompile(`id:<([0-9]+)`)
	finTerm   = regexp.MustCompile(`(?:^|\s)financial_status:([a-z_]+)`)
	tagTerm   = regexp.MustCompile(`tag:'([^']*)'`)
)

// search understands the terms the adapter writes: email, id:<, status:
// cancelled, -status:cancelled, the first financial_status and tag.
func (s *Store) search(q, after string, first int, countQ string, count bool) map[string]any {
	match := func(o *Order, q string) bool {
		if m := emailTerm.FindStringSubmatch(q); m != nil && !strings.EqualFold(wire.S(o.Email), m[1]) {
			return false
		}
		if m := idBelow.FindStringSubmatch(q); m != nil {
			lim, _ := strconv.ParseInt(m[1], 10, 64)
			id, _ := strconv.ParseInt(o.ID[strings.LastIndexByte(o.ID, '/')+1:], 10, 64)
			if id >= lim {
				return false
			}
		}
		cancelled := o.CancelledAt != nil
		if strings.Contains(q, "-status:cancelled") && cancelled || strings.Contains(q, " status:cancelled") || strings.HasPrefix(q, "status:cancelled") {
			if strings.Contains(q, "-status:cancelled") == cancelled {
				return false
			}
		}
		if m := finTerm.FindStringSubmatch(q); m != nil && !strings.Contains(q, "(financial_status") && strings.ToUpper(m[1]) != wire.S(o.DisplayFinancialStatus) {
			return false
		}
		if m := tagTerm.FindStringSubmatch(q); m != nil && !slices.ContainsFunc(o.Tags, func(t string) bool { return strings.EqualFold(t, m[1]) }) {
			return false
		}
		return true
	}
	var hits []*Order
	for i := len(s.orders) - 1; i >= 0; i-- { // newest (highest id) first
		if match(s.orders[i], q) {
			hits = append(hits, s.orders[i])
		}
	}
	out := map[string]any{"orders": page(len(hits), after, first, func(i int) any { return s.node(hits[i], 1) })}
	if count {
		n := 0
		for _, o := range s.orders {
			if match(o, countQ) {
				n++
			}
		}
		out["ordersCount"] = map[string]any{"count": n, "precision": "EXACT"}
	}
	return out
}

var keyDirective = regexp.MustCompile(`@idempotent\(key: \$key\)`)

func (s *Store) refundCreate(v map[string]any) any {
	key, _ := v["key"].(string)
	in, _ := v["input"].(map[string]any)
	canon, _ := json.Marshal(in)
	if key != "" {
		if prev, ok := s.byKey[key]; ok {
			var p struct {
				Input json.RawMessage `json:"input"`
				Out   any             `json:"out"`
			}
			_ = json.Unmarshal(prev, &p)
			if string(p.Input) != string(canon) {
				return payload(nil, nil, []any{map[string]any{"field": nil, "message": "The same idempotency key cannot be used with different operation parameters."}})
			}
			return p.Out
		}
	}
	o := s.byGID(fmt.Sprint(in["orderId"]))
	if o == nil {
		return payload(nil, nil, []any{map[string]any{"field": []string{"orderId"}, "message": "Order does not exist"}})
	}
	total := new(big.Rat)
	txs, _ := in["transactions"].([]any)
	for _, t := range txs {
		tm := t.(map[string]any)
		a, ok := new(big.Rat).SetString(fmt.Sprint(tm["amount"]))
		if !ok {
			return payload(nil, nil, []any{map[string]any{"field": []string{"transactions", "0", "amount"}, "message": "Amount is invalid"}})
		}
		total.Add(total, a)
	}
	received, _ := new(big.Rat).SetString(o.TotalReceivedSet.ShopMoney.Amount)
	refunded, _ := new(big.Rat).SetString(o.TotalRefundedSet.ShopMoney.Amount)
	if new(big.Rat).Add(refunded, total).Cmp(received) > 0 {
		return payload(nil, nil, []any{map[string]any{"field": []string{"transactions", "0", "amount"}, "message": "Refund amount $" + total.FloatString(2) + " is greater than net payment received $" + new(big.Rat).Sub(received, refunded).FloatString(2)}})
	}
	cur := o.CurrencyCode
	digits := 2
	if cur == "JPY" {
		digits = 0
	}
	s.nextID++
	rf := wire.Refund{ID: "gid://shopify/Refund/" + strconv.Itoa(s.nextID), CreatedAt: wire.P("2026-12-07T10:00:00Z"), Note: wire.P(fmt.Sprint(in["note"])), TotalRefundedSet: M(total.FloatString(digits), cur)}
	o.Refunds = append(o.Refunds, rf)
	refunded.Add(refunded, total)
	o.TotalRefundedSet = M(refunded.FloatString(digits), cur)
	if refunded.Cmp(received) >= 0 {
		o.DisplayFinancialStatus = wire.P("REFUNDED")
	} else {
		o.DisplayFinancialStatus = wire.P("PARTIALLY_REFUNDED")
	}
	for _, t := range txs {
		tm := t.(map[string]any)
		s.nextID++
		o.Transactions = append(o.Transactions, wire.Transaction{ID: "gid://shopify/OrderTransaction/" + strconv.Itoa(s.nextID), Kind: "REFUND", Status: "SUCCESS",
			Gateway: wire.P(fmt.Sprint(tm["gateway"])), AmountSet: M(fmt.Sprint(tm["amount"]), cur), ParentTransaction: &wire.Ref{ID: fmt.Sprint(tm["parentId"])}})
	}
	s.Refunds++
	out := payload(rf, s.node(o, 1), []any{})
	if key != "" {
		b, _ := json.Marshal(map[string]any{"input": json.RawMessage(canon), "out": out})
		s.byKey[key] = b
	}
	return out
}

func payload(refund, order any, errs []any) map[string]any {
	return map[string]any{"refundCreate": map[string]any{"refund": refund, "order": order, "userErrors": errs}}
}

func (s *Store) orderCancel(v map[string]any) any {
	o := s.byGID(fmt.Sprint(v["orderId"]))
	res := func(job any, errs []any) any {
		return map[string]any{"orderCancel": map[string]any{"job": job, "orderCancelUserErrors": errs}}
	}
	if o == nil {
		return res(nil, []any{map[string]any{"field": []string{"orderId"}, "message": "Order not found", "code": "NOT_FOUND"}})
	}
	if o.CancelledAt != nil {
		return res(nil, []any{map[string]any{"field": []string{"orderId"}, "message": "Order has already been cancelled", "code": "INVALID"}})
	}
	at := "2026-12-07T10:05:00Z"
	reason := fmt.Sprint(v["reason"])
	o.CancelledAt, o.CancelReason = &at, &reason
	o.Cancellation = &wire.Cancellation{StaffNote: wire.P(fmt.Sprint(v["staffNote"]))}
	if wire.S(o.DisplayFinancialStatus) == "PAID" {
		s.nextID++
		o.Refunds = append(o.Refunds, wire.Refund{ID: "gid://shopify/Refund/" + strconv.Itoa(s.nextID), CreatedAt: wire.P(at), TotalRefundedSet: o.TotalReceivedSet})
		o.TotalRefundedSet = o.TotalReceivedSet
		o.DisplayFinancialStatus = wire.P("REFUNDED")
	}
	s.nextID++
	id := "gid://shopify/Job/" + strconv.Itoa(s.nextID)
	return res(map[string]any{"id": id, "done": false}, []any{})
}

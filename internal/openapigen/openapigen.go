// Package openapigen writes the OpenAPI 3.1 descriptions of the four
// reference backend APIs (docs/openapi/<domain>.yaml). The operations are
// listed here, from mocks/README.md and mocks/*/API.md; every request and
// response body schema is inferred from the Go types the mock backends
// serialize (google/jsonschema-go, JSON Schema 2020-12 as OpenAPI 3.1 uses),
// so the documents cannot drift from the implementation. The test of this
// package checks the checked-in files are current (UPDATE_OPENAPI=1
// rewrites them: make openapi) and validates real mock-backends responses
// against them with pb33f/libopenapi-validator.
package openapigen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/bizmcp/bizmcp/mocks/crm"
	"github.com/bizmcp/bizmcp/mocks/email"
	"github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/mocks/shipping"
	"github.com/google/jsonschema-go/jsonschema"
	"gopkg.in/yaml.v3"
)

// param is a path or query parameter.
type param struct {
	name, in, typ, desc string
	enum                []string
	required            bool
}

// resp is one documented response.
type resp struct {
	status int
	desc   string
	body   any // zero value of the body type; nil = the error envelope
}

// op is one operation of an API.
type op struct {
	method, path, id, summary string
	params                    []param
	body                      any // request body type (zero value), nil = none
	idempotencyKey            bool
	responses                 []resp
}

// api is one reference API.
type api struct {
	domain, title, desc, reference string
	ops                            []op
}

func q(name, typ, desc string, enum ...string) param {
	return param{name: name, in: "query", typ: typ, desc: desc, enum: enum}
}
func p(name, desc string) param {
	return param{name: name, in: "path", typ: "string", desc: desc, required: true}
}

var (
	limit  = q("limit", "integer", "page size: default 20, 1..100 (0, negative, >100 or non-integer: 400)")
	offset = q("offset", "integer", "results to skip, >= 0 (default 0)")
	region = []string{"na", "emea", "apac", "latam"}
)

// Page wrappers the handlers serialize with unexported types.
type crmSearch struct {
	Customers []crm.Customer `json:"customers"`
	Total     int            `json:"total"`
	Offset    int            `json:"offset"`
	Limit     int            `json:"limit"`
}
type ordersList struct {
	Orders []orders.Summary `json:"orders"`
	Total  int              `json:"total"`
	Offset int              `json:"offset"`
	Limit  int              `json:"limit"`
}
type ordersItems struct {
	OrderID string            `json:"order_id"`
	Items   []orders.LineItem `json:"items"`
	Total   int               `json:"total"`
	Offset  int               `json:"offset"`
	Limit   int               `json:"limit"`
}
type labelList struct {
	Labels []shipping.Label `json:"labels"`
}
type health struct {
	Status string `json:"status"`
}

// Money is how the error envelope's refundable_remaining is shaped.
type errorBody struct {
	Error struct {
		Code                string                `json:"code"`
		Message             string                `json:"message"`
		RefundableRemaining *orders.Money         `json:"refundable_remaining,omitempty"`
		Details             []shipping.FieldError `json:"details,omitempty"`
	} `json:"error"`
}

func notFound(what string) resp { return resp{404, what + " not found (`not_found`)", nil} }

var badRequest = resp{400, "invalid parameter or body, naming the field (`bad_request`)", nil}

func apis() []api {
	return []api{
		{domain: "crm", title: "bizmcp CRM reference API", reference: "mocks/README.md (CRM API)",
			desc: "Customers, notes and account updates: the API crm-mcp talks to (CRM_API_URL). Records are returned whole on purpose; the MCP server compresses them.",
			ops: []op{
				{method: "GET", path: "/customers/search", id: "searchCustomers", summary: "Search customers by id, name, company, email, tag or city (case-insensitive substring); ordered by id",
					params:    []param{q("q", "string", "substring to match; empty matches all"), q("region", "string", "exact region; an unknown one matches nothing"), limit, offset},
					responses: []resp{{200, "a page of full customer records", crmSearch{}}, badRequest}},
				{method: "GET", path: "/customers/{id}", id: "getCustomer", summary: "One customer record",
					params: []param{p("id", "customer id, e.g. C-1001")}, responses: []resp{{200, "the customer", crm.Customer{}}, notFound("customer")}},
				{method: "PATCH", path: "/customers/{id}", id: "updateCustomer", summary: "Change email, phone, tier, status, owner, tags (replaced) or custom_fields (merged; null deletes a key); bumps version",
					params: []param{p("id", "customer id")}, body: crm.Patch{}, idempotencyKey: true,
					responses: []resp{{200, "the updated customer (a replay: the record as first returned)", crm.Customer{}}, badRequest, notFound("customer"), {409, "Idempotency-Key reused with another request (`conflict`)", nil}}},
				{method: "POST", path: "/customers/{id}/notes", id: "addNote", summary: "Append a note (body required, at most 10,000 characters; author default \"api\")",
					params: []param{p("id", "customer id")}, body: crm.NoteInput{}, idempotencyKey: true,
					responses: []resp{{201, "the note", crm.Note{}}, {200, "a replay of the same request (Idempotent-Replayed: true)", crm.Note{}}, badRequest, notFound("customer"), {409, "Idempotency-Key reused with another request (`conflict`)", nil}}},
			}},
		{domain: "orders", title: "bizmcp orders reference API", reference: "mocks/orders/API.md",
			desc: "Orders, line items, cancellations and refunds: the API orders-mcp talks to (ORDERS_API_URL). Amounts are in the currency's minor unit.",
			ops: []op{
				{method: "GET", path: "/orders", id: "searchOrders", summary: "Order summaries, newest first; every parameter optional, all combine",
					params: []param{q("customer_id", "string", "exact CRM id (C-1004)"), q("customer_email", "string", "exact email, case-insensitive"),
						q("status", "string", "order status", "pending", "paid", "shipped", "delivered", "cancelled", "refunded", "partially_refunded"),
						q("region", "string", "customer region", region...), q("created_from", "string", "inclusive: RFC 3339 time or YYYY-MM-DD"),
						q("created_to", "string", "exclusive: RFC 3339 time or YYYY-MM-DD"), limit, offset},
					responses: []resp{{200, "a page of order summaries", ordersList{}}, badRequest}},
				{method: "GET", path: "/orders/{id}", id: "getOrder", summary: "The full order",
					params: []param{p("id", "order id, e.g. ORD-48291")}, responses: []resp{{200, "the order", orders.Order{}}, notFound("order")}},
				{method: "GET", path: "/orders/{id}/items", id: "listOrderItems", summary: "Page through (or search) an order's line items",
					params:    []param{p("id", "order id"), q("q", "string", "case-insensitive substring of sku or name"), limit, offset},
					responses: []resp{{200, "a page of line items", ordersItems{}}, badRequest, notFound("order")}},
				{method: "POST", path: "/orders/{id}/cancel", id: "cancelOrder", summary: "Cancel a pending or paid order (a paid one is refunded in full)",
					params: []param{p("id", "order id")}, body: orders.CancelInput{}, idempotencyKey: true,
					responses: []resp{{200, "the cancelled order", orders.Order{}}, badRequest, notFound("order"), {409, "the order cannot be cancelled (`not_cancellable`), or the Idempotency-Key was reused (`idempotency_conflict`)", nil}}},
				{method: "POST", path: "/orders/{id}/refunds", id: "createRefund", summary: "Refund part or all of what remains refundable",
					params: []param{p("id", "order id")}, body: orders.RefundInput{}, idempotencyKey: true,
					responses: []resp{{201, "the refund and the order summary", orders.RefundResult{}}, {200, "a replay of the same request (Idempotent-Replayed: true)", orders.RefundResult{}},
						{400, "invalid body (`bad_request`) or a currency other than the order's (`currency_mismatch`)", nil}, notFound("order"),
						{409, "more than remains (`refund_exceeds_remaining`, with refundable_remaining), nothing paid (`not_refundable`), or the Idempotency-Key reused (`idempotency_conflict`)", nil}}},
			}},
		{domain: "email", title: "bizmcp email reference API", reference: "mocks/email/API.md",
			desc: "A shared mailbox: search, messages, threads, drafts and sending: the API email-mcp talks to (EMAIL_API_URL).",
			ops: []op{
				{method: "GET", path: "/mailbox", id: "getMailbox", summary: "The mailbox: address, folders and counts", responses: []resp{{200, "the mailbox", email.Mailbox{}}}},
				{method: "GET", path: "/messages/search", id: "searchMessages", summary: "Message summaries, newest first",
					params: []param{q("q", "string", "words in subject or body"), q("folder", "string", "folder name"), q("from", "string", "sender address or name"), q("to", "string", "recipient"),
						q("customer_id", "string", "CRM customer id"), q("thread_id", "string", "thread id"), q("after", "string", "date (2026-02-01) or RFC 3339 time"),
						q("before", "string", "date or RFC 3339 time"), q("has_attachments", "boolean", "only messages with (or without) attachments"), limit, offset},
					responses: []resp{{200, "a page of message summaries", email.SearchResponse{}}, badRequest}},
				{method: "GET", path: "/messages/{id}", id: "getMessage", summary: "One message with its body",
					params: []param{p("id", "message id, e.g. M-20002")}, responses: []resp{{200, "the message", email.Message{}}, notFound("message")}},
				{method: "GET", path: "/threads/{id}", id: "getThread", summary: "A conversation",
					params: []param{p("id", "thread id, e.g. T-5001")}, responses: []resp{{200, "the thread", email.Thread{}}, notFound("thread")}},
				{method: "POST", path: "/drafts", id: "createDraft", summary: "Save a draft", body: email.Compose{}, idempotencyKey: true,
					responses: []resp{{201, "the draft", email.Message{}}, {200, "a replay (Idempotent-Replayed: true)", email.Message{}}, badRequest, {409, "Idempotency-Key reused with another request (`conflict`)", nil}}},
				{method: "POST", path: "/drafts/{id}/send", id: "sendDraft", summary: "Send a saved draft (no body)", params: []param{p("id", "draft id")}, idempotencyKey: true,
					responses: []resp{{200, "the sent message", email.Message{}}, badRequest, notFound("draft"), {409, "not a draft (`not_a_draft`) or the Idempotency-Key reused (`conflict`)", nil}}},
				{method: "POST", path: "/messages/send", id: "sendMessage", summary: "Send a message", body: email.Compose{}, idempotencyKey: true,
					responses: []resp{{201, "the sent message", email.Message{}}, {200, "a replay (Idempotent-Replayed: true)", email.Message{}}, badRequest, {409, "Idempotency-Key reused with another request (`conflict`)", nil}}},
				{method: "GET", path: "/deliveries", id: "listDeliveries", summary: "What was delivered (for tests: each send exactly once)", responses: []resp{{200, "the deliveries", email.DeliveriesResponse{}}}},
			}},
		{domain: "shipping", title: "bizmcp shipping reference API", reference: "mocks/shipping/API.md",
			desc: "Address validation, rates, labels and tracking across carriers: the API shipping-mcp talks to (SHIPPING_API_URL).",
			ops: []op{
				{method: "POST", path: "/addresses/validate", id: "validateAddress", summary: "Normalize an address; errors name the field and a suggestion", body: shipping.Address{},
					responses: []resp{{200, "the validation (valid or not)", shipping.Validation{}}, badRequest}},
				{method: "POST", path: "/rates", id: "quoteRates", summary: "Rates across carriers and services for a parcel", body: shipping.RateRequest{}, idempotencyKey: true,
					responses: []resp{{200, "the quote", shipping.Quote{}}, {400, "invalid request, with details per field (`bad_request`, `invalid_address`)", nil}}},
				{method: "GET", path: "/rates/{id}", id: "getRate", summary: "One rate of a quote", params: []param{p("id", "rate id")},
					responses: []resp{{200, "the rate", shipping.Rate{}}, {410, "unknown or expired rate (`rate_expired`): request new rates", nil}}},
				{method: "POST", path: "/labels", id: "buyLabel", summary: "Buy a label for a rate (costs money)", body: shipping.LabelRequest{}, idempotencyKey: true,
					responses: []resp{{201, "the label", shipping.Label{}}, {200, "a replay (Idempotent-Replayed: true)", shipping.Label{}}, badRequest, {409, "above max_amount_minor, or the Idempotency-Key reused", nil}, {410, "unknown or expired rate (`rate_expired`): request new rates", nil}}},
				{method: "GET", path: "/labels", id: "findLabels", summary: "Labels by tracking number",
					params:    []param{{name: "tracking_number", in: "query", typ: "string", desc: "tracking number", required: true}, q("carrier", "string", "carrier, e.g. fedex")},
					responses: []resp{{200, "the matching labels", labelList{}}, badRequest}},
				{method: "GET", path: "/labels/{id}", id: "getLabel", summary: "One label", params: []param{p("id", "label id")},
					responses: []resp{{200, "the label", shipping.Label{}}, notFound("label")}},
				{method: "POST", path: "/labels/{id}/void", id: "voidLabel", summary: "Void an unused label (refunded); scanned ones cannot be voided", params: []param{p("id", "label id")}, idempotencyKey: true,
					responses: []resp{{200, "the void result", shipping.VoidResult{}}, notFound("label"), {409, "the label cannot be voided (scanned, in transit)", nil}}},
				{method: "GET", path: "/tracking/{carrier}/{number}", id: "track", summary: "Tracking status, ETA and events",
					params:    []param{p("carrier", "fedex, ups, dhl or usps"), p("number", "tracking number")},
					responses: []resp{{200, "the tracking", shipping.Tracking{}}, {404, "no such shipment (`not_found`); a number of another carrier's format is named as such", nil}}},
			}},
	}
}

// Domains lists the domains that have an OpenAPI description.
func Domains() []string {
	var out []string
	for _, a := range apis() {
		out = append(out, a.domain)
	}
	return out
}

// Document returns the OpenAPI 3.1 document of domain as YAML.
func Document(domain string) ([]byte, error) {
	for _, a := range apis() {
		if a.domain == domain {
			return a.document()
		}
	}
	return nil, fmt.Errorf("openapigen: no API %q", domain)
}

type kv struct {
	k string
	v any
}

// ordered is a JSON object that keeps its key order.
type ordered []kv

func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (a api) document() ([]byte, error) {
	schemas := map[string]any{}
	ref := func(v any) (any, error) {
		t := reflect.TypeOf(v)
		name := schemaName(t)
		if _, ok := schemas[name]; !ok {
			s, err := jsonschema.ForType(t, &jsonschema.ForOptions{})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			schemas[name] = s
		}
		return map[string]string{"$ref": "#/components/schemas/" + name}, nil
	}
	errRef, err := ref(errorBody{})
	if err != nil {
		return nil, err
	}
	healthRef, _ := ref(health{})
	jsonContent := func(schema any) ordered {
		return ordered{{"application/json", ordered{{"schema", schema}}}}
	}
	respHeaders := ordered{{"X-Request-Id", ordered{{"$ref", "#/components/headers/X-Request-Id"}}}}
	paths := map[string]ordered{}
	paths["/health"] = ordered{{"get", ordered{{"operationId", "health"}, {"summary", "Liveness of the API"},
		{"responses", ordered{{"200", ordered{{"description", "ok"}, {"headers", respHeaders}, {"content", jsonContent(healthRef)}}}}}}}}
	for _, o := range a.ops {
		var params []any
		for _, pm := range o.params {
			schema := ordered{{"type", pm.typ}}
			if len(pm.enum) > 0 {
				schema = append(schema, kv{"enum", pm.enum})
			}
			e := ordered{{"name", pm.name}, {"in", pm.in}, {"description", pm.desc}}
			if pm.required {
				e = append(e, kv{"required", true})
			}
			params = append(params, append(e, kv{"schema", schema}))
		}
		if o.idempotencyKey {
			params = append(params, ordered{{"name", "Idempotency-Key"}, {"in", "header"},
				{"description", "repeating a key with the same request returns the first response (200, Idempotent-Replayed: true) and changes nothing; with another request: 409. At most 255 bytes."},
				{"schema", ordered{{"type", "string"}, {"maxLength", 255}}}})
		}
		responses := ordered{}
		for _, r := range o.responses {
			schema := errRef
			if r.body != nil {
				if schema, err = ref(r.body); err != nil {
					return nil, err
				}
			}
			h := respHeaders
			if o.idempotencyKey && r.status < 300 {
				h = append(append(ordered{}, respHeaders...), kv{"Idempotent-Replayed", ordered{{"$ref", "#/components/headers/Idempotent-Replayed"}}})
			}
			responses = append(responses, kv{strconv.Itoa(r.status), ordered{{"description", r.desc}, {"headers", h}, {"content", jsonContent(schema)}}})
		}
		responses = append(responses, kv{"default", ordered{{"description", "an error (also injected faults: 429 rate_limited with Retry-After, 500, 502, 503, 504)"}, {"headers", respHeaders}, {"content", jsonContent(errRef)}}})
		operation := ordered{{"operationId", o.id}, {"summary", o.summary}}
		if len(params) > 0 {
			operation = append(operation, kv{"parameters", params})
		}
		if o.body != nil {
			s, err := ref(o.body)
			if err != nil {
				return nil, err
			}
			operation = append(operation, kv{"requestBody", ordered{{"required", true}, {"content", jsonContent(s)}}})
		}
		operation = append(operation, kv{"responses", responses})
		paths[o.path] = append(paths[o.path], kv{strings.ToLower(o.method), operation})
	}
	pathList, schemaList := sorted(paths), sorted(schemas)
	doc := ordered{
		{"openapi", "3.1.0"},
		{"info", ordered{{"title", a.title}, {"version", "1.0.0"},
			{"description", a.desc + "\n\nGenerated by internal/openapigen from the mock backends' Go types (make openapi); the prose reference is " + a.reference + ". Conventions of every reference API: JSON bodies; errors as {\"error\":{\"code\",\"message\"}}; X-Request-Id on every response; Idempotency-Key on writes; unknown body fields are 400; bodies are capped at 1 MiB (413)."},
			{"license", ordered{{"name", "Apache-2.0"}, {"identifier", "Apache-2.0"}}}}},
		{"servers", []any{ordered{{"url", "http://127.0.0.1:9000/" + a.domain}, {"description", "mock-backends (make up, or bin/mock-backends --addr 127.0.0.1:9000)"}}}},
		{"paths", pathList},
		{"components", ordered{
			{"headers", ordered{
				{"X-Request-Id", ordered{{"description", "the client's own X-Request-Id if it sent a sane one, else req-000001, ..."}, {"schema", ordered{{"type", "string"}}}}},
				{"Idempotent-Replayed", ordered{{"description", "true when the response is a replay of an earlier request with the same Idempotency-Key"}, {"schema", ordered{{"type", "string"}, {"enum", []string{"true"}}}}}},
			}},
			{"schemas", schemaList},
		}},
	}
	j, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var node yaml.Node
	if err := yaml.Unmarshal(j, &node); err != nil {
		return nil, err
	}
	plain(&node)
	var out bytes.Buffer
	out.WriteString("# OpenAPI 3.1 description of the " + a.domain + " reference API. Generated: make openapi (internal/openapigen); do not edit.\n")
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// sorted returns m as an object with its keys in order.
func sorted[V any](m map[string]V) ordered {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(ordered, 0, len(keys))
	for _, k := range keys {
		out = append(out, kv{k, m[k]})
	}
	return out
}

// plain drops the JSON flow and quoting styles so the YAML is block style.
func plain(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && needsQuote(n.Value) {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		plain(c)
	}
}

func needsQuote(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "null", "yes", "no", "on", "off", "~", "":
		return true
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return true
	}
	return false
}

func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	name := t.Name()
	switch {
	case strings.HasSuffix(pkg, "/openapigen"):
		switch name {
		case "errorBody":
			return "Error"
		case "health":
			return "Health"
		}
		return strings.ToUpper(name[:1]) + name[1:]
	}
	return name
}

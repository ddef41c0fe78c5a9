package openapigen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/internal/serverlist"
	"github.com/bizmcp/bizmcp/mocks"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

func docPath(t *testing.T, domain string) string {
	t.Helper()
	root, err := serverlist.Root()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "docs", "openapi", domain+".yaml")
}

// The checked-in documents are what the generator writes from the mock
// backends' types (UPDATE_OPENAPI=1 rewrites them).
func TestDocumentsAreCurrent(t *testing.T) {
	for _, d := range Domains() {
		want, err := Document(d)
		if err != nil {
			t.Fatal(err)
		}
		path := docPath(t, d)
		if os.Getenv("UPDATE_OPENAPI") != "" {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what the mock types generate (%v): run make openapi", path, err)
		}
	}
}

// call is one real request to mock-backends, labelled with the operation
// it exercises.
type call struct {
	op, method, path, body, key string
	status                      int
}

func calls(t *testing.T, do func(c call) []byte) {
	t.Helper()
	// crm
	do(call{op: "health", method: "GET", path: "/crm/health", status: 200})
	do(call{op: "searchCustomers", method: "GET", path: "/crm/customers/search?q=gmbh&limit=5", status: 200})
	do(call{op: "searchCustomers", method: "GET", path: "/crm/customers/search?region=emea&limit=3&offset=2", status: 200})
	do(call{op: "searchCustomers", method: "GET", path: "/crm/customers/search?limit=0", status: 400})
	for _, id := range []string{"C-1001", "C-1007", "C-1013", "C-1021", "C-1034"} {
		do(call{op: "getCustomer", method: "GET", path: "/crm/customers/" + id, status: 200})
	}
	do(call{op: "getCustomer", method: "GET", path: "/crm/customers/C-9999", status: 404})
	do(call{op: "updateCustomer", method: "PATCH", path: "/crm/customers/C-1002", body: `{"tier":"gold","tags":["a","b"],"custom_fields":{"x":"1"}}`, key: "k-patch", status: 200})
	do(call{op: "updateCustomer", method: "PATCH", path: "/crm/customers/C-1002", body: `{"tier":"gold","tags":["a","b"],"custom_fields":{"x":"1"}}`, key: "k-patch", status: 200})
	do(call{op: "updateCustomer", method: "PATCH", path: "/crm/customers/C-1002", body: `{"tier":"diamond"}`, status: 400})
	do(call{op: "updateCustomer", method: "PATCH", path: "/crm/customers/C-1002", body: `{"tier":"silver"}`, key: "k-patch", status: 409})
	do(call{op: "addNote", method: "POST", path: "/crm/customers/C-1002/notes", body: `{"body":"called about renewal"}`, key: "k-note", status: 201})
	do(call{op: "addNote", method: "POST", path: "/crm/customers/C-1002/notes", body: `{"body":"called about renewal"}`, key: "k-note", status: 200})
	do(call{op: "addNote", method: "POST", path: "/crm/customers/C-9999/notes", body: `{"body":"x"}`, status: 404})

	// orders
	do(call{op: "health", method: "GET", path: "/orders/health", status: 200})
	do(call{op: "searchOrders", method: "GET", path: "/orders/orders?customer_id=C-1004", status: 200})
	do(call{op: "searchOrders", method: "GET", path: "/orders/orders?status=shipped&region=na&created_from=2026-01-01&limit=10", status: 200})
	do(call{op: "searchOrders", method: "GET", path: "/orders/orders?status=lost", status: 400})
	for _, id := range []string{"ORD-48291", "ORD-49000", "ORD-49010", "ORD-47824"} {
		do(call{op: "getOrder", method: "GET", path: "/orders/orders/" + id, status: 200})
	}
	do(call{op: "getOrder", method: "GET", path: "/orders/orders/ORD-1", status: 404})
	do(call{op: "listOrderItems", method: "GET", path: "/orders/orders/ORD-49000/items?q=store%20%2307&limit=3", status: 200})
	do(call{op: "listOrderItems", method: "GET", path: "/orders/orders/ORD-1/items", status: 404})
	do(call{op: "cancelOrder", method: "POST", path: "/orders/orders/ORD-49001/cancel", body: `{"reason":"customer_request"}`, key: "k-cancel", status: 200})
	do(call{op: "cancelOrder", method: "POST", path: "/orders/orders/ORD-48291/cancel", body: `{"reason":"customer_request"}`, status: 409})
	do(call{op: "createRefund", method: "POST", path: "/orders/orders/ORD-49005/refunds", body: `{"amount_minor":2500,"currency":"USD","reason":"damaged"}`, key: "k-refund", status: 201})
	do(call{op: "createRefund", method: "POST", path: "/orders/orders/ORD-49005/refunds", body: `{"amount_minor":2500,"currency":"USD","reason":"damaged"}`, key: "k-refund", status: 200})
	do(call{op: "createRefund", method: "POST", path: "/orders/orders/ORD-49005/refunds", body: `{"amount_minor":10000000,"currency":"USD","reason":"goodwill"}`, status: 409})
	do(call{op: "createRefund", method: "POST", path: "/orders/orders/ORD-49005/refunds", body: `{"amount_minor":100,"currency":"EUR","reason":"goodwill"}`, status: 400})

	// email
	do(call{op: "health", method: "GET", path: "/email/health", status: 200})
	do(call{op: "getMailbox", method: "GET", path: "/email/mailbox", status: 200})
	do(call{op: "searchMessages", method: "GET", path: "/email/messages/search?q=ORD-48291&folder=inbox", status: 200})
	do(call{op: "searchMessages", method: "GET", path: "/email/messages/search?customer_id=C-1007&has_attachments=false&after=2026-01-01&limit=5", status: 200})
	do(call{op: "searchMessages", method: "GET", path: "/email/messages/search?after=yesterday", status: 400})
	for _, id := range []string{"M-20002", "M-20019", "M-20020", "M-20022"} {
		do(call{op: "getMessage", method: "GET", path: "/email/messages/" + id, status: 200})
	}
	do(call{op: "getMessage", method: "GET", path: "/email/messages/M-99999", status: 404})
	do(call{op: "getThread", method: "GET", path: "/email/threads/T-5001", status: 200})
	do(call{op: "getThread", method: "GET", path: "/email/threads/T-0", status: 404})
	draft := do(call{op: "createDraft", method: "POST", path: "/email/drafts", body: `{"to":["marcus.lee@bizmcp.example"],"subject":"Follow-up","body_text":"Hello"}`, key: "k-draft", status: 201})
	do(call{op: "createDraft", method: "POST", path: "/email/drafts", body: `{"to":["marcus.lee@bizmcp.example"],"subject":"Follow-up","body_text":"Hello"}`, key: "k-draft", status: 200})
	do(call{op: "createDraft", method: "POST", path: "/email/drafts", body: `{"subject":"x","body_text":"y","bogus":1}`, status: 400})
	var d struct{ ID string }
	json.Unmarshal(draft, &d)
	do(call{op: "sendDraft", method: "POST", path: "/email/drafts/" + d.ID + "/send", key: "k-senddraft", status: 200})
	do(call{op: "sendDraft", method: "POST", path: "/email/drafts/M-20002/send", status: 409})
	do(call{op: "sendMessage", method: "POST", path: "/email/messages/send", body: `{"to":["marcus.lee@bizmcp.example"],"subject":"Note","body_text":"Hi"}`, key: "k-send", status: 201})
	do(call{op: "sendMessage", method: "POST", path: "/email/messages/send", body: `{"to":["marcus.lee@bizmcp.example"],"subject":"Note","body_text":"Hi"}`, key: "k-send", status: 200})
	do(call{op: "listDeliveries", method: "GET", path: "/email/deliveries", status: 200})

	// shipping
	addr := `{"name":"Ada Park","line1":"9450 Wilshire Blvd","city":"Beverly Hills","state":"CA","postal_code":"90210","country":"US"}`
	do(call{op: "health", method: "GET", path: "/shipping/health", status: 200})
	do(call{op: "validateAddress", method: "POST", path: "/shipping/addresses/validate", body: addr, status: 200})
	do(call{op: "validateAddress", method: "POST", path: "/shipping/addresses/validate", body: `{"line1":"9450 Wilshire Blvd","city":"Beverly Hills","state":"CA","postal_code":"9021","country":"US"}`, status: 200})
	quote := do(call{op: "quoteRates", method: "POST", path: "/shipping/rates", body: `{"to":` + addr + `,"parcel":{"weight_grams":1200,"length_mm":250,"width_mm":200,"height_mm":80}}`, status: 200})
	do(call{op: "quoteRates", method: "POST", path: "/shipping/rates", body: `{"to":{"line1":"x","city":"y","country":"ZZ"},"parcel":{"weight_grams":0}}`, status: 400})
	var qt struct{ Rates []struct{ ID string } }
	json.Unmarshal(quote, &qt)
	if len(qt.Rates) < 2 {
		t.Fatalf("quote has %d rates", len(qt.Rates))
	}
	do(call{op: "getRate", method: "GET", path: "/shipping/rates/" + qt.Rates[0].ID, status: 200})
	do(call{op: "getRate", method: "GET", path: "/shipping/rates/rate_nope", status: 410})
	label := do(call{op: "buyLabel", method: "POST", path: "/shipping/labels", body: `{"rate_id":"` + qt.Rates[0].ID + `","reference":"ORD-48291"}`, key: "k-label", status: 201})
	do(call{op: "buyLabel", method: "POST", path: "/shipping/labels", body: `{"rate_id":"` + qt.Rates[0].ID + `","reference":"ORD-48291"}`, key: "k-label", status: 200})
	do(call{op: "buyLabel", method: "POST", path: "/shipping/labels", body: `{"rate_id":"rate_nope"}`, status: 410})
	var lb struct {
		ID             string `json:"id"`
		TrackingNumber string `json:"tracking_number"`
	}
	json.Unmarshal(label, &lb)
	do(call{op: "findLabels", method: "GET", path: "/shipping/labels?tracking_number=7749281934&carrier=fedex", status: 200})
	do(call{op: "findLabels", method: "GET", path: "/shipping/labels", status: 400})
	do(call{op: "getLabel", method: "GET", path: "/shipping/labels/" + lb.ID, status: 200})
	do(call{op: "getLabel", method: "GET", path: "/shipping/labels/lbl_nope", status: 404})
	do(call{op: "voidLabel", method: "POST", path: "/shipping/labels/" + lb.ID + "/void", key: "k-void", status: 200})
	do(call{op: "voidLabel", method: "POST", path: "/shipping/labels/lbl_7749281934/void", status: 409})
	for _, tn := range []string{"fedex/7749281934", "ups/1Z999AA10123456784", "dhl/JD014600006281234567"} {
		do(call{op: "track", method: "GET", path: "/shipping/tracking/" + tn, status: 200})
	}
	do(call{op: "track", method: "GET", path: "/shipping/tracking/ups/7749281934", status: 404})
}

// Every response of a set of real requests to mock-backends (success,
// replay and error cases of every documented operation) is valid under the
// domain's OpenAPI document, checked by pb33f/libopenapi-validator.
func TestMockBackendsMatchTheDocuments(t *testing.T) {
	h, err := mocks.New(mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	validators := map[string]validator.Validator{}
	for _, d := range Domains() {
		b, err := os.ReadFile(docPath(t, d))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := libopenapi.NewDocument(b)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", d, errs)
		}
		if ok, verrs := v.ValidateDocument(); !ok {
			for _, e := range verrs {
				t.Errorf("%s: document invalid: %s", d, e.Message)
			}
		}
		validators[d] = v
	}
	seen := map[string]bool{}
	n := 0
	calls(t, func(c call) []byte {
		domain, _, _ := strings.Cut(strings.TrimPrefix(c.path, "/"), "/")
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		// The documents' server is mock-backends' usual address; the
		// validator matches paths under it.
		req, _ := http.NewRequest(c.method, "http://127.0.0.1:9000"+c.path, body)
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.key != "" {
			req.Header.Set("Idempotency-Key", c.key)
		}
		sent := req.Clone(req.Context())
		sent.URL.Host = strings.TrimPrefix(ts.URL, "http://")
		sent.Host = sent.URL.Host
		if c.body != "" {
			sent.Body = io.NopCloser(strings.NewReader(c.body))
		}
		resp, err := http.DefaultClient.Do(sent)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d: %s", c.method, c.path, resp.StatusCode, c.status, b)
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		ok, verrs := validators[domain].ValidateHttpResponse(req, resp)
		if !ok {
			var msgs []string
			for _, e := range verrs {
				msg := e.Message + ": " + e.Reason
				for _, se := range e.SchemaValidationErrors {
					msg += fmt.Sprintf("\n      %s: %s", se.FieldPath, se.Reason)
				}
				msgs = append(msgs, msg)
			}
			t.Errorf("%s %s (%d) does not match docs/openapi/%s.yaml:\n    %s", c.method, c.path, resp.StatusCode, domain, strings.Join(msgs, "\n    "))
		}
		seen[domain+" "+c.op] = true
		n++
		return b
	})
	for _, a := range apis() {
		for _, o := range append([]op{{id: "health"}}, a.ops...) {
			if !seen[a.domain+" "+o.id] {
				t.Errorf("%s %s: no request exercises it", a.domain, o.id)
			}
		}
	}
	t.Logf("%d responses validated against the four documents", n)

	// The check can fail: a customer record without its version, and an
	// error envelope with an extra field, are refused.
	for _, tc := range []struct{ path, body string }{
		{"/crm/customers/C-1001", `{"id":"C-1001"}`},
		{"/crm/customers/C-9999", `{"error":{"code":"not_found","message":"x","hint":"y"}}`},
	} {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:9000"+tc.path, nil)
		status := 200
		if strings.Contains(tc.body, "error") {
			status = 404
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(tc.body)), Request: req}
		if ok, _ := validators["crm"].ValidateHttpResponse(req, resp); ok {
			t.Errorf("a malformed response to %s passed validation: %s", tc.path, tc.body)
		}
	}
}

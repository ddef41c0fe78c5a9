// Package workload names, per server, the calls that the load test and the
// benchmark report drive: representative reads against the sample data,
// and the backend request each one makes (for the bare go-sdk floor).
package workload

// Call is one tool call.
type Call struct {
	Tool string
	Args map[string]any
	// BackendPath is the backend request the call makes (relative to the
	// mock-backends root), for the bare floor server.
	BackendPath string
}

// Read is a read tool call measured by the compression report: the raw
// backend response it replaces, and what its result must still say.
type Read struct {
	Call
	// Single marks one of the largest single records (target: at least 5x
	// smaller than raw). Small records are measured too, without the target:
	// a 1 KB record has little to trim and the result carries both a text
	// rendering and structured content.
	Single bool
	Want   []string // facts the tool's description promises, present in the result
}

// Server describes one server for load and benchmarks.
type Server struct {
	Name   string // "crm"
	Binary string // "crm-mcp"
	Prefix string // "CRM_"
	Calls  []Call // a mix of reads; Calls[0] is the benchmark's call
	Reads  []Read // every read tool, on the largest sample records
	// ToolTokenBudget bounds the estimated tokens of the server's tools/list.
	ToolTokenBudget int
}

// Servers lists every server's workload.
var Servers = []Server{
	{Name: "crm", Binary: "crm-mcp", Prefix: "CRM_", Calls: []Call{
		{Tool: "crm_get_customer", Args: map[string]any{"id": "C-1024"}, BackendPath: "/crm/customers/C-1024"},
		{Tool: "crm_search_customers", Args: map[string]any{"query": "gmbh"}},
		{Tool: "crm_get_customer", Args: map[string]any{"id": "C-1007", "fields": []string{"email", "tier", "notes"}}},
	}, Reads: []Read{
		{Call: Call{Tool: "crm_get_customer", Args: map[string]any{"id": "C-1007"}, BackendPath: "/crm/customers/C-1007"}, Single: true,
			Want: []string{"rohan.gupta@lotus-infotech.example", "platinum", "Mei Lin", "INR 121,342,265.00", "Mumbai", "notes (newest 3 of 52)"}},
		{Call: Call{Tool: "crm_search_customers", Args: map[string]any{"query": ""}, BackendPath: "/crm/customers/search?q=&limit=10"},
			Want: []string{"C-1001", "showing 10 of", "cursor="}},
	}, ToolTokenBudget: 2500},
	{Name: "orders", Binary: "orders-mcp", Prefix: "ORDERS_", Calls: []Call{
		{Tool: "orders_get_order", Args: map[string]any{"order_id": "ORD-48291"}, BackendPath: "/orders/orders/ORD-48291"},
		{Tool: "orders_search_orders", Args: map[string]any{"customer_id": "C-1004"}},
		{Tool: "orders_list_items", Args: map[string]any{"order_id": "ORD-49000", "limit": 20}},
	}, Reads: []Read{
		{Call: Call{Tool: "orders_get_order", Args: map[string]any{"order_id": "ORD-49000"}, BackendPath: "/orders/orders/ORD-49000"}, Single: true,
			Want: []string{"ORD-49000", "and 315 more lines"}},
		{Call: Call{Tool: "orders_get_order", Args: map[string]any{"order_id": "ORD-48291"}, BackendPath: "/orders/orders/ORD-48291"},
			Want: []string{"FedEx", "7749281934", "Feb 26"}},
		{Call: Call{Tool: "orders_search_orders", Args: map[string]any{"customer_id": "C-1004"}, BackendPath: "/orders/orders?customer_id=C-1004&limit=10"},
			Want: []string{"ORD-48291"}},
		{Call: Call{Tool: "orders_list_items", Args: map[string]any{"order_id": "ORD-49000", "limit": 20}, BackendPath: "/orders/orders/ORD-49000/items?limit=20"}},
	}, ToolTokenBudget: 4500},
	{Name: "email", Binary: "email-mcp", Prefix: "EMAIL_", Calls: []Call{
		{Tool: "email_get_message", Args: map[string]any{"id": "M-20019"}, BackendPath: "/email/messages/M-20019"},
		{Tool: "email_search", Args: map[string]any{"query": "ORD-48291"}},
		{Tool: "email_get_message", Args: map[string]any{"id": "M-20002"}},
	}, Reads: []Read{
		{Call: Call{Tool: "email_get_message", Args: map[string]any{"id": "M-20019"}, BackendPath: "/email/messages/M-20019"}, Single: true},
		{Call: Call{Tool: "email_search", Args: map[string]any{"query": ""}, BackendPath: "/email/messages/search?q=&limit=10"},
			Want: []string{"M-"}},
	}, ToolTokenBudget: 4500},
	{Name: "shipping", Binary: "shipping-mcp", Prefix: "SHIPPING_", Calls: []Call{
		{Tool: "shipping_track", Args: map[string]any{"carrier": "fedex", "tracking_number": "7749281934"}, BackendPath: "/shipping/tracking/fedex/7749281934"},
		{Tool: "shipping_track", Args: map[string]any{"carrier": "ups", "tracking_number": "1Z999AA10123456784", "full_history": true}},
		{Tool: "shipping_validate_address", Args: map[string]any{"name": "Lea Gross", "line1": "1 Market St", "city": "San Francisco", "state": "CA", "postal_code": "94105", "country": "US"}},
	}, Reads: []Read{
		{Call: Call{Tool: "shipping_track", Args: map[string]any{"carrier": "ups", "tracking_number": "1Z999AA10123456784"}, BackendPath: "/shipping/tracking/ups/1Z999AA10123456784"}, Single: true,
			Want: []string{"exception", "last 5 of 94 events"}},
		{Call: Call{Tool: "shipping_track", Args: map[string]any{"carrier": "fedex", "tracking_number": "7749281934"}, BackendPath: "/shipping/tracking/fedex/7749281934"},
			Want: []string{"in_transit", "2026-02-26"}},
	}, ToolTokenBudget: 4200},
}

// Find returns the workload of server name.
func Find(name string) (Server, bool) {
	for _, s := range Servers {
		if s.Name == name {
			return s, true
		}
	}
	return Server{}, false
}

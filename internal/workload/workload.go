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

// Server describes one server for load and benchmarks.
type Server struct {
	Name   string // "crm"
	Binary string // "crm-mcp"
	Prefix string // "CRM_"
	Calls  []Call // a mix of reads; Calls[0] is the benchmark's call
}

// Servers lists every server's workload.
var Servers = []Server{
	{Name: "crm", Binary: "crm-mcp", Prefix: "CRM_", Calls: []Call{
		{Tool: "crm_get_customer", Args: map[string]any{"id": "C-1024"}, BackendPath: "/crm/customers/C-1024"},
		{Tool: "crm_search_customers", Args: map[string]any{"query": "gmbh"}},
		{Tool: "crm_get_customer", Args: map[string]any{"id": "C-1007", "fields": []string{"email", "tier", "notes"}}},
	}},
	{Name: "orders", Binary: "orders-mcp", Prefix: "ORDERS_", Calls: []Call{
		{Tool: "orders_get_order", Args: map[string]any{"order_id": "ORD-48291"}, BackendPath: "/orders/orders/ORD-48291"},
		{Tool: "orders_search_orders", Args: map[string]any{"customer_id": "C-1004"}},
		{Tool: "orders_list_items", Args: map[string]any{"order_id": "ORD-49000", "limit": 20}},
	}},
	{Name: "shipping", Binary: "shipping-mcp", Prefix: "SHIPPING_", Calls: []Call{
		{Tool: "shipping_track", Args: map[string]any{"carrier": "fedex", "tracking_number": "7749281934"}, BackendPath: "/shipping/tracking/fedex/7749281934"},
		{Tool: "shipping_track", Args: map[string]any{"carrier": "ups", "tracking_number": "1Z999AA10123456784", "full_history": true}},
		{Tool: "shipping_validate_address", Args: map[string]any{"name": "Lea Gross", "line1": "1 Market St", "city": "San Francisco", "state": "CA", "postal_code": "94105", "country": "US"}},
	}},
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

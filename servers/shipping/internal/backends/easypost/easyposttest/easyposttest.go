// Package easyposttest holds, for tests, EasyPost API v2 responses shaped
// as EasyPost documents them (testdata/*.json, values of our own) and a
// small stateful stand-in for the API built from them: shipments with
// rates, purchases (with a way to lose the answer), refunds and trackers.
package easyposttest

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

//go:embed testdata/*.json
var fixtures embed.FS

// Fixture returns testdata/name.
func Fixture(name string) []byte {
	b, err := fixtures.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	return b
}

// Object returns a fresh copy of the fixture name as a JSON object.
func Object(name string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(Fixture(name), &m); err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	return m
}

// JSON encodes v.
func JSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// ShipmentID and RateIDs are the ids in shipment.json: USPS GroundAdvantage
// 7.58, USPS Priority 9.10, USPS Express 38.45, UPSDAP Ground 12.36.
const ShipmentID = "shp_5b3e1f7a9c2d4e6f8a0b1c2d3e4f5a6b"

var RateIDs = []string{"rate_2d6f5c81a4e34b1c9f0e7d3a5b8c1e42", "rate_8e0a9b7c6d5f4e3a2b1c0d9e8f7a6b5c", "rate_4f3e2d1c0b9a48f7e6d5c4b3a2918f7e", "rate_a1b2c3d4e5f64a7b8c9d0e1f2a3b4c5d"}

// Buy turns a shipment object into the answer of its purchase with the
// rate rateID: selected_rate, postage_label, tracking_code and a
// pre_transit tracker.
func Buy(shp map[string]any, rateID, trackingCode string) error {
	var rate map[string]any
	for _, r := range shp["rates"].([]any) {
		if r.(map[string]any)["id"] == rateID {
			rate = r.(map[string]any)
		}
	}
	if rate == nil {
		return fmt.Errorf("shipment %v has no rate %s", shp["id"], rateID)
	}
	shp["selected_rate"] = rate
	shp["postage_label"] = Object("postage_label.json")
	shp["tracking_code"] = trackingCode
	t := Object("tracker.json")
	t["tracking_code"], t["shipment_id"] = trackingCode, shp["id"]
	shp["tracker"] = t
	shp["status"] = "pre_transit"
	shp["fees"] = []any{
		map[string]any{"object": "Fee", "type": "LabelFee", "amount": "0.00000", "charged": true, "refunded": false},
		map[string]any{"object": "Fee", "type": "PostageFee", "amount": rate["rate"].(string) + "000", "charged": true, "refunded": false},
	}
	return nil
}

// Scan makes a bought shipment's tracker show the carrier's first scan at
// at: in_transit, with an acceptance event.
func Scan(shp map[string]any, at string) {
	t := shp["tracker"].(map[string]any)
	t["status"], t["status_detail"] = "in_transit", "arrived_at_facility"
	t["tracking_details"] = append(t["tracking_details"].([]any), map[string]any{
		"object": "TrackingDetail", "message": "Accepted at USPS Origin Facility", "description": "", "status": "in_transit",
		"status_detail": "arrived_at_facility", "datetime": at, "source": "USPS", "carrier_code": "OA",
		"tracking_location": map[string]any{"object": "TrackingLocation", "city": "RENO", "state": "NV", "country": nil, "zip": "89502"},
	})
	shp["status"] = "in_transit"
}

// Tracker returns tracker.json for code with n tracking_details, oldest
// first: the label, then n-2 transit scans a day's hour apart, then
// delivery (signed by signedBy) when delivered, else one more transit scan
// and an estimated delivery date.
func Tracker(code string, n int, delivered bool, signedBy string) map[string]any {
	t := Object("tracker.json")
	t["tracking_code"], t["shipment_id"] = code, nil
	base := t["tracking_details"].([]any)[0].(map[string]any)
	details := []any{base}
	cities := []string{"RENO", "SACRAMENTO", "SALT LAKE CITY", "DENVER", "OKLAHOMA CITY", "DALLAS", "AUSTIN"}
	for i := 1; i < n; i++ {
		d := map[string]any{
			"object": "TrackingDetail", "message": fmt.Sprintf("Arrived at USPS Regional Facility (scan %d)", i), "description": "",
			"status": "in_transit", "status_detail": "arrived_at_facility", "datetime": fmt.Sprintf("2026-03-%02dT%02d:%02d:00Z", 3+i/24, i%24, i%60),
			"source": "USPS", "carrier_code": "10",
			"tracking_location": map[string]any{"object": "TrackingLocation", "city": cities[i%len(cities)], "state": nil, "country": nil, "zip": nil},
		}
		if i == n-1 && delivered {
			d["message"], d["status"], d["status_detail"], d["carrier_code"] = "Delivered, In/At Mailbox", "delivered", "arrived_at_destination", "01"
			d["tracking_location"] = map[string]any{"object": "TrackingLocation", "city": "AUSTIN", "state": "TX", "country": nil, "zip": "78701"}
		}
		details = append(details, d)
	}
	t["tracking_details"] = details
	t["status"], t["status_detail"] = "in_transit", "arrived_at_facility"
	t["est_delivery_date"] = "2026-03-09T00:00:00Z"
	if delivered {
		t["status"], t["status_detail"], t["signed_by"] = "delivered", "arrived_at_destination", signedBy
	}
	return t
}

// API is a stand-in for EasyPost's API v2 (under /v2) for tests that run
// the real binary: answers shaped like the fixtures, state in memory.
type API struct {
	key string

	mu        sync.Mutex
	seq       int
	shipments map[string]map[string]any
	rates     map[string]map[string]any
	trackers  map[string]map[string]any
	buys      int
	drop      int
	requests  []string
}

// NewAPI returns an API that accepts only key (as the HTTP Basic user).
func NewAPI(key string) *API {
	return &API{key: key, shipments: map[string]map[string]any{}, rates: map[string]map[string]any{}, trackers: map[string]map[string]any{}}
}

// DropBuyAnswers makes the next n purchases happen and their answers get
// lost (the connection closes before the response).
func (a *API) DropBuyAnswers(n int) {
	a.mu.Lock()
	a.drop = n
	a.mu.Unlock()
}

// AddTracker makes a tracker known (POST /trackers and GET /trackers find it).
func (a *API) AddTracker(t map[string]any) {
	a.mu.Lock()
	a.trackers[t["tracking_code"].(string)] = t
	a.mu.Unlock()
}

// Buys is how many labels were bought.
func (a *API) Buys() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.buys
}

// Requests lists "METHOD /path" of every request, in order.
func (a *API) Requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.requests...)
}

func hex32(n int) string { return fmt.Sprintf("%032x", 0xe0000000+n) }

func write(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Ep-Request-Uuid", "5e8f8c3f67cf1e48e2b8598a005f04b9")
	w.WriteHeader(status)
	w.Write(body)
}

func notFound(w http.ResponseWriter) { write(w, http.StatusNotFound, Fixture("error_not_found.json")) }

// Handler serves the API.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/addresses", func(w http.ResponseWriter, r *http.Request) {
		write(w, 200, []byte(`{"addresses":[],"has_more":false}`))
	})
	mux.HandleFunc("POST /v2/addresses", func(w http.ResponseWriter, r *http.Request) {
		write(w, 201, Fixture("address_verified.json"))
	})
	mux.HandleFunc("POST /v2/shipments", a.createShipment)
	mux.HandleFunc("GET /v2/rates/{id}", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		rate := a.rates[r.PathValue("id")]
		a.mu.Unlock()
		if rate == nil {
			notFound(w)
			return
		}
		write(w, 200, JSON(rate))
	})
	mux.HandleFunc("GET /v2/shipments/{id}", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		s := a.shipments[r.PathValue("id")]
		var b []byte
		if s != nil {
			b = JSON(s)
		}
		a.mu.Unlock()
		if s == nil {
			notFound(w)
			return
		}
		write(w, 200, b)
	})
	mux.HandleFunc("POST /v2/shipments/{id}/buy", a.buy)
	mux.HandleFunc("POST /v2/shipments/{id}/refund", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		s := a.shipments[r.PathValue("id")]
		if s == nil {
			notFound(w)
			return
		}
		s["refund_status"] = "submitted"
		write(w, 200, JSON(s))
	})
	mux.HandleFunc("GET /v2/trackers", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		t := a.trackers[r.URL.Query().Get("tracking_code")]
		list := []any{}
		if t != nil && strings.EqualFold(fmt.Sprint(t["carrier"]), r.URL.Query().Get("carrier")) {
			list = append(list, t)
		}
		b := JSON(map[string]any{"trackers": list, "has_more": false})
		a.mu.Unlock()
		write(w, 200, b)
	})
	mux.HandleFunc("POST /v2/trackers", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Tracker struct {
				TrackingCode string `json:"tracking_code"`
				Carrier      string `json:"carrier"`
			} `json:"tracker"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		a.mu.Lock()
		defer a.mu.Unlock()
		t := a.trackers[body.Tracker.TrackingCode]
		if t == nil {
			t = Object("tracker.json")
			t["tracking_code"], t["carrier"], t["shipment_id"] = body.Tracker.TrackingCode, body.Tracker.Carrier, nil
			t["status"], t["status_detail"], t["tracking_details"], t["carrier_detail"] = "unknown", "unknown", []any{}, nil
			a.trackers[body.Tracker.TrackingCode] = t
		}
		write(w, 200, JSON(t))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.requests = append(a.requests, r.Method+" "+r.URL.Path)
		a.mu.Unlock()
		if user, _, ok := r.BasicAuth(); !ok || user != a.key {
			write(w, http.StatusUnauthorized, []byte(`{"error":{"code":"APIKEY.REQUIRED","message":"Unable to authenticate: API key is missing or invalid.","errors":[]}}`))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (a *API) createShipment(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Shipment struct {
			ToAddress map[string]any `json:"to_address"`
		} `json:"shipment"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Shipment.ToAddress == nil {
		write(w, 422, Fixture("error_parameter_required.json"))
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	s := Object("shipment.json")
	id := "shp_" + hex32(a.seq)
	s["id"] = id
	to := s["to_address"].(map[string]any)
	for _, k := range []string{"name", "company", "street1", "street2", "city", "state", "zip", "country"} {
		if v, ok := body.Shipment.ToAddress[k]; ok {
			to[k] = v
		}
	}
	for i, rr := range s["rates"].([]any) {
		rate := rr.(map[string]any)
		rate["id"] = fmt.Sprintf("rate_%s", hex32(a.seq*10+i))
		rate["shipment_id"] = id
		a.rates[rate["id"].(string)] = rate
	}
	a.shipments[id] = s
	write(w, 201, JSON(s))
}

func (a *API) buy(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Rate struct {
			ID string `json:"id"`
		} `json:"rate"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	a.mu.Lock()
	s := a.shipments[r.PathValue("id")]
	if s == nil {
		a.mu.Unlock()
		notFound(w)
		return
	}
	if s["postage_label"] != nil {
		a.mu.Unlock()
		write(w, 422, []byte(`{"error":{"code":"SHIPMENT.POSTAGE.FAILURE","message":"This shipment already has a postage label.","errors":[]}}`))
		return
	}
	if err := Buy(s, body.Rate.ID, fmt.Sprintf("94001001103680%08d", a.seq)); err != nil {
		a.mu.Unlock()
		write(w, 422, []byte(`{"error":{"code":"SHIPMENT.INVALID_PARAMS","message":"Rate not found for this shipment.","errors":[{"field":"rate.id","message":"is invalid"}]}}`))
		return
	}
	a.buys++
	drop := a.drop > 0
	if drop {
		a.drop--
	}
	b := JSON(s)
	a.mu.Unlock()
	if drop {
		// The label is bought; the answer is lost on the way back.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	write(w, 200, b)
}

package orders

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/bizmcp/bizmcp/mocks/internal/apijson"
)

// MaxBodyBytes caps request bodies (413 payload_too_large beyond it).
const MaxBodyBytes = 1 << 20

// NewHandler returns the orders HTTP API, with paths relative to the domain
// root (mock-backends mounts it under /orders); see API.md:
//
//	GET  /health
//	GET  /orders?customer_id=&customer_email=&status=&region=&created_from=&created_to=&limit=&offset=
//	GET  /orders/{id}
//	GET  /orders/{id}/items?q=&limit=&offset=
//	POST /orders/{id}/cancel     (Idempotency-Key)
//	POST /orders/{id}/refunds    (Idempotency-Key)
//
// Every response is JSON and carries X-Request-Id.
func NewHandler(s *Store) http.Handler {
	h := &handler{store: s, mux: apijson.NewMux()}
	h.mux.HandleFunc("GET /orders", h.list)
	h.mux.HandleFunc("GET /orders/{id}", h.get)
	h.mux.HandleFunc("GET /orders/{id}/items", h.items)
	h.mux.HandleFunc("POST /orders/{id}/cancel", h.cancel)
	h.mux.HandleFunc("POST /orders/{id}/refunds", h.refund)
	return apijson.Handler("req-orders-", h.mux)
}

type handler struct {
	store *Store
	mux   *http.ServeMux
}

type listResponse struct {
	Orders []Summary `json:"orders"`
	Total  int       `json:"total"`
	Offset int       `json:"offset"`
	Limit  int       `json:"limit"`
}

type itemsResponse struct {
	OrderID string     `json:"order_id"`
	Items   []LineItem `json:"items"`
	Total   int        `json:"total"`
	Offset  int        `json:"offset"`
	Limit   int        `json:"limit"`
}

// intParams reads optional integer query parameters; an explicit limit=0 is
// invalid rather than "default".
func intParams(w http.ResponseWriter, r *http.Request, limit, offset *int) bool {
	qv := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", limit}, {"offset", offset}} {
		v := qv.Get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			apijson.Error(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("%s must be an integer, got %q", p.name, v))
			return false
		}
		if p.name == "limit" && n == 0 {
			n = -1
		}
		*p.dst = n
	}
	return true
}

// parseTime accepts RFC 3339 timestamps and YYYY-MM-DD dates (midnight UTC).
func parseTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, invalid(name, "must be an RFC 3339 timestamp or a YYYY-MM-DD date, got %q", v)
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	qv := r.URL.Query()
	q := Query{CustomerID: qv.Get("customer_id"), CustomerEmail: qv.Get("customer_email"), Status: qv.Get("status"), Region: qv.Get("region")}
	if !intParams(w, r, &q.Limit, &q.Offset) {
		return
	}
	var err error
	if q.CreatedFrom, err = parseTime("created_from", qv.Get("created_from")); err != nil {
		writeStoreError(w, err)
		return
	}
	if q.CreatedTo, err = parseTime("created_to", qv.Get("created_to")); err != nil {
		writeStoreError(w, err)
		return
	}
	page, total, err := h.store.List(q)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	apijson.Write(w, http.StatusOK, listResponse{Orders: page, Total: total, Offset: q.Offset, Limit: q.Limit})
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	o, err := h.store.Get(r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.Write(w, http.StatusOK, o)
}

func (h *handler) items(w http.ResponseWriter, r *http.Request) {
	var limit, offset int
	if !intParams(w, r, &limit, &offset) {
		return
	}
	id := r.PathValue("id")
	page, total, err := h.store.Items(id, r.URL.Query().Get("q"), offset, limit)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	if limit == 0 {
		limit = DefaultItemsLimit
	}
	apijson.Write(w, http.StatusOK, itemsResponse{OrderID: id, Items: page, Total: total, Offset: offset, Limit: limit})
}

func (h *handler) cancel(w http.ResponseWriter, r *http.Request) {
	var in CancelInput
	if !apijson.DecodeBody(w, r, MaxBodyBytes, &in) {
		return
	}
	o, replay, err := h.store.Cancel(r.PathValue("id"), in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	if replay != nil {
		writeReplay(w, replay)
		return
	}
	apijson.Write(w, http.StatusOK, o)
}

func (h *handler) refund(w http.ResponseWriter, r *http.Request) {
	var in RefundInput
	if !apijson.DecodeBody(w, r, MaxBodyBytes, &in) {
		return
	}
	res, replay, err := h.store.Refund(r.PathValue("id"), in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	if replay != nil {
		writeReplay(w, replay)
		return
	}
	apijson.Write(w, http.StatusCreated, res)
}

// writeReplay answers an idempotent repeat with the original body, status
// 200 and Idempotent-Replayed: true (the mocks' convention).
func writeReplay(w http.ResponseWriter, r *Replay) {
	w.Header().Set("Idempotent-Replayed", "true")
	w.Header().Set("Content-Type", apijson.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(r.Body)+1))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(r.Body, '\n'))
}

// stateErrorBody is the error envelope of a 409 refusal; refund refusals
// also carry the refundable remainder.
type stateErrorBody struct {
	Error struct {
		Code                string `json:"code"`
		Message             string `json:"message"`
		RefundableRemaining *Money `json:"refundable_remaining,omitempty"`
	} `json:"error"`
}

func writeStoreError(w http.ResponseWriter, err error) {
	var ve *ValidationError
	var se *StateError
	switch {
	case errors.Is(err, ErrNotFound):
		apijson.Error(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, ErrIdempotencyConflict):
		apijson.Error(w, http.StatusConflict, "idempotency_conflict", err.Error())
	case errors.As(err, &se):
		var body stateErrorBody
		body.Error.Code, body.Error.Message, body.Error.RefundableRemaining = se.Code, se.Message, se.Remaining
		apijson.Write(w, http.StatusConflict, body)
	case errors.As(err, &ve):
		apijson.Error(w, http.StatusBadRequest, ve.Code, ve.Error())
	default:
		apijson.Error(w, http.StatusInternalServerError, "internal", err.Error())
	}
}

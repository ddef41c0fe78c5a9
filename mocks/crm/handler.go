package crm

import (
	"errors"
	"fmt"
	"github.com/bizmcp/bizmcp/mocks/internal/apijson"
	"net/http"
	"strconv"
)

// MaxBodyBytes caps request bodies (413 payload_too_large beyond it).
const MaxBodyBytes = 1 << 20

// NewHandler returns the CRM HTTP API, with paths relative to the domain root
// (mock-backends mounts it under /crm):
//
//	GET   /health
//	GET   /customers/search?q=&limit=&offset=&region=
//	GET   /customers/{id}
//	PATCH /customers/{id}
//	POST  /customers/{id}/notes
//
// Every response is JSON and carries X-Request-Id.
func NewHandler(s *Store) http.Handler {
	h := &handler{store: s, mux: apijson.NewMux()}
	h.mux.HandleFunc("GET /customers/search", h.search)
	h.mux.HandleFunc("GET /customers/{id}", h.get)
	h.mux.HandleFunc("PATCH /customers/{id}", h.patch)
	h.mux.HandleFunc("POST /customers/{id}/notes", h.addNote)
	return apijson.Handler("req-crm-", h.mux)
}

type handler struct {
	store *Store
	mux   *http.ServeMux
}

type searchResponse struct {
	Customers []Customer `json:"customers"`
	Total     int        `json:"total"`
	Offset    int        `json:"offset"`
	Limit     int        `json:"limit"`
}

func (h *handler) search(w http.ResponseWriter, r *http.Request) {
	qv := r.URL.Query()
	q := Query{Q: qv.Get("q"), Region: qv.Get("region"), Limit: DefaultLimit}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &q.Limit}, {"offset", &q.Offset}} {
		if v := qv.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				apijson.Error(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("%s must be an integer, got %q", p.name, v))
				return
			}
			*p.dst = n
			if p.name == "limit" && n == 0 {
				*p.dst = -1 // explicit 0 is invalid, not "default"
			}
		}
	}
	page, total, err := h.store.Search(q)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.Write(w, http.StatusOK, searchResponse{Customers: page, Total: total, Offset: q.Offset, Limit: q.Limit})
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	c, err := h.store.Get(r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.Write(w, http.StatusOK, c)
}

func (h *handler) addNote(w http.ResponseWriter, r *http.Request) {
	var in NoteInput
	if !apijson.DecodeBody(w, r, MaxBodyBytes, &in) {
		return
	}
	note, replayed, err := h.store.AddNote(r.PathValue("id"), in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.WriteResult(w, http.StatusCreated, replayed, note)
}

func (h *handler) patch(w http.ResponseWriter, r *http.Request) {
	b, ok := apijson.ReadBody(w, r, MaxBodyBytes)
	if !ok {
		return
	}
	p, err := ParsePatch(b)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	c, replayed, err := h.store.Update(r.PathValue("id"), p, r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.WriteResult(w, http.StatusOK, replayed, c)
}

func writeStoreError(w http.ResponseWriter, err error) {
	var ve *ValidationError
	switch {
	case errors.Is(err, ErrNotFound):
		apijson.Error(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, ErrIdempotencyConflict):
		apijson.Error(w, http.StatusConflict, "conflict", err.Error())
	case errors.As(err, &ve):
		apijson.Error(w, http.StatusBadRequest, "bad_request", ve.Error())
	default:
		apijson.Error(w, http.StatusInternalServerError, "internal", err.Error())
	}
}

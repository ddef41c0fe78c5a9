package email

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/mocks/internal/apijson"
)

// MaxBodyBytes caps request bodies (413 payload_too_large beyond it).
const MaxBodyBytes = 1 << 20

// NewHandler returns the email HTTP API, with paths relative to the domain
// root (mock-backends mounts it under /email); see API.md:
//
//	GET  /health
//	GET  /mailbox
//	GET  /messages/search?q=&from=&to=&folder=&after=&before=&customer_id=&thread_id=&has_attachments=&limit=&offset=
//	GET  /messages/{id}
//	GET  /threads/{id}
//	POST /drafts
//	POST /drafts/{id}/send
//	POST /messages/send
//	GET  /deliveries
//
// Every response is JSON and carries X-Request-Id.
func NewHandler(s *Store) http.Handler {
	h := &handler{store: s, mux: apijson.NewMux()}
	h.mux.HandleFunc("GET /mailbox", h.mailbox)
	h.mux.HandleFunc("GET /messages/search", h.search)
	h.mux.HandleFunc("GET /messages/{id}", h.get)
	h.mux.HandleFunc("GET /threads/{id}", h.thread)
	h.mux.HandleFunc("POST /drafts", h.createDraft)
	h.mux.HandleFunc("POST /drafts/{id}/send", h.sendDraft)
	h.mux.HandleFunc("POST /messages/send", h.send)
	h.mux.HandleFunc("GET /deliveries", h.listDeliveries)
	return apijson.Handler("req-email-", h.mux)
}

type handler struct {
	store *Store
	mux   *http.ServeMux
}

func (h *handler) mailbox(w http.ResponseWriter, r *http.Request) {
	apijson.Write(w, http.StatusOK, h.store.Mailbox())
}

// SearchResponse is the body of GET /messages/search.
type SearchResponse struct {
	Messages []Summary `json:"messages"`
	Total    int       `json:"total"`
	Offset   int       `json:"offset"`
	Limit    int       `json:"limit"`
}

// parseDate accepts RFC 3339 or a plain date (midnight UTC).
func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

func (h *handler) search(w http.ResponseWriter, r *http.Request) {
	qv := r.URL.Query()
	q := Query{
		Q: qv.Get("q"), From: qv.Get("from"), To: qv.Get("to"), Folder: qv.Get("folder"),
		CustomerID: qv.Get("customer_id"), ThreadID: qv.Get("thread_id"), Limit: DefaultLimit,
	}
	bad := func(format string, a ...any) {
		apijson.Error(w, http.StatusBadRequest, "bad_request", fmt.Sprintf(format, a...))
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &q.Limit}, {"offset", &q.Offset}} {
		if v := qv.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				bad("%s must be an integer, got %q", p.name, v)
				return
			}
			*p.dst = n
			if p.name == "limit" && n == 0 {
				*p.dst = -1 // explicit 0 is invalid, not "default"
			}
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"after", &q.After}, {"before", &q.Before}} {
		if v := qv.Get(p.name); v != "" {
			t, err := parseDate(v)
			if err != nil {
				bad("%s must be a date (2026-02-01) or RFC 3339 time, got %q", p.name, v)
				return
			}
			*p.dst = t
		}
	}
	if v := qv.Get("has_attachments"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("has_attachments must be true or false, got %q", v)
			return
		}
		q.HasAttachments = &b
	}
	page, total, err := h.store.Search(q)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	out := SearchResponse{Messages: make([]Summary, len(page)), Total: total, Offset: q.Offset, Limit: q.Limit}
	for i, m := range page {
		out.Messages[i] = m.Summary()
	}
	apijson.Write(w, http.StatusOK, out)
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	m, err := h.store.Get(r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.Write(w, http.StatusOK, m)
}

func (h *handler) thread(w http.ResponseWriter, r *http.Request) {
	t, err := h.store.Thread(r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.Write(w, http.StatusOK, t)
}

func readCompose(w http.ResponseWriter, r *http.Request) (Compose, bool) {
	var c Compose
	ok := apijson.DecodeBody(w, r, MaxBodyBytes, &c)
	return c, ok
}

func (h *handler) createDraft(w http.ResponseWriter, r *http.Request) {
	c, ok := readCompose(w, r)
	if !ok {
		return
	}
	m, replayed, err := h.store.CreateDraft(c, r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.WriteResult(w, http.StatusCreated, replayed, m)
}

func (h *handler) send(w http.ResponseWriter, r *http.Request) {
	c, ok := readCompose(w, r)
	if !ok {
		return
	}
	m, replayed, err := h.store.Send(c, r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.WriteResult(w, http.StatusCreated, replayed, m)
}

func (h *handler) sendDraft(w http.ResponseWriter, r *http.Request) {
	if b, ok := apijson.ReadBody(w, r, MaxBodyBytes); !ok {
		return
	} else if s := strings.TrimSpace(string(b)); s != "" && s != "{}" {
		apijson.Error(w, http.StatusBadRequest, "bad_request", "POST /drafts/{id}/send takes no body")
		return
	}
	m, replayed, err := h.store.SendDraft(r.PathValue("id"), r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.WriteResult(w, http.StatusOK, replayed, m)
}

// DeliveriesResponse is the body of GET /deliveries.
type DeliveriesResponse struct {
	Deliveries []Delivery `json:"deliveries"`
	Total      int        `json:"total"`
}

func (h *handler) listDeliveries(w http.ResponseWriter, r *http.Request) {
	d := h.store.Deliveries()
	apijson.Write(w, http.StatusOK, DeliveriesResponse{Deliveries: d, Total: len(d)})
}

func writeStoreError(w http.ResponseWriter, err error) {
	var ve *ValidationError
	switch {
	case errors.Is(err, ErrNotFound):
		apijson.Error(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, ErrIdempotencyConflict):
		apijson.Error(w, http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, ErrNotDraft):
		apijson.Error(w, http.StatusConflict, "not_a_draft", err.Error())
	case errors.As(err, &ve):
		apijson.Error(w, http.StatusBadRequest, "bad_request", ve.Error())
	default:
		apijson.Error(w, http.StatusInternalServerError, "internal", err.Error())
	}
}

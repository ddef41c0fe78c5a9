package shipping

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bizmcp/bizmcp/mocks/internal/apijson"
)

// MaxBodyBytes caps request bodies (413 payload_too_large beyond it).
const MaxBodyBytes = 1 << 20

// NewHandler returns the shipping HTTP API, with paths relative to the
// domain root (mock-backends mounts it under /shipping):
//
//	GET  /health
//	POST /addresses/validate
//	POST /rates
//	GET  /rates/{id}
//	POST /labels                      (Idempotency-Key)
//	GET  /labels?tracking_number=&carrier=
//	GET  /labels/{id}                 (JSON; {id}.pdf / {id}.zpl: the label file)
//	POST /labels/{id}/void            (Idempotency-Key)
//	GET  /tracking/{carrier}/{number}
//
// Every response carries X-Request-Id; errors are JSON
// {"error":{"code","message","details"?}}. See API.md.
func NewHandler(s *Store) http.Handler {
	h := &handler{store: s, mux: apijson.NewMux()}
	h.mux.HandleFunc("POST /addresses/validate", h.validate)
	h.mux.HandleFunc("POST /rates", h.quote)
	h.mux.HandleFunc("GET /rates/{id}", h.rate)
	h.mux.HandleFunc("POST /labels", h.buy)
	h.mux.HandleFunc("GET /labels", h.findLabels)
	h.mux.HandleFunc("GET /labels/{id}", h.label)
	h.mux.HandleFunc("POST /labels/{id}/void", h.void)
	h.mux.HandleFunc("GET /tracking/{carrier}/{number}", h.track)
	return apijson.Handler("req-shp-", h.mux)
}

type handler struct {
	store *Store
	mux   *http.ServeMux
}

// errorBody is apijson's envelope plus field details.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Details []FieldError `json:"details,omitempty"`
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	return apijson.DecodeBody(w, r, MaxBodyBytes, v)
}

func (h *handler) validate(w http.ResponseWriter, r *http.Request) {
	var a Address
	if !decode(w, r, &a) {
		return
	}
	apijson.Write(w, http.StatusOK, h.store.ValidateAddress(a))
}

func (h *handler) quote(w http.ResponseWriter, r *http.Request) {
	var req RateRequest
	if !decode(w, r, &req) {
		return
	}
	q, replayed, err := h.store.Quote(req, r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.WriteResult(w, http.StatusOK, replayed, q)
}

func (h *handler) rate(w http.ResponseWriter, r *http.Request) {
	rt, err := h.store.Rate(r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.Write(w, http.StatusOK, rt)
}

func (h *handler) buy(w http.ResponseWriter, r *http.Request) {
	var req LabelRequest
	if !decode(w, r, &req) {
		return
	}
	l, replayed, err := h.store.BuyLabel(req, r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		apijson.Write(w, http.StatusOK, l)
		return
	}
	w.Header().Set("Location", LabelPathPrefix+l.ID)
	apijson.Write(w, http.StatusCreated, l)
}

func (h *handler) findLabels(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n := q.Get("tracking_number")
	if n == "" {
		apijson.Error(w, http.StatusBadRequest, "bad_request", "tracking_number is required")
		return
	}
	apijson.Write(w, http.StatusOK, map[string]any{"labels": h.store.FindLabels(strings.ToLower(q.Get("carrier")), n)})
}

func (h *handler) label(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ext := ""
	if i := strings.LastIndexByte(id, '.'); i > 0 {
		id, ext = id[:i], id[i+1:]
	}
	l, err := h.store.Label(id)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	switch ext {
	case "":
		apijson.Write(w, http.StatusOK, l)
	case "pdf":
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write(labelPDF(l))
	case "zpl":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "^XA^CF0,40^FO40,40^FD%s %s^FS^FO40,100^FDTRK %s^FS^FO40,160^FD%s, %s %s^FS^XZ\n",
			CarrierNames[l.Carrier], strings.ToUpper(l.Service), l.TrackingNumber, l.To.City, l.To.PostalCode, l.To.Country)
	default:
		apijson.Error(w, http.StatusNotFound, "not_found", fmt.Sprintf("label %s has no %s file (use .pdf or .zpl)", id, ext))
	}
}

// labelPDF renders a minimal one-page PDF naming the label.
func labelPDF(l Label) []byte {
	text := fmt.Sprintf("%s %s  TRK %s  to %s %s %s", CarrierNames[l.Carrier], l.ServiceName, l.TrackingNumber, l.To.City, l.To.PostalCode, l.To.Country)
	text = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(asciiOnly(text))
	stream := fmt.Sprintf("BT /F1 12 Tf 24 260 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}

func asciiOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

func (h *handler) void(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > 0 {
		var empty struct{}
		if !decode(w, r, &empty) {
			return
		}
	}
	res, replayed, err := h.store.VoidLabel(r.PathValue("id"), r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.WriteResult(w, http.StatusOK, replayed, res)
}

func (h *handler) track(w http.ResponseWriter, r *http.Request) {
	t, err := h.store.Track(r.PathValue("carrier"), r.PathValue("number"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	apijson.Write(w, http.StatusOK, t)
}

func writeStoreError(w http.ResponseWriter, err error) {
	var ie *InputError
	var se *StateError
	var nf *NotFoundError
	switch {
	case errors.As(err, &nf):
		apijson.Error(w, http.StatusNotFound, "not_found", nf.Message)
	case errors.Is(err, ErrIdempotencyConflict):
		apijson.Error(w, http.StatusConflict, "conflict", err.Error())
	case errors.As(err, &ie):
		apijson.Write(w, http.StatusBadRequest, errorBody{errorDetail{Code: ie.Code, Message: ie.Error(), Details: ie.Errors}})
	case errors.As(err, &se):
		apijson.Error(w, se.Status, se.Code, se.Message)
	default:
		apijson.Error(w, http.StatusInternalServerError, "internal", err.Error())
	}
}

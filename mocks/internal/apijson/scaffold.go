package apijson

import "net/http"

// NewMux returns a ServeMux that already answers GET /health with
// {"status":"ok"}; register the domain's routes on it, then pass it to
// Handler.
func NewMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		Write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return mux
}

// Handler completes a domain's mux: JSON 404/405 for unknown routes
// (Fallback) and X-Request-Id with the given prefix (RequestIDs).
func Handler(requestIDPrefix string, mux *http.ServeMux) http.Handler {
	mux.HandleFunc("/", Fallback(mux))
	return RequestIDs(requestIDPrefix, mux)
}

// DecodeBody reads a body of at most max bytes and decodes it strictly into
// v (DecodeStrict), answering 413/400 itself and returning false on failure.
func DecodeBody(w http.ResponseWriter, r *http.Request, max int64, v any) bool {
	b, ok := ReadBody(w, r, max)
	if !ok {
		return false
	}
	if err := DecodeStrict(b, v); err != nil {
		Error(w, http.StatusBadRequest, "bad_request", err.Error())
		return false
	}
	return true
}

// WriteResult answers an idempotent write: v with status, or, when the
// request replayed an Idempotency-Key, v with status 200 and
// Idempotent-Replayed: true.
func WriteResult(w http.ResponseWriter, status int, replayed bool, v any) {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	Write(w, status, v)
}

// Package apijson holds the HTTP/JSON conventions shared by every mock
// backend domain: the error envelope, JSON encoding without HTML escaping,
// strict body decoding, X-Request-Id, and JSON 404/405 fallbacks.
package apijson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// ContentType is the Content-Type of every JSON response.
const ContentType = "application/json; charset=utf-8"

// ErrorBody is the error envelope: {"error":{"code":"...","message":"..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Marshal encodes v as JSON without HTML escaping (so "<", ">" and "&" in
// user content reach clients verbatim), followed by a newline.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes v as JSON with status and Content-Length.
func Write(w http.ResponseWriter, status int, v any) {
	b, err := Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"encoding response failed"}}` + "\n")
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Error writes the error envelope with status.
func Error(w http.ResponseWriter, status int, code, message string) {
	Write(w, status, ErrorBody{ErrorDetail{Code: code, Message: message}})
}

// ReadBody reads a request body of at most max bytes, answering 413
// payload_too_large / 400 itself and returning ok=false on failure.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) (b []byte, ok bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			Error(w, http.StatusRequestEntityTooLarge, "payload_too_large", fmt.Sprintf("request body exceeds %d bytes", max))
		} else {
			Error(w, http.StatusBadRequest, "bad_request", "reading request body: "+err.Error())
		}
		return nil, false
	}
	return b, true
}

// DecodeStrict decodes exactly one JSON value into v, rejecting unknown
// object fields and trailing data.
func DecodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if err == io.EOF {
			return errors.New("request body is empty; expected a JSON object")
		}
		return fmt.Errorf("invalid JSON body: %v", err)
	}
	if dec.More() {
		return errors.New("invalid JSON body: trailing data after the object")
	}
	return nil
}

// RequestIDs sets X-Request-Id ("<prefix>000001", ...) on every response
// that does not already carry one (mock-backends sets it at the root).
func RequestIDs(prefix string, next http.Handler) http.Handler {
	var seq atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if w.Header().Get("X-Request-Id") == "" {
			w.Header().Set("X-Request-Id", fmt.Sprintf("%s%06d", prefix, seq.Add(1)))
		}
		next.ServeHTTP(w, r)
	})
}

// Fallback returns a handler to register as mux's "/" pattern: it answers
// 405 method_not_allowed (with Allow) when another method would match, and
// 404 not_found otherwise, both as JSON errors.
func Fallback(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if m == r.Method {
				continue
			}
			r2 := r.Clone(r.Context())
			r2.Method = m
			if _, pattern := mux.Handler(r2); pattern != "/" && pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			Error(w, http.StatusMethodNotAllowed, "method_not_allowed", fmt.Sprintf("method %s is not allowed on %s", r.Method, r.URL.Path))
			return
		}
		Error(w, http.StatusNotFound, "not_found", fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
	}
}

// EmptySlices replaces each nil slice *p by an empty one, so that it encodes
// as [] rather than null.
func EmptySlices[S ~[]E, E any](ps ...*S) {
	for _, p := range ps {
		if *p == nil {
			*p = S{}
		}
	}
}

// EmptyMaps replaces each nil map *p by an empty one, so that it encodes as
// {} rather than null.
func EmptyMaps[M ~map[K]V, K comparable, V any](ps ...*M) {
	for _, p := range ps {
		if *p == nil {
			*p = M{}
		}
	}
}

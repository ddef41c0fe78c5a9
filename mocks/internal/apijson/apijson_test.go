package apijson

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMarshalKeepsHTML(t *testing.T) {
	b, _ := Marshal(map[string]string{"n": "<!-- x --> & ![a](b)"})
	if string(b) != `{"n":"<!-- x --> & ![a](b)"}`+"\n" {
		t.Errorf("%s", b)
	}
}

func TestFallbackAndRequestIDs(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) { Write(w, 200, "ok") })
	mux.HandleFunc("PATCH /things/{id}", func(w http.ResponseWriter, r *http.Request) { Write(w, 200, "ok") })
	mux.HandleFunc("/", Fallback(mux))
	h := RequestIDs("req-x-", mux)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("DELETE", "/things/1", nil))
	if rec.Code != 405 || rec.Header().Get("Allow") != "GET, PATCH" || !strings.Contains(rec.Body.String(), `"method_not_allowed"`) {
		t.Errorf("405: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	if rec.Header().Get("X-Request-Id") != "req-x-000001" {
		t.Errorf("request id %q", rec.Header().Get("X-Request-Id"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/other", nil))
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), `"not_found"`) || rec.Header().Get("Content-Type") != ContentType {
		t.Errorf("404: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	rec.Header().Set("X-Request-Id", "upstream")
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/things/1", nil))
	if rec.Header().Get("X-Request-Id") != "upstream" {
		t.Error("existing request id overwritten")
	}
}

func TestReadAndDecode(t *testing.T) {
	rec := httptest.NewRecorder()
	if _, ok := ReadBody(rec, httptest.NewRequest("POST", "/", strings.NewReader("12345")), 4); ok || rec.Code != 413 {
		t.Errorf("413: %v %d", ok, rec.Code)
	}
	var v struct{ A int }
	for _, bad := range []string{``, `{"A":1,"B":2}`, `{"A":1} {}`, `{"A":"x"}`} {
		if err := DecodeStrict([]byte(bad), &v); err == nil {
			t.Errorf("DecodeStrict(%q) accepted", bad)
		}
	}
	if err := DecodeStrict([]byte(` {"A":1} `), &v); err != nil || v.A != 1 {
		t.Errorf("good: %v", err)
	}
}

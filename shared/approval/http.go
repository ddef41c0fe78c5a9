package approval

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// Handler serves the approvals endpoint for people (and bizmcp-approve),
// protected by its own bearer token — never the MCP client's:
//
//	GET  /approvals                 pending approvals
//	GET  /approvals/history         decided approvals still in the store
//	GET  /approvals/{id}            one approval
//	POST /approvals/{id}/approve    {"by": "name", "reason": "..."}
//	POST /approvals/{id}/deny       {"by": "name", "reason": "..."}
func (g *Gate) Handler(token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /approvals", func(w http.ResponseWriter, r *http.Request) {
		list, err := g.List(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"approvals": list})
	})
	mux.HandleFunc("GET /approvals/history", func(w http.ResponseWriter, r *http.Request) {
		list, err := g.History(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"approvals": list})
	})
	mux.HandleFunc("GET /approvals/{id}", func(w http.ResponseWriter, r *http.Request) {
		rec, err := g.Get(r.Context(), r.PathValue("id"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		writeJSON(w, http.StatusOK, rec)
	})
	decide := func(approve bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				By     string `json:"by"`
				Reason string `json:"reason"`
			}
			if err := json.NewDecoder(io.LimitReader(r.Body, 8192)).Decode(&body); err != nil || strings.TrimSpace(body.By) == "" || len(body.By) > 100 || len(body.Reason) > 1000 {
				http.Error(w, `body must be {"by": "approver name", "reason": "optional"}`, http.StatusBadRequest)
				return
			}
			rec, err := g.Decide(r.Context(), r.PathValue("id"), approve, strings.TrimSpace(body.By), body.Reason)
			switch {
			case rec == nil && err != nil:
				http.Error(w, err.Error(), http.StatusNotFound)
			case err != nil:
				http.Error(w, err.Error(), http.StatusConflict)
			default:
				writeJSON(w, http.StatusOK, rec)
			}
		}
	}
	mux.HandleFunc("POST /approvals/{id}/approve", decide(true))
	mux.HandleFunc("POST /approvals/{id}/deny", decide(false))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bizmcp-approvals"`)
			http.Error(w, "approvals need the approver token (MCP_APPROVAL_TOKEN)", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Package hubspottest is an in-memory stand-in for the part of HubSpot's
// CRM v3 API the hubspot adapter uses, answering with the documented
// shapes: objects (contacts, companies, notes), contact search, notes batch
// read, associations v4, owners; HubSpot's error bodies (status, message,
// correlationId, category), 429 bodies with policyName, the
// X-HubSpot-Correlation-Id and X-HubSpot-RateLimit-* headers. It serves
// the adapter's tests and the end-to-end test of crm-mcp --backend hubspot.
package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Contact is a contact in the fake account.
type Contact struct {
	ID         int64
	Properties map[string]string
	CompanyID  int64 // 0 = no associated company
}

// Note is a note in the fake account.
type Note struct {
	ID         int64
	Properties map[string]string
	ContactID  int64
}

// Server is the fake account. Its zero value is not usable: call New.
type Server struct {
	Token string // the private app token it accepts

	mu        sync.Mutex
	contacts  map[int64]*Contact
	companies map[int64]map[string]string
	owners    map[int64][3]string // first, last, email
	notes     map[int64]*Note
	nextID    int64
	seq       int
	// Requests counts requests by "METHOD path".
	Requests map[string]int
	// LoseCreates is how many note creates are made but answered 502, as
	// when the answer is lost on the way back.
	LoseCreates int
	// RateLimit is how many next requests get a 429 with policy
	// TEN_SECONDLY_ROLLING.
	RateLimit int
	// Properties is the contact property schema: name → allowed options
	// (nil = free text). PATCH of another property is a validation error.
	Properties map[string][]string
}

// New returns an account with sample contacts (see Sample).
func New(token string) *Server {
	s := &Server{Token: token, contacts: map[int64]*Contact{}, companies: map[int64]map[string]string{}, owners: map[int64][3]string{},
		notes: map[int64]*Note{}, nextID: 9000, Requests: map[string]int{},
		Properties: map[string][]string{
			"firstname": nil, "lastname": nil, "email": nil, "phone": nil, "mobilephone": nil, "company": nil, "address": nil, "city": nil,
			"state": nil, "zip": nil, "country": nil, "jobtitle": nil, "hs_lead_status": nil, "hubspot_owner_id": nil,
			"lifecyclestage": {"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"},
			"bizmcp_region":  {"na", "emea", "apac", "latam"},
			"bizmcp_tier":    {"bronze", "silver", "gold", "platinum"},
			"bizmcp_tags":    {"vip", "renewal", "at-risk", "reseller", "beta"},
		}}
	Sample(s)
	return s
}

// AddContact stores c.
func (s *Server) AddContact(c Contact) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contacts[c.ID] = &c
}

// AddCompany stores a company with its name.
func (s *Server) AddCompany(id int64, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.companies[id] = map[string]string{"name": name, "domain": strings.ToLower(strings.Fields(name + " x")[0]) + ".example"}
}

// AddOwner stores an owner.
func (s *Server) AddOwner(id int64, first, last, email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.owners[id] = [3]string{first, last, email}
}

// AddNote stores a note on contact cid.
func (s *Server) AddNote(id, cid int64, body string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes[id] = &Note{ID: id, ContactID: cid, Properties: map[string]string{"hs_note_body": body, "hs_timestamp": at.UTC().Format("2006-01-02T15:04:05.000Z")}}
}

// NotesOf returns the note bodies of contact cid, oldest id first.
func (s *Server) NotesOf(cid int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for id, n := range s.notes {
		if n.ContactID == cid {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = s.notes[id].Properties["hs_note_body"]
	}
	return out
}

// Contact returns a copy of contact id's properties.
func (s *Server) Contact(id int64) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.contacts[id]
	if !ok {
		return nil
	}
	out := map[string]string{}
	for k, v := range c.Properties {
		out[k] = v
	}
	return out
}

// LoseNextCreates makes the next n note creates happen but be answered 502.
func (s *Server) LoseNextCreates(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.LoseCreates = n
}

// RateLimitNext answers the next n requests with a 429.
func (s *Server) RateLimitNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.RateLimit = n
}

// Count returns how many requests "METHOD path" got.
func (s *Server) Count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Requests[key]
}

func (s *Server) fail(w http.ResponseWriter, status int, category, msg string, extra map[string]any) {
	body := map[string]any{"status": "error", "message": msg, "correlationId": w.Header().Get("X-HubSpot-Correlation-Id"), "category": category}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	w.Header().Set("X-HubSpot-Correlation-Id", fmt.Sprintf("7a1c3e2b-0000-4000-8000-%012d", s.seq))
	s.Requests[r.Method+" "+r.URL.Path]++
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		s.fail(w, 401, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", nil)
		return
	}
	if s.RateLimit > 0 {
		s.RateLimit--
		writeJSON(w, 429, map[string]any{"status": "error", "message": "You have reached your ten_secondly_rolling limit.", "errorType": "RATE_LIMIT",
			"correlationId": w.Header().Get("X-HubSpot-Correlation-Id"), "policyName": "TEN_SECONDLY_ROLLING"})
		return
	}
	if !strings.HasSuffix(r.URL.Path, "/search") {
		w.Header().Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
		w.Header().Set("X-HubSpot-RateLimit-Max", "190")
		w.Header().Set("X-HubSpot-RateLimit-Remaining", "189")
	}
	path := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == "POST" && r.URL.Path == "/crm/v3/objects/contacts/search":
		s.search(w, r)
	case r.Method == "GET" && r.URL.Path == "/crm/v3/objects/contacts":
		s.list(w, r)
	case len(path) == 5 && path[3] == "contacts" && (r.Method == "GET" || r.Method == "PATCH"):
		s.contact(w, r, path[4])
	case r.Method == "GET" && len(path) == 5 && path[3] == "companies":
		id, _ := strconv.ParseInt(path[4], 10, 64)
		co, ok := s.companies[id]
		if !ok {
			s.fail(w, 404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.", map[string]any{"context": map[string][]string{"id": {path[4]}}})
			return
		}
		writeJSON(w, 200, s.object(id, co, r.URL.Query().Get("properties")))
	case r.Method == "GET" && len(path) == 7 && path[1] == "v4" && path[3] == "contacts" && path[6] == "notes":
		s.noteAssociations(w, r, path[4])
	case r.Method == "POST" && r.URL.Path == "/crm/v3/objects/notes/batch/read":
		s.batchRead(w, r)
	case r.Method == "POST" && r.URL.Path == "/crm/v3/objects/notes":
		s.createNote(w, r)
	case r.Method == "GET" && r.URL.Path == "/crm/v3/owners":
		var res []any
		for id, o := range s.owners {
			if strings.EqualFold(o[2], r.URL.Query().Get("email")) {
				res = append(res, s.owner(id))
			}
		}
		writeJSON(w, 200, map[string]any{"results": res})
	case r.Method == "GET" && len(path) == 4 && path[2] == "owners":
		id, _ := strconv.ParseInt(path[3], 10, 64)
		if _, ok := s.owners[id]; !ok {
			s.fail(w, 404, "OBJECT_NOT_FOUND", "Owner not found", nil)
			return
		}
		writeJSON(w, 200, s.owner(id))
	default:
		s.fail(w, 404, "OBJECT_NOT_FOUND", "Unknown path "+r.URL.Path, nil)
	}
}

func (s *Server) owner(id int64) map[string]any {
	o := s.owners[id]
	return map[string]any{"id": strconv.FormatInt(id, 10), "email": o[2], "firstName": o[0], "lastName": o[1], "userId": id + 1, "archived": false,
		"createdAt": "2024-01-10T09:00:00.000Z", "updatedAt": "2025-06-01T09:00:00.000Z"}
}

// object renders a SimplePublicObject with the asked properties (plus the
// three HubSpot always adds), null for unset ones.
func (s *Server) object(id int64, props map[string]string, want string) map[string]any {
	p := map[string]any{"hs_object_id": strconv.FormatInt(id, 10), "createdate": "2024-02-01T10:00:00.000Z", "lastmodifieddate": "2025-11-20T08:30:00.000Z"}
	for _, k := range strings.Split(want, ",") {
		if k == "" {
			continue
		}
		if v, ok := props[k]; ok {
			p[k] = v
		} else {
			p[k] = nil
		}
	}
	return map[string]any{"id": strconv.FormatInt(id, 10), "properties": p, "createdAt": "2024-02-01T10:00:00.000Z", "updatedAt": "2025-11-20T08:30:00.000Z", "archived": false}
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	ids := s.contactIDs()
	n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	n = min(max(n, 1), 100, len(ids))
	var res []any
	for _, id := range ids[:n] {
		res = append(res, s.object(id, s.contacts[id].Properties, r.URL.Query().Get("properties")))
	}
	writeJSON(w, 200, map[string]any{"results": res})
}

func (s *Server) contactIDs() []int64 {
	ids := make([]int64, 0, len(s.contacts))
	for id := range s.contacts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query        string `json:"query"`
		FilterGroups []struct {
			Filters []struct{ PropertyName, Operator, Value string } `json:"filters"`
		} `json:"filterGroups"`
		Properties []string `json:"properties"`
		Limit      int      `json:"limit"`
		After      string   `json:"after"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.fail(w, 400, "VALIDATION_ERROR", "Invalid input JSON on line 1", nil)
		return
	}
	if req.Limit > 200 {
		s.fail(w, 400, "VALIDATION_ERROR", "limit must be less than or equal to 200", nil)
		return
	}
	var hits []int64
	for _, id := range s.contactIDs() {
		c := s.contacts[id]
		props := map[string]string{"hs_object_id": strconv.FormatInt(id, 10)}
		for k, v := range c.Properties {
			props[k] = v
		}
		if q := strings.ToLower(req.Query); q != "" {
			found := false
			for _, k := range []string{"firstname", "lastname", "email", "phone", "company"} {
				if strings.Contains(strings.ToLower(props[k]), q) {
					found = true
				}
			}
			if !found {
				continue
			}
		}
		match := len(req.FilterGroups) == 0
		for _, g := range req.FilterGroups {
			all := true
			for _, f := range g.Filters {
				if f.Operator != "EQ" || !strings.EqualFold(props[f.PropertyName], f.Value) {
					all = false
				}
			}
			match = match || all
		}
		if match {
			hits = append(hits, id)
		}
	}
	off, _ := strconv.Atoi(req.After)
	limit := req.Limit
	if limit == 0 {
		limit = 10
	}
	lo, hi := min(off, len(hits)), min(off+limit, len(hits))
	res := []any{}
	for _, id := range hits[lo:hi] {
		res = append(res, s.object(id, s.contacts[id].Properties, strings.Join(req.Properties, ",")))
	}
	out := map[string]any{"total": len(hits), "results": res}
	if hi < len(hits) {
		out["paging"] = map[string]any{"next": map[string]any{"after": strconv.Itoa(hi), "link": "?after=" + strconv.Itoa(hi)}}
	}
	writeJSON(w, 200, out)
}

func (s *Server) contact(w http.ResponseWriter, r *http.Request, sid string) {
	id, _ := strconv.ParseInt(sid, 10, 64)
	c, ok := s.contacts[id]
	if !ok {
		s.fail(w, 404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.", map[string]any{"context": map[string][]string{"id": {sid}}})
		return
	}
	if r.Method == "PATCH" {
		var in struct {
			Properties map[string]string `json:"properties"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			s.fail(w, 400, "VALIDATION_ERROR", "Invalid input JSON", nil)
			return
		}
		var bad []map[string]any
		names := make([]string, 0, len(in.Properties))
		for k := range in.Properties {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := in.Properties[k]
			opts, known := s.Properties[k]
			switch {
			case !known:
				bad = append(bad, map[string]any{"isValid": false, "message": fmt.Sprintf("Property \"%s\" does not exist", k), "error": "PROPERTY_DOESNT_EXIST", "name": k})
			case opts != nil && !allIn(strings.Split(v, ";"), opts):
				bad = append(bad, map[string]any{"isValid": false, "message": fmt.Sprintf("%s was not one of the allowed options: %s", v, strings.Join(opts, ", ")), "error": "INVALID_OPTION", "name": k})
			case k == "email" && !strings.Contains(v, "@"):
				bad = append(bad, map[string]any{"isValid": false, "message": fmt.Sprintf("Email address %s is invalid", v), "error": "INVALID_EMAIL", "name": k})
			}
		}
		if len(bad) > 0 {
			b, _ := json.Marshal(bad)
			s.fail(w, 400, "VALIDATION_ERROR", "Property values were not valid: "+string(b), nil)
			return
		}
		for k, v := range in.Properties {
			c.Properties[k] = v
		}
		all := make([]string, 0, len(c.Properties))
		for k := range c.Properties {
			all = append(all, k)
		}
		writeJSON(w, 200, s.object(id, c.Properties, strings.Join(all, ",")))
		return
	}
	o := s.object(id, c.Properties, r.URL.Query().Get("properties"))
	if strings.Contains(r.URL.Query().Get("associations"), "companies") && c.CompanyID != 0 {
		o["associations"] = map[string]any{"companies": map[string]any{"results": []any{
			map[string]any{"id": strconv.FormatInt(c.CompanyID, 10), "type": "contact_to_company"},
			map[string]any{"id": strconv.FormatInt(c.CompanyID, 10), "type": "contact_to_company_unlabeled"},
		}}}
	}
	writeJSON(w, 200, o)
}

func allIn(vs, opts []string) bool {
	for _, v := range vs {
		if !slices.Contains(opts, v) {
			return false
		}
	}
	return true
}

func (s *Server) noteAssociations(w http.ResponseWriter, r *http.Request, sid string) {
	cid, _ := strconv.ParseInt(sid, 10, 64)
	if _, ok := s.contacts[cid]; !ok {
		s.fail(w, 404, "OBJECT_NOT_FOUND", "Object not found", nil)
		return
	}
	var ids []int64
	for id, n := range s.notes {
		if n.ContactID == cid {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	limit = min(max(limit, 1), 500)
	// The cursor is opaque to clients: here the last id returned.
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	res := []any{}
	last := int64(0)
	for _, id := range ids {
		if id <= after {
			continue
		}
		if len(res) == limit {
			break
		}
		res = append(res, map[string]any{"toObjectId": id, "associationTypes": []any{
			map[string]any{"category": "HUBSPOT_DEFINED", "typeId": 202, "label": nil},
		}})
		last = id
	}
	out := map[string]any{"results": res}
	if last != 0 && last != ids[len(ids)-1] {
		out["paging"] = map[string]any{"next": map[string]any{"after": strconv.FormatInt(last, 10), "link": "?after=" + strconv.FormatInt(last, 10)}}
	}
	writeJSON(w, 200, out)
}

func (s *Server) batchRead(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Properties []string `json:"properties"`
		Inputs     []struct {
			ID string `json:"id"`
		} `json:"inputs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Inputs) > 100 {
		s.fail(w, 400, "VALIDATION_ERROR", "Invalid input: at most 100 inputs", nil)
		return
	}
	res := []any{}
	for _, x := range in.Inputs {
		id, _ := strconv.ParseInt(x.ID, 10, 64)
		if n, ok := s.notes[id]; ok {
			res = append(res, s.object(id, n.Properties, strings.Join(in.Properties, ",")))
		}
	}
	writeJSON(w, 200, map[string]any{"status": "COMPLETE", "results": res, "startedAt": "2025-11-20T08:30:00.000Z", "completedAt": "2025-11-20T08:30:00.050Z"})
}

func (s *Server) createNote(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Properties   map[string]string `json:"properties"`
		Associations []struct {
			To struct {
				ID string `json:"id"`
			} `json:"to"`
			Types []struct {
				Category string `json:"associationCategory"`
				TypeID   int    `json:"associationTypeId"`
			} `json:"types"`
		} `json:"associations"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.fail(w, 400, "VALIDATION_ERROR", "Invalid input JSON", nil)
		return
	}
	if in.Properties["hs_timestamp"] == "" {
		s.fail(w, 400, "VALIDATION_ERROR", "Property values were not valid: [{\"isValid\":false,\"message\":\"hs_timestamp is required\",\"error\":\"REQUIRED_FIELD\",\"name\":\"hs_timestamp\"}]", nil)
		return
	}
	if len(in.Associations) != 1 || len(in.Associations[0].Types) != 1 || in.Associations[0].Types[0].TypeID != 202 || in.Associations[0].Types[0].Category != "HUBSPOT_DEFINED" {
		s.fail(w, 400, "VALIDATION_ERROR", "One or more associations are invalid", nil)
		return
	}
	cid, _ := strconv.ParseInt(in.Associations[0].To.ID, 10, 64)
	if _, ok := s.contacts[cid]; !ok {
		s.fail(w, 400, "VALIDATION_ERROR", "One or more associations are invalid: contact "+in.Associations[0].To.ID+" does not exist", nil)
		return
	}
	s.nextID++
	id := s.nextID
	s.notes[id] = &Note{ID: id, ContactID: cid, Properties: in.Properties}
	if s.LoseCreates > 0 {
		s.LoseCreates--
		s.fail(w, 502, "BAD_GATEWAY", "Bad Gateway", nil)
		return
	}
	props := make([]string, 0, len(in.Properties))
	for k := range in.Properties {
		props = append(props, k)
	}
	writeJSON(w, 201, s.object(id, in.Properties, strings.Join(props, ",")))
}

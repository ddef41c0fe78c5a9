package crm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bizmcp/bizmcp/mocks/internal/domainkit"
	"github.com/bizmcp/bizmcp/mocks/internal/idem"
)

// Limits enforced by the store and the API.
const (
	DefaultLimit       = 20
	MaxLimit           = 100
	MaxNoteChars       = 10000 // characters (runes), not bytes
	MaxAuthorChars     = 200
	MaxIdempotencyKey  = idem.MaxKeyBytes
	MaxTags            = 50
	MaxTagChars        = 64
	MaxCustomFieldKey  = 100
	MaxCustomFieldVal  = 2000
	defaultNoteAuthor  = "api"
	maxShortFieldChars = 200
)

// Errors returned by Store methods. Validation failures are *ValidationError.
var (
	ErrNotFound = errors.New("customer not found")
	// ErrIdempotencyConflict: the Idempotency-Key was already used for a
	// different request (other body, customer or operation).
	ErrIdempotencyConflict = idem.ErrConflict
)

// ValidationError is a client error naming the offending field.
type ValidationError = domainkit.ValidationError

var invalid = domainkit.Invalid

// Query selects customers for Search.
type Query struct {
	Q      string // case-insensitive substring of id, name, company, email, tags, address city; "" = all
	Region string // exact match; "" = all
	Limit  int    // 0 = DefaultLimit
	Offset int
}

// NoteInput is the body of POST /customers/{id}/notes.
type NoteInput struct {
	Body   string `json:"body"`
	Author string `json:"author"`
}

// Patch is a partial update (PATCH /customers/{id}). Nil fields are left
// alone. Tags replaces the whole list. CustomFields is merged key by key; a
// nil value deletes the key.
type Patch struct {
	Email        *string            `json:"email,omitempty"`
	Phone        *string            `json:"phone,omitempty"`
	Tier         *string            `json:"tier,omitempty"`
	Status       *string            `json:"status,omitempty"`
	Owner        *string            `json:"owner,omitempty"`
	Tags         *[]string          `json:"tags,omitempty"`
	CustomFields map[string]*string `json:"custom_fields,omitempty"`
}

// PatchFields are the fields PATCH accepts, in documentation order.
var PatchFields = []string{"email", "phone", "tier", "status", "owner", "tags", "custom_fields"}

// ParsePatch decodes a PATCH body strictly: unknown fields, nulls for scalar
// fields and wrong types are *ValidationError naming the field.
func ParsePatch(data []byte) (Patch, error) {
	var p Patch
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return p, invalid("", "body must be a JSON object: %v", err)
	}
	if dec.More() {
		return p, invalid("", "body must be a single JSON object")
	}
	if raw == nil {
		return p, invalid("", "body must be a JSON object")
	}
	if len(raw) == 0 {
		return p, invalid("", "patch must set at least one of: %s", strings.Join(PatchFields, ", "))
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := raw[k]
		if !slices.Contains(PatchFields, k) {
			return p, invalid(k, "unknown field %q (allowed: %s)", k, strings.Join(PatchFields, ", "))
		}
		if string(bytes.TrimSpace(v)) == "null" {
			return p, invalid(k, "%s cannot be null", k)
		}
		var target any
		switch k {
		case "email":
			target = &p.Email
		case "phone":
			target = &p.Phone
		case "tier":
			target = &p.Tier
		case "status":
			target = &p.Status
		case "owner":
			target = &p.Owner
		case "tags":
			target = &p.Tags
		case "custom_fields":
			target = &p.CustomFields
		}
		if err := json.Unmarshal(v, target); err != nil {
			return p, invalid(k, "wrong type for %s: %v", k, typeErr(err))
		}
	}
	if p.CustomFields == nil && raw["custom_fields"] != nil {
		p.CustomFields = map[string]*string{}
	}
	return p, p.Validate()
}

func typeErr(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "expected " + te.Type.String() + ", got " + te.Value
	}
	return err.Error()
}

// Validate checks values (enumerations, lengths, formats).
func (p Patch) Validate() error {
	if p.Email != nil {
		e := *p.Email
		at := strings.LastIndexByte(e, '@')
		if at < 1 || at == len(e)-1 || strings.ContainsAny(e, " \t\r\n<>") || len(e) > 254 {
			return invalid("email", "not a valid email address: %q", e)
		}
	}
	if p.Phone != nil && utf8.RuneCountInString(*p.Phone) > 64 {
		return invalid("phone", "at most 64 characters")
	}
	if p.Tier != nil && !slices.Contains(Tiers, *p.Tier) {
		return invalid("tier", "must be one of %s, got %q", strings.Join(Tiers, "|"), *p.Tier)
	}
	if p.Status != nil && !slices.Contains(Statuses, *p.Status) {
		return invalid("status", "must be one of %s, got %q", strings.Join(Statuses, "|"), *p.Status)
	}
	if p.Owner != nil {
		o := strings.TrimSpace(*p.Owner)
		if o == "" || utf8.RuneCountInString(o) > maxShortFieldChars {
			return invalid("owner", "must be 1..%d characters", maxShortFieldChars)
		}
	}
	if p.Tags != nil {
		if len(*p.Tags) > MaxTags {
			return invalid("tags", "at most %d tags", MaxTags)
		}
		for _, t := range *p.Tags {
			if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > MaxTagChars {
				return invalid("tags", "each tag must be 1..%d characters", MaxTagChars)
			}
		}
	}
	for k, v := range p.CustomFields {
		if strings.TrimSpace(k) == "" || utf8.RuneCountInString(k) > MaxCustomFieldKey {
			return invalid("custom_fields", "keys must be 1..%d characters", MaxCustomFieldKey)
		}
		if v != nil && utf8.RuneCountInString(*v) > MaxCustomFieldVal {
			return invalid("custom_fields", "value of %q exceeds %d characters", k, MaxCustomFieldVal)
		}
	}
	return nil
}

// ValidateNote checks a note body and author.
func ValidateNote(in NoteInput) error {
	if strings.TrimSpace(in.Body) == "" {
		return invalid("body", "body is required")
	}
	if n := utf8.RuneCountInString(in.Body); n > MaxNoteChars {
		return invalid("body", "body is %d characters; the maximum is %d", n, MaxNoteChars)
	}
	if utf8.RuneCountInString(in.Author) > MaxAuthorChars {
		return invalid("author", "at most %d characters", MaxAuthorChars)
	}
	return nil
}

// idemEntry is the response remembered for an Idempotency-Key: the note
// of an AddNote or the customer returned by an Update.
type idemEntry struct {
	note     *Note
	customer *Customer
}

// Store is an in-memory, concurrency-safe customer store. Every value it
// returns is a deep copy.
type Store struct {
	mu   sync.RWMutex
	byID map[string]*Customer
	ids  []string // sorted
	idem idem.Table[idemEntry]
	now  func() time.Time
}

// NewStore returns a store holding deep copies of customers. Later duplicates
// of an ID replace earlier ones.
func NewStore(customers []Customer) *Store {
	s := &Store{now: time.Now}
	s.Replace(customers)
	return s
}

// SampleStore returns a store loaded with SampleCustomers().
func SampleStore() *Store { return NewStore(SampleCustomers()) }

// SetClock replaces the clock used for created_at/updated_at of writes.
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Replace swaps the whole data set (and forgets idempotency keys).
func (s *Store) Replace(customers []Customer) {
	byID := make(map[string]*Customer, len(customers))
	for _, c := range customers {
		cc := c.Clone()
		byID[cc.ID] = &cc
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID, s.ids = byID, ids
	s.idem.Reset()
}

// Len is the number of customers.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.ids)
}

// List returns every customer ordered by id.
func (s *Store) List() []Customer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Customer, 0, len(s.ids))
	for _, id := range s.ids {
		out = append(out, s.byID[id].Clone())
	}
	return out
}

// Get returns one customer.
func (s *Store) Get(id string) (Customer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.byID[id]
	if !ok {
		return Customer{}, ErrNotFound
	}
	return c.Clone(), nil
}

// Search returns one page of matching customers ordered by id, and the total
// number of matches.
func (s *Store) Search(q Query) ([]Customer, int, error) {
	limit, err := domainkit.Window(q.Limit, q.Offset, DefaultLimit, MaxLimit, domainkit.FailNamed)
	if err != nil {
		return nil, 0, err
	}
	needle := strings.ToLower(strings.TrimSpace(q.Q))
	s.mu.RLock()
	defer s.mu.RUnlock()
	page, total := domainkit.Page(s.ids, q.Offset, limit, func(id string) bool {
		c := s.byID[id]
		return (q.Region == "" || c.Region == q.Region) && (needle == "" || matches(c, needle))
	}, func(id string) Customer { return s.byID[id].Clone() })
	return page, total, nil
}

func matches(c *Customer, needle string) bool {
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), needle) }
	if has(c.ID) || has(c.Name) || has(c.Company) || has(c.Email) {
		return true
	}
	for _, t := range c.Tags {
		if has(t) {
			return true
		}
	}
	for _, a := range c.Addresses {
		if has(a.City) {
			return true
		}
	}
	return false
}

func checkKey(key string) error { return idem.CheckKey(key, domainkit.Fail) }

// AddNote appends a note. With a non-empty idempotency key, a repeat of the
// same request returns the original note and replayed=true without writing;
// the same key with a different request is ErrIdempotencyConflict.
func (s *Store) AddNote(id string, in NoteInput, idemKey string) (note Note, replayed bool, err error) {
	if err := checkKey(idemKey); err != nil {
		return Note{}, false, err
	}
	if err := ValidateNote(in); err != nil {
		return Note{}, false, err
	}
	if strings.TrimSpace(in.Author) == "" {
		in.Author = defaultNoteAuthor
	}
	fp := idem.Fingerprint("add_note", id, in)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok, err := s.idem.Lookup(idemKey, fp); err != nil || (ok && e.note == nil) {
		return Note{}, false, ErrIdempotencyConflict
	} else if ok {
		return *e.note, true, nil
	}
	c, ok := s.byID[id]
	if !ok {
		return Note{}, false, ErrNotFound
	}
	now := s.now().UTC().Truncate(time.Second)
	note = Note{ID: s.nextNoteID(c), Author: in.Author, Body: in.Body, CreatedAt: now}
	c.Notes = append(c.Notes, note)
	c.UpdatedAt = now
	if idemKey != "" {
		n := note
		s.idem.Remember(idemKey, fp, idemEntry{note: &n})
	}
	return note, false, nil
}

func (s *Store) nextNoteID(c *Customer) string {
	used := make(map[string]bool, len(c.Notes))
	for _, n := range c.Notes {
		used[n.ID] = true
	}
	for i := len(c.Notes) + 1; ; i++ {
		id := fmt.Sprintf("%s-N%03d", c.ID, i)
		if !used[id] {
			return id
		}
	}
}

// Update applies a patch, bumps version and updated_at, and returns the
// updated record. Idempotency keys behave as in AddNote (a replay returns the
// record as it was returned the first time).
func (s *Store) Update(id string, p Patch, idemKey string) (c Customer, replayed bool, err error) {
	if err := checkKey(idemKey); err != nil {
		return Customer{}, false, err
	}
	if err := p.Validate(); err != nil {
		return Customer{}, false, err
	}
	fp := idem.Fingerprint("update", id, p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok, err := s.idem.Lookup(idemKey, fp); err != nil || (ok && e.customer == nil) {
		return Customer{}, false, ErrIdempotencyConflict
	} else if ok {
		return e.customer.Clone(), true, nil
	}
	cur, ok := s.byID[id]
	if !ok {
		return Customer{}, false, ErrNotFound
	}
	if p.Email != nil {
		cur.Email = *p.Email
	}
	if p.Phone != nil {
		cur.Phone = *p.Phone
	}
	if p.Tier != nil {
		cur.Tier = *p.Tier
	}
	if p.Status != nil {
		cur.Status = *p.Status
	}
	if p.Owner != nil {
		cur.Owner = strings.TrimSpace(*p.Owner)
	}
	if p.Tags != nil {
		cur.Tags = slices.Clone(*p.Tags)
	}
	for k, v := range p.CustomFields {
		if v == nil {
			delete(cur.CustomFields, k)
		} else {
			cur.CustomFields[k] = *v
		}
	}
	cur.normalize()
	cur.Version++
	cur.UpdatedAt = s.now().UTC().Truncate(time.Second)
	out := cur.Clone()
	if idemKey != "" {
		snap := cur.Clone()
		s.idem.Remember(idemKey, fp, idemEntry{customer: &snap})
	}
	return out, false, nil
}

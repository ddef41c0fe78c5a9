// Package crmfake is an in-memory CRM port for handler unit tests: customers
// in a map, notes and updates applied once per idempotency key, and errors
// injected per method.
package crmfake

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Fake is a crm.Backend in memory. The zero value is not usable: call New.
type Fake struct {
	mu        sync.Mutex
	ids       crm.IDFormat
	customers map[string]*crm.Customer // notes newest first, NotesTotal kept
	notes     map[string]crm.Note      // idempotency key → the note it wrote
	updates   map[string]bool          // idempotency keys of updates applied
	nextNote  int
	// Err, when it returns non-nil for a method ("Search", "Get",
	// "AddNote", "Update", "Ping"), makes that call fail with it.
	Err func(method string) error
	// Calls counts calls per method.
	Calls map[string]int
	// Views records the View of every Get.
	Views []crm.View
}

var _ crm.Backend = (*Fake)(nil)

// ReferenceIDs is the reference API's id format, the fake's default.
var ReferenceIDs = crm.IDFormat{Pattern: "^C-[0-9]{1,10}$", Example: "C-1042", Prefix: "C-"}

// New returns a fake holding copies of cs (notes newest first), with the
// reference id format.
func New(cs ...crm.Customer) *Fake {
	f := &Fake{ids: ReferenceIDs, customers: map[string]*crm.Customer{}, notes: map[string]crm.Note{}, updates: map[string]bool{}, Calls: map[string]int{}}
	for _, c := range cs {
		c.Notes = slices.Clone(c.Notes)
		c.NotesTotal = len(c.Notes)
		f.customers[c.ID] = &c
	}
	return f
}

// WithIDs sets the id format the fake reports.
func (f *Fake) WithIDs(ids crm.IDFormat) *Fake { f.ids = ids; return f }

// Customer returns a copy of the stored record of id.
func (f *Fake) Customer(id string) (crm.Customer, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.customers[id]
	if !ok {
		return crm.Customer{}, false
	}
	return *c, true
}

func (f *Fake) enter(method string) error {
	f.mu.Lock()
	f.Calls[method]++
	f.mu.Unlock()
	if f.Err != nil {
		return f.Err(method)
	}
	return nil
}

// IDFormat reports the configured id format.
func (f *Fake) IDFormat() crm.IDFormat { return f.ids }

// Ping fails only when Err says so.
func (f *Fake) Ping(context.Context) error { return f.enter("Ping") }

// Search matches q.Text case-insensitively against id, name, company,
// email, tags and cities; results are ordered by id.
func (f *Fake) Search(_ context.Context, q crm.SearchQuery) (*crm.SearchResult, error) {
	if err := f.enter("Search"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	text := strings.ToLower(q.Text)
	var hits []crm.Customer
	for _, c := range f.customers {
		if q.Region != "" && c.Region != q.Region {
			continue
		}
		hay := []string{c.ID, c.Name, c.Company, c.Email}
		hay = append(hay, c.Tags...)
		for _, a := range c.Addresses {
			hay = append(hay, a.City)
		}
		if text == "" || slices.ContainsFunc(hay, func(s string) bool { return strings.Contains(strings.ToLower(s), text) }) {
			hits = append(hits, *c)
		}
	}
	slices.SortFunc(hits, func(a, b crm.Customer) int { return cmp.Compare(a.ID, b.ID) })
	res := &crm.SearchResult{Total: len(hits)}
	lo, hi := min(q.Offset, len(hits)), min(q.Offset+q.Limit, len(hits))
	res.Customers = hits[lo:hi]
	return res, nil
}

// Get returns a copy of the record with the v.Notes newest notes.
func (f *Fake) Get(_ context.Context, id string, v crm.View) (*crm.Customer, error) {
	if err := f.enter("Get"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Views = append(f.Views, v)
	c, ok := f.customers[id]
	if !ok {
		return nil, port.NotFound("Get "+id, "no customer "+id)
	}
	out := *c
	out.Notes = slices.Clone(c.Notes[:min(v.Notes, len(c.Notes))])
	return &out, nil
}

// write counts a write call and finds its customer; on success f.mu is
// held and unlock releases it.
func (f *Fake) write(method, id string) (c *crm.Customer, unlock func(), err error) {
	if err := f.enter(method); err != nil {
		return nil, nil, err
	}
	f.mu.Lock()
	c, ok := f.customers[id]
	if !ok {
		f.mu.Unlock()
		return nil, nil, port.NotFound(method+" "+id, "no customer "+id)
	}
	return c, f.mu.Unlock, nil
}

// AddNote prepends the note; a key seen before returns its note, replayed.
func (f *Fake) AddNote(_ context.Context, id string, n crm.NewNote, key string) (*crm.Note, port.Write, error) {
	c, unlock, err := f.write("AddNote", id)
	if err != nil {
		return nil, port.Write{}, err
	}
	defer unlock()
	if prev, ok := f.notes[key]; ok {
		return &prev, port.Write{Replayed: true, RequestID: "fake-" + key}, nil
	}
	f.nextNote++
	note := crm.Note{ID: fmt.Sprintf("N-%d", f.nextNote), Author: n.Author, Body: n.Body, CreatedAt: time.Now().UTC().Format(time.RFC3339)}
	c.Notes = append([]crm.Note{note}, c.Notes...)
	c.NotesTotal++
	f.notes[key] = note
	return &note, port.Write{RequestID: "fake-" + key}, nil
}

// Update applies p once per key and bumps the version.
func (f *Fake) Update(_ context.Context, id string, p crm.Patch, key string) (*crm.Customer, port.Write, error) {
	c, unlock, err := f.write("Update", id)
	if err != nil {
		return nil, port.Write{}, err
	}
	defer unlock()
	if f.updates[key] {
		out := *c
		return &out, port.Write{Replayed: true}, nil
	}
	for _, s := range []struct {
		v   *string
		dst *string
	}{{p.Email, &c.Email}, {p.Phone, &c.Phone}, {p.Tier, &c.Tier}, {p.Status, &c.Status}, {p.Owner, &c.Owner}} {
		if s.v != nil {
			*s.dst = *s.v
		}
	}
	if p.Tags != nil {
		c.Tags = slices.Clone(p.Tags)
	}
	c.Version++
	f.updates[key] = true
	out := *c
	return &out, port.Write{}, nil
}

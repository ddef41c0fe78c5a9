package crm

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestStoreCopies(t *testing.T) {
	in := []Customer{{ID: "C-2", Name: "B"}, {ID: "C-1", Name: "A", Tags: []string{"x"}}}
	s := NewStore(in)
	in[1].Tags[0] = "mutated"
	c, err := s.Get("C-1")
	if err != nil || c.Tags[0] != "x" {
		t.Fatalf("store shares input slices: %v %v", c.Tags, err)
	}
	c.Tags[0] = "mutated"
	c2, _ := s.Get("C-1")
	if c2.Tags[0] != "x" {
		t.Fatal("Get returns shared slices")
	}
	if l := s.List(); len(l) != 2 || l[0].ID != "C-1" || s.Len() != 2 {
		t.Fatalf("List not ordered by id: %v", l)
	}
	b, _ := json.Marshal(c2)
	for _, k := range []string{`"notes":[]`, `"custom_fields":{}`, `"activity":[]`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("empty collections must marshal as []/{}: missing %s in %s", k, b)
		}
	}
	if _, err := s.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(nope) = %v", err)
	}
}

func TestStoreConcurrent(t *testing.T) {
	s := SampleStore()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				tier := Tiers[(i+j)%len(Tiers)]
				_, _, _ = s.Update("C-1010", Patch{Tier: &tier}, "")
				_, _, _ = s.AddNote("C-1010", NoteInput{Body: "n"}, "")
				_, _, _ = s.Search(Query{Q: "c-101"})
				_, _ = s.Get("C-1010")
			}
		}()
	}
	wg.Wait()
	c, _ := s.Get("C-1010")
	orig := SampleCustomers()[9]
	if c.Version != orig.Version+160 || len(c.Notes) != len(orig.Notes)+160 {
		t.Errorf("version %d notes %d", c.Version-orig.Version, len(c.Notes)-len(orig.Notes))
	}
	ids := map[string]bool{}
	for _, n := range c.Notes {
		if ids[n.ID] {
			t.Fatalf("duplicate note id %s", n.ID)
		}
		ids[n.ID] = true
	}
}

func TestParseFixtures(t *testing.T) {
	good := `{"customers":[{"id":"C-1","name":"A","region":"emea"},{"id":"C-2"}]}`
	cs, err := ParseFixtures(json.RawMessage(good))
	if err != nil || len(cs) != 2 || cs[1].Version != 1 {
		t.Fatalf("%v %v", cs, err)
	}
	for name, bad := range map[string]string{
		"no customers":  `{}`,
		"unknown field": `{"customers":[],"accounts":[]}`,
		"missing id":    `{"customers":[{"name":"x"}]}`,
		"duplicate id":  `{"customers":[{"id":"C-1"},{"id":"C-1"}]}`,
		"bad region":    `{"customers":[{"id":"C-1","region":"mars"}]}`,
		"bad tier":      `{"customers":[{"id":"C-1","tier":"wood"}]}`,
		"unknown cust":  `{"customers":[{"id":"C-1","nickname":"x"}]}`,
		"not object":    `[]`,
	} {
		if _, err := ParseFixtures(json.RawMessage(bad)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	d := NewDomain()
	if err := d.LoadFixtures(json.RawMessage(good)); err != nil || d.Store().Len() != 2 {
		t.Fatalf("LoadFixtures: %v len=%d", err, d.Store().Len())
	}
	if d.Name() != "crm" || d.Handler() == nil {
		t.Error("domain basics")
	}
}

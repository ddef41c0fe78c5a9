package domainkit

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
)

func TestWindow(t *testing.T) {
	if l, err := Window(0, 0, 20, 100, FailNamed); l != 20 || err != nil {
		t.Errorf("default: %d %v", l, err)
	}
	if _, err := Window(101, 0, 20, 100, FailNamed); err == nil || err.Error() != "limit: limit must be between 1 and 100, got 101" {
		t.Errorf("limit: %v", err)
	}
	if _, err := Window(5, -1, 20, 100, Fail); err == nil || err.Error() != "offset: must be >= 0, got -1" {
		t.Errorf("offset: %v", err)
	}
}

func TestPage(t *testing.T) {
	even := func(i int) bool { return i%2 == 0 }
	double := func(i int) int { return 2 * i }
	page, total := Page([]int{0, 1, 2, 3, 4, 5, 6, 7, 8}, 1, 2, even, double)
	if !reflect.DeepEqual(page, []int{4, 8}) || total != 5 {
		t.Errorf("%v %d", page, total)
	}
	if page, total := Page([]int{1}, 0, 5, even, double); page == nil || len(page) != 0 || total != 0 {
		t.Errorf("empty: %#v %d", page, total)
	}
}

type fixtures struct {
	Things []string `json:"things"`
}

func TestDecodeFixtures(t *testing.T) {
	present := func(f *fixtures) bool { return f.Things != nil }
	if f, err := DecodeFixtures("x", "things", json.RawMessage(`{"things":["a"]}`), present); err != nil || len(f.Things) != 1 {
		t.Errorf("good: %v %v", f, err)
	}
	if _, err := DecodeFixtures("x", "things", json.RawMessage(`{}`), present); err == nil || err.Error() != `x fixtures: missing "things" array` {
		t.Errorf("missing: %v", err)
	}
	if _, err := DecodeFixtures("x", "things", json.RawMessage(`{"other":1}`), present); err == nil {
		t.Error("unknown field accepted")
	}
}

type item struct{ tags []string }

func (i item) Clone() item { return item{tags: append([]string(nil), i.tags...)} }

func TestSamplesAndAdapter(t *testing.T) {
	calls := 0
	get := Samples(func() []item { calls++; return []item{{tags: []string{"a"}}} })
	a := get()
	a[0].tags[0] = "changed"
	if b := get(); b[0].tags[0] != "a" || calls != 1 {
		t.Errorf("samples: %v, %d generations", b, calls)
	}

	built := 0
	ad := NewAdapter("x", 42, func(s int) http.Handler { built++; return http.NotFoundHandler() })
	ad.Handler()
	ad.Handler()
	if ad.Name() != "x" || ad.Store() != 42 || built != 1 {
		t.Errorf("adapter: %q %d built %d times", ad.Name(), ad.Store(), built)
	}
}

package tools

import (
	"fmt"
	"testing"
)

func TestRouteCacheIsBounded(t *testing.T) {
	c := routeCache{max: 3}
	if _, ok := c.get("quo_1"); ok {
		t.Fatal("empty cache answered")
	}
	c.put("", "ignored")
	for i := 1; i <= 5; i++ {
		c.put(fmt.Sprintf("quo_%d", i), fmt.Sprintf("route %d", i))
	}
	c.put("quo_5", "route 5b") // an update does not evict
	for i := 1; i <= 5; i++ {
		r, ok := c.get(fmt.Sprintf("quo_%d", i))
		if want := i >= 3; ok != want {
			t.Errorf("quo_%d kept=%v, want %v", i, ok, want)
		}
		if i == 5 && r != "route 5b" {
			t.Errorf("quo_5: %q", r)
		}
	}
	if len(c.m) != 3 || len(c.order) != 3 {
		t.Errorf("size %d/%d", len(c.m), len(c.order))
	}
}

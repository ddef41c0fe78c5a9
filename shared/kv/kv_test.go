package kv

import (
	"context"
	"testing"
	"time"
)

// StoreContract runs the behaviour every Store must have.
func StoreContract(t *testing.T, s Store, advance func(time.Duration)) {
	ctx := context.Background()
	ok, err := s.SetNX(ctx, "a", []byte("1"), time.Minute)
	if !ok || err != nil {
		t.Fatalf("first SetNX: %v %v", ok, err)
	}
	if ok, _ := s.SetNX(ctx, "a", []byte("2"), time.Minute); ok {
		t.Error("second SetNX succeeded")
	}
	if v, ok, _ := s.Get(ctx, "a"); !ok || string(v) != "1" {
		t.Errorf("Get: %q %v", v, ok)
	}
	s.Set(ctx, "a", []byte("3"), time.Minute)
	if v, _, _ := s.Get(ctx, "a"); string(v) != "3" {
		t.Errorf("Set did not replace: %q", v)
	}
	s.Set(ctx, "p:1", []byte("x"), time.Minute)
	s.Set(ctx, "p:2", []byte("y"), time.Minute)
	if keys, _ := s.Keys(ctx, "p:", 10); len(keys) != 2 {
		t.Errorf("Keys: %v", keys)
	}
	if ok, err := s.CompareAndSwap(ctx, "a", []byte("2"), []byte("4"), time.Minute); ok || err != nil {
		t.Errorf("CompareAndSwap with a stale value swapped: %v %v", ok, err)
	}
	if ok, err := s.CompareAndSwap(ctx, "missing", []byte("3"), []byte("4"), time.Minute); ok || err != nil {
		t.Errorf("CompareAndSwap on a missing key swapped: %v %v", ok, err)
	}
	// Eight racers, one winner.
	wins := make(chan bool, 8)
	for i := range 8 {
		go func() {
			ok, _ := s.CompareAndSwap(ctx, "a", []byte("3"), []byte{'w', byte('0' + i)}, time.Minute)
			wins <- ok
		}()
	}
	n := 0
	for range 8 {
		if <-wins {
			n++
		}
	}
	if n != 1 {
		t.Errorf("CompareAndSwap: %d of 8 concurrent swaps won, want exactly 1", n)
	}
	s.Del(ctx, "a")
	if _, ok, _ := s.Get(ctx, "a"); ok {
		t.Error("Del did not delete")
	}
	s.Set(ctx, "short", []byte("x"), 50*time.Millisecond)
	advance(100 * time.Millisecond)
	if _, ok, _ := s.Get(ctx, "short"); ok {
		t.Error("value outlived its TTL")
	}
	if ok, _ := s.SetNX(ctx, "short", []byte("y"), time.Minute); !ok {
		t.Error("SetNX refused after expiry")
	}
	// Counters: atomic, start at 0, expire after the TTL of their first
	// increment (later increments do not extend it).
	for i, want := range []int64{1, 3, 2} {
		if n, err := s.IncrBy(ctx, "c", []int64{1, 2, -1}[i], 80*time.Millisecond); n != want || err != nil {
			t.Errorf("IncrBy #%d: %d %v, want %d", i, n, err, want)
		}
	}
	advance(100 * time.Millisecond)
	if n, _ := s.IncrBy(ctx, "c", 1, time.Minute); n != 1 {
		t.Errorf("counter outlived its TTL: %d", n)
	}
}

func TestMemory(t *testing.T) {
	m := NewMemory()
	now := time.Unix(1000, 0)
	m.now = func() time.Time { return now }
	StoreContract(t, m, func(d time.Duration) { now = now.Add(d) })
}

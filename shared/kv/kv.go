// Package kv is the small key-value store behind idempotency records and
// pending approvals: in memory by default (one process), or Redis when
// MCP_REDIS_URL is set, so that replicas share it.
package kv

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Store is what idempotency and approvals need.
type Store interface {
	// SetNX stores val under key only if key is absent; it reports whether it did.
	SetNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error)
	// Set stores val under key, replacing any value.
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// Get returns the value of key; ok is false when it is absent or expired.
	Get(ctx context.Context, key string) (val []byte, ok bool, err error)
	// Del removes key.
	Del(ctx context.Context, key string) error
	// CompareAndSwap replaces key's value with val only if it is currently
	// old (byte for byte); it reports whether it did. This is what makes a
	// one-time approval single-use under any concurrency.
	CompareAndSwap(ctx context.Context, key string, old, val []byte, ttl time.Duration) (bool, error)
	// Keys lists the live keys with prefix (bounded by limit).
	Keys(ctx context.Context, prefix string, limit int) ([]string, error)
	// IncrBy adds delta to the integer counter at key, atomically, and
	// returns the new value. A counter that does not exist starts at 0 and
	// expires after ttl (ttl <= 0: never); adding to a live one keeps its
	// expiry. Quotas shared by replicas are built on it.
	IncrBy(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error)
	Close() error
}

// ErrUnavailable wraps failures of the store itself.
var ErrUnavailable = errors.New("state store unavailable")

// Memory is a Store in process memory, with expiry.
type Memory struct {
	mu  sync.Mutex
	m   map[string]entry
	now func() time.Time
}

type entry struct {
	val []byte
	exp time.Time
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{m: map[string]entry{}, now: time.Now} }

func (s *Memory) live(k string) (entry, bool) {
	e, ok := s.m[k]
	if ok && !e.exp.IsZero() && !s.now().Before(e.exp) {
		delete(s.m, k)
		return entry{}, false
	}
	return e, ok
}

func (s *Memory) expiry(ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return s.now().Add(ttl)
}

// SetNX implements Store.
func (s *Memory) SetNX(_ context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.live(key); ok {
		return false, nil
	}
	s.gcLocked()
	s.m[key] = entry{val: append([]byte(nil), val...), exp: s.expiry(ttl)}
	return true, nil
}

// Set implements Store.
func (s *Memory) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gcLocked()
	s.m[key] = entry{val: append([]byte(nil), val...), exp: s.expiry(ttl)}
	return nil
}

// Get implements Store.
func (s *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return nil, false, nil
	}
	return append([]byte(nil), e.val...), true, nil
}

// CompareAndSwap implements Store.
func (s *Memory) CompareAndSwap(_ context.Context, key string, old, val []byte, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok || string(e.val) != string(old) {
		return false, nil
	}
	s.m[key] = entry{val: append([]byte(nil), val...), exp: s.expiry(ttl)}
	return true, nil
}

// Del implements Store.
func (s *Memory) Del(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	return nil
}

// Keys implements Store.
func (s *Memory) Keys(_ context.Context, prefix string, limit int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			if _, ok := s.live(k); ok {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// IncrBy implements Store.
func (s *Memory) IncrBy(_ context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	var n int64
	if ok {
		v, err := strconv.ParseInt(string(e.val), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("kv: %s does not hold a counter", key)
		}
		n = v
	} else {
		s.gcLocked()
		e.exp = s.expiry(ttl)
	}
	n += delta
	e.val = strconv.AppendInt(nil, n, 10)
	s.m[key] = e
	return n, nil
}

// Close implements Store.
func (s *Memory) Close() error { return nil }

// gcLocked drops expired entries when the map grows large.
func (s *Memory) gcLocked() {
	if len(s.m) < 10000 {
		return
	}
	for k := range s.m {
		s.live(k)
	}
}

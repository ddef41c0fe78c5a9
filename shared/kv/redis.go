package kv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store in Redis (github.com/redis/go-redis), shared by every
// replica pointed at it.
type Redis struct{ c *redis.Client }

// Open returns the store for url: "" or "memory" for in-memory, or a
// redis:// (rediss:// for TLS) URL.
func Open(ctx context.Context, url string) (Store, error) {
	if url == "" || url == "memory" {
		return NewMemory(), nil
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("MCP_REDIS_URL: %w", err)
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 2*time.Second, time.Second, time.Second
	c := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("%w: redis at %s: %v", ErrUnavailable, opt.Addr, err)
	}
	return &Redis{c: c}, nil
}

func wrap(err error) error {
	if err == nil || errors.Is(err, redis.Nil) {
		return nil
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

// SetNX implements Store.
func (r *Redis) SetNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	ok, err := r.c.SetNX(ctx, key, val, ttl).Result()
	return ok, wrap(err)
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return wrap(r.c.Set(ctx, key, val, ttl).Err())
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := r.c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap(err)
	}
	return b, true, nil
}

// casScript swaps KEYS[1] to ARGV[2] (with PX ARGV[3] when > 0) only if
// its value is ARGV[1]; Redis runs it atomically.
var casScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[3]) > 0 then
    redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
  else
    redis.call("SET", KEYS[1], ARGV[2])
  end
  return 1
end
return 0`)

// CompareAndSwap implements Store.
func (r *Redis) CompareAndSwap(ctx context.Context, key string, old, val []byte, ttl time.Duration) (bool, error) {
	n, err := casScript.Run(ctx, r.c, []string{key}, old, val, ttl.Milliseconds()).Int()
	if err != nil {
		return false, wrap(err)
	}
	return n == 1, nil
}

// Del implements Store.
func (r *Redis) Del(ctx context.Context, key string) error { return wrap(r.c.Del(ctx, key).Err()) }

// Keys implements Store (SCAN, bounded).
func (r *Redis) Keys(ctx context.Context, prefix string, limit int) ([]string, error) {
	var out []string
	it := r.c.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for it.Next(ctx) {
		out = append(out, it.Val())
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, wrap(it.Err())
}

// incrBy adds to a counter and sets its expiry only when it has none, in
// one atomic step.
var incrBy = redis.NewScript(`
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return n`)

// IncrBy implements Store.
func (r *Redis) IncrBy(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	n, err := incrBy.Run(ctx, r.c, []string{key}, delta, ttl.Milliseconds()).Int64()
	return n, wrap(err)
}

// Close implements Store.
func (r *Redis) Close() error { return r.c.Close() }

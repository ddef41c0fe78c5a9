package kv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/gomodule/redigo/redis"
)

// Redis is a Store in Redis (github.com/gomodule/redigo: a small client
// whose pool and script helpers are all this store needs; go-redis cost
// every server binary 1.9 MB and about 1 MB of idle RSS), shared by every
// replica pointed at it.
type Redis struct{ p *redis.Pool }

// Timeouts of one connection; a command also ends at its context's deadline.
const (
	redisDialTimeout  = 2 * time.Second
	redisIOTimeout    = time.Second
	redisPingTimeout  = 3 * time.Second
	redisMaxActive    = 64 // connections open at once; more callers wait (bounded by their context)
	redisMaxIdle      = 8
	redisIdleTimeout  = 5 * time.Minute
	redisTestIdleOver = time.Minute // a connection idle this long is pinged before use
)

// Open returns the store for url: "" or "memory" for in-memory, or a
// redis:// (rediss:// for TLS) URL, redis://[user:password@]host[:port][/db].
func Open(ctx context.Context, rawURL string) (Store, error) {
	if rawURL == "" || rawURL == "memory" {
		return NewMemory(), nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("MCP_REDIS_URL: %w", err)
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, fmt.Errorf("MCP_REDIS_URL: scheme %q: want redis:// or rediss://", u.Scheme)
	}
	p := &redis.Pool{
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialURLContext(ctx, rawURL,
				redis.DialConnectTimeout(redisDialTimeout),
				redis.DialReadTimeout(redisIOTimeout),
				redis.DialWriteTimeout(redisIOTimeout))
		},
		TestOnBorrow: func(c redis.Conn, used time.Time) error {
			if time.Since(used) < redisTestIdleOver {
				return nil
			}
			_, err := c.Do("PING")
			return err
		},
		MaxIdle:     redisMaxIdle,
		MaxActive:   redisMaxActive,
		IdleTimeout: redisIdleTimeout,
		Wait:        true,
	}
	pctx, cancel := context.WithTimeout(ctx, redisPingTimeout)
	defer cancel()
	c, err := p.GetContext(pctx)
	if err == nil {
		_, err = redis.DoContext(c, pctx, "PING")
		c.Close()
	}
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("%w: redis at %s: %v", ErrUnavailable, u.Host, err)
	}
	return &Redis{p: p}, nil
}

// do runs one command on a pooled connection. A nil reply is (nil, nil);
// any failure is wrapped in ErrUnavailable.
func (r *Redis) do(ctx context.Context, cmd string, args ...any) (any, error) {
	c, err := r.p.GetContext(ctx)
	if err != nil {
		return nil, wrap(err)
	}
	defer c.Close()
	v, err := redis.DoContext(c, ctx, cmd, args...)
	return v, wrap(err)
}

// eval runs a script (EVALSHA, loading it on NOSCRIPT) with one key.
func (r *Redis) eval(ctx context.Context, s *redis.Script, keysAndArgs ...any) (any, error) {
	c, err := r.p.GetContext(ctx)
	if err != nil {
		return nil, wrap(err)
	}
	defer c.Close()
	v, err := s.DoContext(ctx, c, keysAndArgs...)
	return v, wrap(err)
}

func wrap(err error) error {
	if err == nil || errors.Is(err, redis.ErrNil) {
		return nil
	}
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// px is a TTL as SET's PX argument list (none for ttl <= 0: no expiry).
func px(ttl time.Duration) []any {
	if ms := ttl.Milliseconds(); ms > 0 {
		return []any{"PX", ms}
	}
	return nil
}

// SetNX implements Store.
func (r *Redis) SetNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	v, err := r.do(ctx, "SET", append([]any{key, val, "NX"}, px(ttl)...)...)
	if err != nil {
		return false, err
	}
	return v != nil, nil // "OK", or nil when the key exists
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	_, err := r.do(ctx, "SET", append([]any{key, val}, px(ttl)...)...)
	return err
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.do(ctx, "GET", key)
	if err != nil || v == nil {
		return nil, false, err
	}
	b, err := redis.Bytes(v, nil)
	if err != nil {
		return nil, false, wrap(err)
	}
	return b, true, nil
}

// casScript swaps KEYS[1] to ARGV[2] (with PX ARGV[3] when > 0) only if
// its value is ARGV[1]; Redis runs it atomically.
var casScript = redis.NewScript(1, `
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
	n, err := redis.Int(r.eval(ctx, casScript, key, old, val, ttl.Milliseconds()))
	if err != nil {
		return false, wrap(err)
	}
	return n == 1, nil
}

// Del implements Store.
func (r *Redis) Del(ctx context.Context, key string) error {
	_, err := r.do(ctx, "DEL", key)
	return err
}

// Keys implements Store (SCAN, bounded).
func (r *Redis) Keys(ctx context.Context, prefix string, limit int) ([]string, error) {
	var out []string
	cursor := "0"
	for {
		v, err := redis.Values(r.do(ctx, "SCAN", cursor, "MATCH", prefix+"*", "COUNT", 100))
		if err != nil {
			return out, wrap(err)
		}
		if len(v) != 2 {
			return out, wrap(fmt.Errorf("SCAN: %d-element reply", len(v)))
		}
		if cursor, err = redis.String(v[0], nil); err != nil {
			return out, wrap(err)
		}
		keys, err := redis.Strings(v[1], nil)
		if err != nil {
			return out, wrap(err)
		}
		for _, k := range keys {
			out = append(out, k)
			if limit > 0 && len(out) >= limit {
				return out, nil
			}
		}
		if cursor == "0" {
			return out, nil
		}
	}
}

// incrBy adds to a counter and sets its expiry only when it has none, in
// one atomic step.
var incrBy = redis.NewScript(1, `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return n`)

// IncrBy implements Store.
func (r *Redis) IncrBy(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	n, err := redis.Int64(r.eval(ctx, incrBy, key, delta, ttl.Milliseconds()))
	return n, wrap(err)
}

// Close implements Store.
func (r *Redis) Close() error { return r.p.Close() }

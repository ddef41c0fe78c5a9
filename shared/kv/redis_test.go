package kv_test

import (
	"context"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/shared/kv"
	"github.com/bizmcp/bizmcp/shared/kv/kvtest"
)

// TestRedis runs the contract against a real redis-server: $BIZMCP_REDIS_URL,
// or one started here when the binary is installed (CI installs it).
func TestRedis(t *testing.T) {
	url := kvtest.RedisForTest(t)
	s, err := kv.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Unique prefix: the server may be shared.
	kv.StoreContract(t, prefixed{s, "test-" + time.Now().Format("150405.000000") + ":"}, func(d time.Duration) { time.Sleep(d) })
}

type prefixed struct {
	kv.Store
	p string
}

func (p prefixed) SetNX(ctx context.Context, k string, v []byte, ttl time.Duration) (bool, error) {
	return p.Store.SetNX(ctx, p.p+k, v, ttl)
}
func (p prefixed) Set(ctx context.Context, k string, v []byte, ttl time.Duration) error {
	return p.Store.Set(ctx, p.p+k, v, ttl)
}
func (p prefixed) Get(ctx context.Context, k string) ([]byte, bool, error) {
	return p.Store.Get(ctx, p.p+k)
}
func (p prefixed) CompareAndSwap(ctx context.Context, k string, old, v []byte, ttl time.Duration) (bool, error) {
	return p.Store.CompareAndSwap(ctx, p.p+k, old, v, ttl)
}
func (p prefixed) IncrBy(ctx context.Context, k string, d int64, ttl time.Duration) (int64, error) {
	return p.Store.IncrBy(ctx, p.p+k, d, ttl)
}
func (p prefixed) Del(ctx context.Context, k string) error { return p.Store.Del(ctx, p.p+k) }
func (p prefixed) Keys(ctx context.Context, prefix string, limit int) ([]string, error) {
	return p.Store.Keys(ctx, p.p+prefix, limit)
}

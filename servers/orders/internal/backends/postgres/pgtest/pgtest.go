// Package pgtest gives tests a PostgreSQL database of their own holding the
// reference schema and the --demo sample orders. The server comes from
// ORDERS_TEST_DATABASE_URL (test/pg/start.sh starts one and prints it);
// without it the tests skip, except under CI=true, where they fail.
package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mockorders "github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/bizmcp/bizmcp/servers/orders/internal/backends/postgres"
	"github.com/jackc/pgx/v5"
)

// Env is the variable naming the test server (a superuser URL).
const Env = "ORDERS_TEST_DATABASE_URL"

// AdminURL returns the test server's URL, or skips (fails under CI=true).
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must start PostgreSQL (test/pg/start.sh)", Env)
		}
		t.Skipf("%s is not set: run eval \"$(test/pg/start.sh)\" to test against PostgreSQL", Env)
	}
	return u
}

// WithDB returns u pointing at database db (and user/password when set).
func WithDB(t testing.TB, u, db string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	p.Path = "/" + db
	return p.String()
}

// WithUser returns u with another user and password.
func WithUser(t testing.TB, u, user, password string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p.User = url.UserPassword(user, password)
	return p.String()
}

var seq atomic.Int64

// Exec runs statements on the database at u.
func Exec(t testing.TB, u string, sql ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	for _, s := range sql {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// Count runs a count query on u.
func Count(t testing.TB, u, sql string, args ...any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// NewDB creates a database for this test from a template holding the
// migrated reference schema and the sample orders, and drops it when the
// test ends. It returns the database's URL (superuser).
func NewDB(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	tmpl := template(t, admin)
	name := fmt.Sprintf("t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, seq.Add(1))
	Exec(t, admin, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl))
	t.Cleanup(func() { Exec(t, admin, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)) })
	return WithDB(t, admin, name)
}

// EmptyDB creates an empty database (no schema), dropped at the end.
func EmptyDB(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	name := fmt.Sprintf("e_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, seq.Add(1))
	Exec(t, admin, "CREATE DATABASE "+name)
	t.Cleanup(func() { Exec(t, admin, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)) })
	return WithDB(t, admin, name)
}

// template makes (once per content of the migrations and sample data) the
// template database, under an advisory lock so parallel test processes
// build it once.
func template(t testing.TB, admin string) string {
	t.Helper()
	h := sha256.New()
	fs.WalkDir(postgres.MigrationFiles, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(postgres.MigrationFiles, p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	json.NewEncoder(h).Encode(mockorders.SampleOrders())
	name := "bizmcp_orders_tmpl_" + hex.EncodeToString(h.Sum(nil))[:16]

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to %s: %v", Env, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(4242001)"); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock(4242001)")
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		return name
	}
	build := name + "_build"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+build+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+build); err != nil {
		t.Fatal(err)
	}
	u := WithDB(t, admin, build)
	if _, _, err := postgres.Migrate(ctx, u, 0); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if n, err := postgres.SeedDemo(ctx, u, false); err != nil || n == 0 {
		t.Fatalf("seed: %d %v", n, err)
	}
	// The server ends a backend after its client has gone, not before
	// Close returns: the connections Migrate and SeedDemo used may still be
	// open, and a database with sessions cannot be renamed (SQLSTATE
	// 55006, seen under .ci/run). End them and wait until they are gone
	// (pg_terminate_backend with a timeout waits for the exit).
	if _, err := conn.Exec(ctx, "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", build); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+build+" RENAME TO "+name); err != nil {
		t.Fatal(err)
	}
	return name
}

// Quote quotes an identifier.
func Quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

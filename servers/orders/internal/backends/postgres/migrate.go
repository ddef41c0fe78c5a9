package postgres

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"

	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/golang-migrate/migrate/v4"
	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// migrations is the reference implementation of the SQL contract:
// versioned golang-migrate files (NNNN_name.up.sql / .down.sql).
//
//go:embed migrations/*.sql
var migrations embed.FS

// MigrationFiles are the embedded migrations (tests hash them).
var MigrationFiles fs.FS = migrations

// MigrationsTable records the applied version (golang-migrate's table).
const MigrationsTable = "bizmcp_schema_migrations"

// Migrate applies the reference schema's migrations up to the newest (or,
// with steps < 0, rolls back that many) and returns the version before and
// after. Concurrent runs serialize on golang-migrate's advisory lock.
func Migrate(ctx context.Context, url string, steps int) (from, to uint, err error) {
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		return 0, 0, errors.New("ORDERS_DATABASE_URL is not a PostgreSQL connection URL")
	}
	db := stdlib.OpenDB(*cc)
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return 0, 0, classify(ctx, "connect", err)
	}
	drv, err := pgxmigrate.WithInstance(db, &pgxmigrate.Config{MigrationsTable: MigrationsTable})
	if err != nil {
		return 0, 0, fmt.Errorf("migrations table: %w", err)
	}
	src, err := iofs.New(migrations, "migrations")
	if err != nil {
		return 0, 0, err
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", drv)
	if err != nil {
		return 0, 0, err
	}
	from, dirty, err := m.Version()
	if err != nil && !errors.Is(err, migrate.ErrNilVersion) {
		return 0, 0, err
	}
	if dirty {
		return from, from, fmt.Errorf("the database is at version %d, marked dirty: a migration failed half-way; fix it by hand, then run `migrate force N` with golang-migrate's CLI", from)
	}
	if steps < 0 {
		err = m.Steps(steps)
	} else {
		err = m.Up()
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return from, from, err
	}
	to, _, err = m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		err = nil
	}
	return from, to, err
}

// Commands are orders-mcp's database subcommands.
func Commands() []app.Command {
	return []app.Command{
		{Name: "migrate", Summary: "apply the reference SQL schema, views and functions to ORDERS_DATABASE_URL (--down N rolls back N)", Run: runMigrate},
		{Name: "seed-demo", Summary: "load the --demo sample orders into the reference schema at ORDERS_DATABASE_URL (--replace to reload)", Run: runSeed},
	}
}

func commandURL(env app.CommandEnv) (string, bool) {
	url := env.Environ["ORDERS_DATABASE_URL"]
	if url == "" {
		fmt.Fprintf(env.Stderr, "%s: ORDERS_DATABASE_URL is not set; set it to the order database's URL (a role that may create schemas)\n", env.Binary)
	}
	return url, url != ""
}

func runMigrate(ctx context.Context, env app.CommandEnv) int {
	fs := flag.NewFlagSet(env.Binary+" migrate", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	down := fs.Int("down", 0, "roll back this many migrations instead of applying")
	if fs.Parse(env.Args) != nil {
		return 2
	}
	url, ok := commandURL(env)
	if !ok {
		return 2
	}
	steps := 0
	if *down > 0 {
		steps = -*down
	}
	from, to, err := Migrate(ctx, url, steps)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s migrate: %v\n", env.Binary, err)
		return 1
	}
	if from == to {
		fmt.Fprintf(env.Stdout, "schema at version %d; nothing to do\n", to)
	} else {
		fmt.Fprintf(env.Stdout, "schema migrated from version %d to %d\n", from, to)
	}
	return 0
}

func runSeed(ctx context.Context, env app.CommandEnv) int {
	fs := flag.NewFlagSet(env.Binary+" seed-demo", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	replace := fs.Bool("replace", false, "delete every order of the reference schema first")
	if fs.Parse(env.Args) != nil {
		return 2
	}
	url, ok := commandURL(env)
	if !ok {
		return 2
	}
	n, err := SeedDemo(ctx, url, *replace)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s seed-demo: %v\n", env.Binary, err)
		return 1
	}
	report(env.Stdout, n)
	return 0
}

func report(w io.Writer, n int) {
	if n == 0 {
		fmt.Fprintln(w, "the reference schema already holds orders; nothing loaded (pass --replace to reload the sample data)")
		return
	}
	fmt.Fprintf(w, "loaded %d sample orders\n", n)
}

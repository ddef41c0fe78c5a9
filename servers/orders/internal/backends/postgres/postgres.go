// Package postgres is the orders port's adapter for an order system in
// PostgreSQL, through the SQL contract documented in servers/orders/README.md:
// bizmcp reads four views in schema bizmcp (orders, order_items,
// order_notes, order_refunds) and writes only by calling two functions
// (bizmcp.cancel_order, bizmcp.refund). A company maps its own tables onto
// the contract once; migrations/ is the reference implementation, applied
// by `orders-mcp migrate`.
//
// Every query runs under the tool call's context (a cancelled call cancels
// the query) on a bounded pgx pool with statement and lock timeouts, and
// only with parameters: no caller text is ever part of SQL. Retries land
// once: the write functions lock the order row and record each write under
// its idempotency key (UNIQUE), so a retried call finds the first write and
// returns it with replayed = true.
package postgres

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Config is the adapter's settings (ORDERS_ prefix).
type Config struct {
	URL              config.Secret `env:"DATABASE_URL"`
	MaxConns         int32         `env:"DATABASE_MAX_CONNS" envDefault:"10"`
	StatementTimeout time.Duration `env:"DATABASE_STATEMENT_TIMEOUT" envDefault:"5s"`
	LockTimeout      time.Duration `env:"DATABASE_LOCK_TIMEOUT" envDefault:"2s"`
	ConnectTimeout   time.Duration `env:"DATABASE_CONNECT_TIMEOUT" envDefault:"5s"`
	MaxRetries       int           `env:"DATABASE_MAX_RETRIES" envDefault:"2"`
}

// Settings document Config for --help and the README.
var Settings = []app.Setting{
	{Env: "ORDERS_DATABASE_URL", Meaning: "postgres://user:password@host:5432/db?sslmode=verify-full (required; TLS as sslmode says; the password is never logged)"},
	{Env: "ORDERS_DATABASE_MAX_CONNS", Default: "10", Meaning: "connections in the pool at most; calls beyond wait for one within their deadline"},
	{Env: "ORDERS_DATABASE_STATEMENT_TIMEOUT", Default: "5s", Meaning: "statement_timeout of every query (the call's deadline cancels sooner)"},
	{Env: "ORDERS_DATABASE_LOCK_TIMEOUT", Default: "2s", Meaning: "lock_timeout: how long a write waits for an order another transaction holds"},
	{Env: "ORDERS_DATABASE_CONNECT_TIMEOUT", Default: "5s", Meaning: "time to open one connection"},
	{Env: "ORDERS_DATABASE_MAX_RETRIES", Default: "2", Meaning: "retries of serialization failures, deadlocks and dropped connections (writes are keyed, so a retry lands once)"},
}

// Backend is the "postgres" entry of orders-mcp's backends.
func Backend() app.Backend[orders.Backend] {
	return app.Backend[orders.Backend]{
		Name:     "postgres",
		Summary:  "an order system in PostgreSQL through the bizmcp SQL contract (views and write functions; servers/orders/README.md)",
		Settings: Settings,
		Open: func(ctx context.Context, env app.BackendEnv) (orders.Backend, error) {
			cfg, err := LoadConfig(env.Binary, env.Environ)
			if err != nil {
				return nil, err
			}
			return Open(cfg, env.Binary, env.Logger)
		},
	}
}

// LoadConfig reads and checks the ORDERS_DATABASE_* settings.
func LoadConfig(binary string, environ map[string]string) (Config, error) {
	var c Config
	if err := config.ParseEnv(binary, environ, "ORDERS_", &c); err != nil {
		return c, err
	}
	switch {
	case c.URL == "":
		return c, config.Usagef(binary, "ORDERS_DATABASE_URL is not set; set it to the order database's URL, e.g. postgres://bizmcp@db.internal:5432/shop?sslmode=verify-full")
	case c.MaxConns < 1 || c.MaxConns > 1000:
		return c, config.Usagef(binary, "ORDERS_DATABASE_MAX_CONNS must be 1..1000, not %d", c.MaxConns)
	case c.StatementTimeout < 0 || c.LockTimeout < 0 || c.ConnectTimeout < 0:
		return c, config.Usagef(binary, "ORDERS_DATABASE_*_TIMEOUT must not be negative")
	case c.MaxRetries < 0 || c.MaxRetries > 10:
		return c, config.Usagef(binary, "ORDERS_DATABASE_MAX_RETRIES must be 0..10, not %d", c.MaxRetries)
	}
	if _, err := poolConfig(c, binary); err != nil {
		return c, err
	}
	return c, nil
}

func poolConfig(c Config, binary string) (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig(c.URL.Reveal())
	if err != nil {
		// pgx's message may quote the URL; never echo it.
		if strings.Contains(err.Error(), "TLS") {
			return nil, config.Usagef(binary, "ORDERS_DATABASE_URL: its TLS settings cannot be used; check that the sslrootcert, sslcert and sslkey files it names exist and are readable")
		}
		return nil, config.Usagef(binary, "ORDERS_DATABASE_URL is not a PostgreSQL connection URL like postgres://user:password@host:5432/db?sslmode=verify-full")
	}
	pc.MaxConns = c.MaxConns
	pc.ConnConfig.ConnectTimeout = c.ConnectTimeout
	rp := pc.ConnConfig.RuntimeParams
	rp["application_name"] = binary
	rp["statement_timeout"] = strconv.FormatInt(c.StatementTimeout.Milliseconds(), 10)
	rp["lock_timeout"] = strconv.FormatInt(c.LockTimeout.Milliseconds(), 10)
	rp["idle_in_transaction_session_timeout"] = strconv.FormatInt(max(c.StatementTimeout, 10*time.Second).Milliseconds(), 10)
	return pc, nil
}

// Adapter is the orders port on a PostgreSQL pool.
type Adapter struct {
	pool    *pgxpool.Pool
	retries int
	log     *slog.Logger
}

var _ orders.Backend = (*Adapter)(nil)

// Open builds the adapter; it connects lazily, so a database that is down
// at start makes /readyz fail and calls end as "unreachable", not the
// process.
func Open(c Config, binary string, log *slog.Logger) (*Adapter, error) {
	pc, err := poolConfig(c, binary)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return nil, fmt.Errorf("postgres pool: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	if host := pc.ConnConfig.Host; !verifiedTLS(c.URL.Reveal()) && !local(host) {
		log.Warn("postgres: the connection is not TLS with a verified certificate; set sslmode=verify-full (and sslrootcert) in ORDERS_DATABASE_URL", "host", host)
	}
	return &Adapter{pool: pool, retries: c.MaxRetries, log: log}, nil
}

func verifiedTLS(url string) bool {
	return strings.Contains(url, "sslmode=verify-full") || strings.Contains(url, "sslmode=verify-ca")
}

// local: a Unix socket or a loopback address.
func local(host string) bool {
	if strings.HasPrefix(host, "/") || host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Close closes the pool.
func (a *Adapter) Close() { a.pool.Close() }

// Pool is the adapter's pool (tests, benchmarks).
func (a *Adapter) Pool() *pgxpool.Pool { return a.pool }

// IDFormat is the reference format: the contract's order_id is ORD- and
// digits. A company whose ids differ changes it here once.
func (a *Adapter) IDFormat() orders.IDFormat { return orders.ReferenceIDFormat }

// Ping reads zero rows of the contract's orders view: the database answers,
// the credentials work and the contract is readable.
func (a *Adapter) Ping(ctx context.Context) error {
	return a.do(ctx, "ping", func(ctx context.Context) error {
		rows, err := a.pool.Query(ctx, "SELECT order_id FROM bizmcp.orders LIMIT 0")
		if err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	})
}

// ---- reads ----

// orderRow is a row of bizmcp.orders; every column may be NULL in a
// company's view.
type orderRow struct {
	OrderID           string             `db:"order_id"`
	CustomerID        pgtype.Text        `db:"customer_id"`
	CustomerEmail     pgtype.Text        `db:"customer_email"`
	CustomerName      pgtype.Text        `db:"customer_name"`
	Region            pgtype.Text        `db:"region"`
	Status            pgtype.Text        `db:"status"`
	Currency          pgtype.Text        `db:"currency"`
	CreatedAt         pgtype.Timestamptz `db:"created_at"`
	PaidAt            pgtype.Timestamptz `db:"paid_at"`
	CancelledAt       pgtype.Timestamptz `db:"cancelled_at"`
	TotalMinor        pgtype.Int8        `db:"total_minor"`
	RefundedMinor     pgtype.Int8        `db:"refunded_minor"`
	RefundableMinor   pgtype.Int8        `db:"refundable_minor"`
	LineCount         pgtype.Int8        `db:"line_count"`
	UnitCount         pgtype.Int8        `db:"unit_count"`
	ShippingMethod    pgtype.Text        `db:"shipping_method"`
	Carrier           pgtype.Text        `db:"carrier"`
	TrackingNumber    pgtype.Text        `db:"tracking_number"`
	ShipmentStatus    pgtype.Text        `db:"shipment_status"`
	ShippedAt         pgtype.Timestamptz `db:"shipped_at"`
	EstimatedDelivery pgtype.Timestamptz `db:"estimated_delivery"`
	DeliveredAt       pgtype.Timestamptz `db:"delivered_at"`
	// The full record only:
	SubtotalMinor  pgtype.Int8 `db:"subtotal_minor"`
	ShippingMinor  pgtype.Int8 `db:"shipping_minor"`
	TaxMinor       pgtype.Int8 `db:"tax_minor"`
	DiscountMinor  pgtype.Int8 `db:"discount_minor"`
	ShipName       pgtype.Text `db:"ship_name"`
	ShipCompany    pgtype.Text `db:"ship_company"`
	ShipLine1      pgtype.Text `db:"ship_line1"`
	ShipLine2      pgtype.Text `db:"ship_line2"`
	ShipCity       pgtype.Text `db:"ship_city"`
	ShipRegion     pgtype.Text `db:"ship_region"`
	ShipPostalCode pgtype.Text `db:"ship_postal_code"`
	ShipCountry    pgtype.Text `db:"ship_country"`
	CancelReason   pgtype.Text `db:"cancel_reason"`
	CancelNote     pgtype.Text `db:"cancel_note"`
	CancelKey      pgtype.Text `db:"cancel_key"`
}

const (
	summaryCols = "order_id, customer_id, customer_email, customer_name, region, status, currency, created_at, paid_at, cancelled_at, " +
		"total_minor, refunded_minor, refundable_minor, line_count, unit_count, " +
		"shipping_method, carrier, tracking_number, shipment_status, shipped_at, estimated_delivery, delivered_at"
	orderCols = summaryCols + ", subtotal_minor, shipping_minor, tax_minor, discount_minor, " +
		"ship_name, ship_company, ship_line1, ship_line2, ship_city, ship_region, ship_postal_code, ship_country, " +
		"cancel_reason, cancel_note, cancel_key"
	itemCols = "line_id, sku, name, quantity, unit_price_minor, total_minor, personalization"
	// maxNotes bounds the notes read with an order: the newest ones.
	maxNotes = 100
)

func stamp(t pgtype.Timestamptz) string {
	if !t.Valid {
		return ""
	}
	return t.Time.UTC().Format(time.RFC3339)
}

func (r *orderRow) summary() orders.Summary {
	cur := r.Currency.String
	m := func(v pgtype.Int8) orders.Money { return orders.Money{AmountMinor: v.Int64, Currency: cur} }
	return orders.Summary{
		ID: r.OrderID, CustomerID: r.CustomerID.String, CustomerEmail: r.CustomerEmail.String, CustomerName: r.CustomerName.String,
		Region: r.Region.String, Status: r.Status.String, Currency: cur,
		CreatedAt: stamp(r.CreatedAt), PaidAt: stamp(r.PaidAt), CancelledAt: stamp(r.CancelledAt),
		ItemCount: int(r.LineCount.Int64), UnitCount: int(r.UnitCount.Int64),
		Total: m(r.TotalMinor), RefundedTotal: m(r.RefundedMinor), RefundableRemaining: m(r.RefundableMinor),
		Shipping: orders.Shipping{
			Method: r.ShippingMethod.String, Carrier: r.Carrier.String, TrackingNumber: r.TrackingNumber.String, Status: r.ShipmentStatus.String,
			ShippedAt: stamp(r.ShippedAt), EstimatedDelivery: stamp(r.EstimatedDelivery), DeliveredAt: stamp(r.DeliveredAt),
		},
	}
}

func (r *orderRow) order() *orders.Order {
	s := r.summary()
	m := func(v pgtype.Int8) orders.Money { return orders.Money{AmountMinor: v.Int64, Currency: s.Currency} }
	o := &orders.Order{
		Summary:  s,
		Subtotal: m(r.SubtotalMinor), ShippingCost: m(r.ShippingMinor), Tax: m(r.TaxMinor), Discount: m(r.DiscountMinor),
		ShippingAddress: orders.Address{
			Name: r.ShipName.String, Company: r.ShipCompany.String, Line1: r.ShipLine1.String, Line2: r.ShipLine2.String,
			City: r.ShipCity.String, Region: r.ShipRegion.String, PostalCode: r.ShipPostalCode.String, Country: r.ShipCountry.String,
		},
	}
	if r.CancelReason.Valid || r.CancelKey.Valid {
		o.Cancellation = &orders.Cancellation{At: s.CancelledAt, Reason: r.CancelReason.String, Note: r.CancelNote.String, IdempotencyKey: r.CancelKey.String}
	}
	return o
}

type itemRow struct {
	LineID          pgtype.Text `db:"line_id"`
	SKU             pgtype.Text `db:"sku"`
	Name            pgtype.Text `db:"name"`
	Quantity        pgtype.Int8 `db:"quantity"`
	UnitPriceMinor  pgtype.Int8 `db:"unit_price_minor"`
	TotalMinor      pgtype.Int8 `db:"total_minor"`
	Personalization pgtype.Text `db:"personalization"`
}

func (r itemRow) item(currency string) orders.LineItem {
	return orders.LineItem{
		ID: r.LineID.String, SKU: r.SKU.String, Name: r.Name.String, Quantity: int(r.Quantity.Int64),
		UnitPrice: orders.Money{AmountMinor: r.UnitPriceMinor.Int64, Currency: currency}, Total: orders.Money{AmountMinor: r.TotalMinor.Int64, Currency: currency},
		Personalization: r.Personalization.String,
	}
}

type noteRow struct {
	NoteID    pgtype.Text        `db:"note_id"`
	Author    pgtype.Text        `db:"author"`
	Body      pgtype.Text        `db:"body"`
	CreatedAt pgtype.Timestamptz `db:"created_at"`
}

type refundRow struct {
	RefundID       string             `db:"refund_id"`
	AmountMinor    pgtype.Int8        `db:"amount_minor"`
	Currency       pgtype.Text        `db:"currency"`
	Reason         pgtype.Text        `db:"reason"`
	Note           pgtype.Text        `db:"note"`
	Status         pgtype.Text        `db:"status"`
	CreatedAt      pgtype.Timestamptz `db:"created_at"`
	IdempotencyKey pgtype.Text        `db:"idempotency_key"`
}

func (r refundRow) refund() orders.Refund {
	return orders.Refund{
		ID: r.RefundID, Amount: orders.Money{AmountMinor: r.AmountMinor.Int64, Currency: r.Currency.String},
		Reason: r.Reason.String, Note: r.Note.String, Status: r.Status.String, CreatedAt: stamp(r.CreatedAt), IdempotencyKey: r.IdempotencyKey.String,
	}
}

const refundCols = "refund_id, amount_minor, currency, reason, note, status, created_at, idempotency_key"

// collect queues sql on b and collects its rows into *out.
func collect[T any](b *pgx.Batch, out *[]T, sql string, args ...any) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		var err error
		*out, err = pgx.CollectRows(rows, pgx.RowToStructByNameLax[T])
		return err
	})
}

// scalar queues sql on b and scans its one row into dst (pgx.ErrNoRows when none).
func scalar(b *pgx.Batch, sql string, args []any, dst ...any) {
	b.Queue(sql, args...).QueryRow(func(row pgx.Row) error { return row.Scan(dst...) })
}

// GetOrder reads the order, its first items lines, its newest notes and
// every refund in one round trip.
func (a *Adapter) GetOrder(ctx context.Context, id string, items int) (*orders.Order, error) {
	var o *orders.Order
	err := a.do(ctx, "get order", func(ctx context.Context) error {
		var rows []orderRow
		var lines []itemRow
		var notes []noteRow
		var refunds []refundRow
		b := &pgx.Batch{}
		collect(b, &rows, "SELECT "+orderCols+" FROM bizmcp.orders WHERE order_id = $1", id)
		collect(b, &lines, "SELECT "+itemCols+" FROM bizmcp.order_items WHERE order_id = $1 ORDER BY position LIMIT $2", id, max(items, 0))
		collect(b, &notes, "SELECT note_id, author, body, created_at FROM bizmcp.order_notes WHERE order_id = $1 ORDER BY position DESC LIMIT $2", id, maxNotes)
		collect(b, &refunds, "SELECT "+refundCols+" FROM bizmcp.order_refunds WHERE order_id = $1 ORDER BY position", id)
		if err := a.pool.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if len(rows) == 0 {
			return notFound(id)
		}
		o = rows[0].order()
		for _, l := range lines {
			o.LineItems = append(o.LineItems, l.item(o.Currency))
		}
		for i := len(notes) - 1; i >= 0; i-- {
			n := notes[i]
			o.Notes = append(o.Notes, orders.Note{ID: n.NoteID.String, Author: n.Author.String, Body: n.Body.String, CreatedAt: stamp(n.CreatedAt)})
		}
		for _, r := range refunds {
			o.Refunds = append(o.Refunds, r.refund())
		}
		return nil
	})
	return o, err
}

// SearchOrders filters in SQL (the region of a region-limited caller
// included, so other regions' rows never leave the database) and pages by
// key: (created_at, order_id) after the previous page's last row.
func (a *Adapter) SearchOrders(ctx context.Context, q orders.Query) (*orders.OrderPage, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.CustomerID != "" {
		where = append(where, "customer_id = "+arg(q.CustomerID))
	}
	if q.CustomerEmail != "" {
		where = append(where, "lower(customer_email) = lower("+arg(q.CustomerEmail)+")")
	}
	if q.Status != "" {
		where = append(where, "status = "+arg(q.Status))
	}
	if q.Region != "" {
		where = append(where, "region = "+arg(q.Region))
	}
	if !q.PlacedFrom.IsZero() {
		where = append(where, "created_at >= "+arg(q.PlacedFrom))
	}
	if !q.PlacedTo.IsZero() {
		where = append(where, "created_at < "+arg(q.PlacedTo))
	}
	filter := ""
	if len(where) > 0 {
		filter = " WHERE " + strings.Join(where, " AND ")
	}
	countArgs := args
	page := filter
	if q.After != "" {
		at, id, err := decodeKey(q.After)
		if err != nil {
			return nil, port.Invalid("search orders", "cursor", "the cursor's position is not one this server issued; omit the cursor to start over")
		}
		cond := "(created_at, order_id) < (" + arg(at) + ", " + arg(id) + ")"
		if page == "" {
			page = " WHERE " + cond
		} else {
			page += " AND " + cond
		}
	}
	sql := "SELECT " + summaryCols + " FROM bizmcp.orders" + page + " ORDER BY created_at DESC, order_id DESC LIMIT " + arg(max(q.Limit, 0))
	if q.After == "" && q.Offset > 0 {
		sql += " OFFSET " + arg(q.Offset)
	}
	var res orders.OrderPage
	err := a.do(ctx, "search orders", func(ctx context.Context) error {
		var rows []orderRow
		var total int64
		b := &pgx.Batch{}
		scalar(b, "SELECT count(*) FROM bizmcp.orders"+filter, countArgs, &total)
		collect(b, &rows, sql, args...)
		if err := a.pool.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		res = orders.OrderPage{Total: int(total), Orders: make([]orders.Summary, len(rows))}
		for i := range rows {
			res.Orders[i] = rows[i].summary()
		}
		if n := len(rows); n > 0 && rows[n-1].CreatedAt.Valid {
			res.Next = encodeKey(rows[n-1].CreatedAt.Time, rows[n-1].OrderID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// Keyset positions: base64url(created_at in Unix microseconds, 8 bytes
// big-endian | order id). At most 40 bytes for ids up to 22 bytes; longer
// ids give no position (the tools then page by offset).
func encodeKey(at time.Time, id string) string {
	if len(id) > 22 {
		return ""
	}
	b := binary.BigEndian.AppendUint64(nil, uint64(at.UnixMicro()))
	return base64.RawURLEncoding.EncodeToString(append(b, id...))
}

func decodeKey(s string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 9 || !utf8.Valid(b[8:]) {
		return time.Time{}, "", errors.New("bad position")
	}
	return time.UnixMicro(int64(binary.BigEndian.Uint64(b))).UTC(), string(b[8:]), nil
}

// ListItems pages through an order's lines in line order; the text filter
// is a parameter matched with strpos (no LIKE wildcards).
func (a *Adapter) ListItems(ctx context.Context, id string, q orders.ItemQuery) (*orders.ItemPage, error) {
	const match = " WHERE order_id = $1 AND ($2 = '' OR strpos(lower(sku), lower($2)) > 0 OR strpos(lower(name), lower($2)) > 0)"
	var page orders.ItemPage
	err := a.do(ctx, "list items", func(ctx context.Context) error {
		var currency []struct {
			Currency pgtype.Text `db:"currency"`
		}
		var lines []itemRow
		var total int64
		b := &pgx.Batch{}
		collect(b, &currency, "SELECT currency FROM bizmcp.orders WHERE order_id = $1", id)
		scalar(b, "SELECT count(*) FROM bizmcp.order_items"+match, []any{id, q.Text}, &total)
		collect(b, &lines, "SELECT "+itemCols+" FROM bizmcp.order_items"+match+" ORDER BY position LIMIT $3 OFFSET $4", id, q.Text, max(q.Limit, 0), max(q.Offset, 0))
		if err := a.pool.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if len(currency) == 0 {
			return notFound(id)
		}
		page = orders.ItemPage{Total: int(total), Items: make([]orders.LineItem, len(lines))}
		for i, l := range lines {
			page.Items[i] = l.item(currency[0].Currency.String)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &page, nil
}

// ---- writes ----

// CancelOrder calls bizmcp.cancel_order, then reads the order back.
func (a *Adapter) CancelOrder(ctx context.Context, id string, c orders.CancelRequest, key string) (*orders.Order, port.Write, error) {
	var w port.Write
	err := a.do(ctx, "cancel order", func(ctx context.Context) error {
		var got string
		// QueryExecModeExec: an unnamed statement, the SQL text with every
		// call (writes are rare; nothing to cache).
		return a.pool.QueryRow(ctx, "SELECT order_id, replayed FROM bizmcp.cancel_order($1, $2, $3, $4)",
			pgx.QueryExecModeExec, id, c.Reason, c.Note, key).Scan(&got, &w.Replayed)
	})
	if err != nil {
		return nil, w, err
	}
	o, err := a.GetOrder(ctx, id, 0)
	return o, w, err
}

// Refund calls bizmcp.refund, then reads the refund and the order back in
// one round trip.
func (a *Adapter) Refund(ctx context.Context, id string, r orders.RefundRequest, key string) (*orders.RefundResult, port.Write, error) {
	var w port.Write
	var refundID string
	var amount *int64
	if r.AmountMinor > 0 {
		amount = &r.AmountMinor
	}
	err := a.do(ctx, "refund", func(ctx context.Context) error {
		return a.pool.QueryRow(ctx, "SELECT refund_id, replayed FROM bizmcp.refund($1, $2, $3, $4, $5, $6)",
			pgx.QueryExecModeExec, id, amount, r.Currency, r.Reason, r.Note, key).Scan(&refundID, &w.Replayed)
	})
	if err != nil {
		return nil, w, err
	}
	var res orders.RefundResult
	err = a.do(ctx, "read refund", func(ctx context.Context) error {
		var refunds []refundRow
		var rows []orderRow
		b := &pgx.Batch{}
		collect(b, &refunds, "SELECT "+refundCols+" FROM bizmcp.order_refunds WHERE order_id = $1 AND refund_id = $2", id, refundID)
		collect(b, &rows, "SELECT "+summaryCols+" FROM bizmcp.orders WHERE order_id = $1", id)
		if err := a.pool.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if len(refunds) == 0 || len(rows) == 0 {
			return &port.Error{Kind: port.KindMalformed, Op: "read refund", Message: fmt.Sprintf("bizmcp.refund returned refund %s of order %s, but bizmcp.order_refunds does not show it", refundID, id)}
		}
		res = orders.RefundResult{Refund: refunds[0].refund(), Order: rows[0].summary()}
		return nil
	})
	if err != nil {
		return nil, w, err
	}
	return &res, w, nil
}

func notFound(id string) error { return port.NotFound("get order", "no order "+id) }

// do runs f, retrying what a retry can fix (serialization failures,
// deadlocks, a dropped connection: reads are safe to repeat and writes are
// keyed) at most a.retries times with a short jittered backoff within ctx,
// and returns every failure as a *port.Error.
func (a *Adapter) do(ctx context.Context, op string, f func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := f(ctx)
		if err == nil {
			return nil
		}
		if _, ok := err.(*port.Error); ok {
			return err
		}
		if attempt < a.retries && retryable(err) && ctx.Err() == nil {
			wait := time.Duration(10<<attempt)*time.Millisecond + rand.N(10*time.Millisecond)
			a.log.Warn("postgres: retrying", "op", op, "attempt", attempt+1, "error", err)
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
				continue
			}
		}
		pe := classify(ctx, op, err)
		if pe.Kind == port.KindUnavailable && retryable(err) {
			pe.Message = fmt.Sprintf("the database kept failing after %d retries (%s)", attempt, pgCode(err))
		}
		return pe
	}
}

package postgres

import (
	"context"
	"errors"

	mockorders "github.com/bizmcp/bizmcp/mocks/orders"
	"github.com/jackc/pgx/v5"
)

// SeedDemo loads the sample orders of --demo (mocks/orders) into the
// reference schema in one transaction and returns how many it loaded: 0
// when the schema already holds orders and replace is false.
func SeedDemo(ctx context.Context, url string, replace bool) (int, error) {
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		return 0, errors.New("ORDERS_DATABASE_URL is not a PostgreSQL connection URL")
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return 0, classify(ctx, "connect", err)
	}
	defer conn.Close(context.Background())
	n := 0
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// One seeder at a time.
		if _, err := tx.Exec(ctx, "LOCK TABLE bizmcp_shop.orders IN EXCLUSIVE MODE"); err != nil {
			return err
		}
		if replace {
			if _, err := tx.Exec(ctx, "TRUNCATE bizmcp_shop.refunds, bizmcp_shop.order_notes, bizmcp_shop.order_lines, bizmcp_shop.orders"); err != nil {
				return err
			}
		} else {
			var any bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM bizmcp_shop.orders)").Scan(&any); err != nil || any {
				return err
			}
		}
		var ord, lines, notes, refunds [][]any
		for _, o := range mockorders.SampleOrders() {
			s, a := o.Shipping, o.ShippingAddress
			var cancelReason, cancelNote *string
			if c := o.Cancellation; c != nil {
				cancelReason, cancelNote = &c.Reason, &c.Note
			}
			ord = append(ord, []any{
				o.ID, o.CustomerID, o.CustomerEmail, o.CustomerName, o.Region, o.Status, o.Currency, o.Channel,
				o.CreatedAt, o.UpdatedAt, o.PaidAt, o.CancelledAt,
				o.Subtotal.AmountMinor, o.ShippingCost.AmountMinor, o.Tax.AmountMinor, o.Discount.AmountMinor, o.Total.AmountMinor,
				s.Method, s.Carrier, s.TrackingNumber, s.Status, s.ShippedAt, s.EstimatedDelivery, s.DeliveredAt,
				a.Name, a.Company, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country,
				cancelReason, cancelNote,
			})
			for i, li := range o.LineItems {
				lines = append(lines, []any{o.ID, i + 1, li.ID, li.SKU, li.Name, li.Quantity, li.UnitPrice.AmountMinor, li.Total.AmountMinor, li.Personalization})
			}
			for i, nt := range o.Notes {
				notes = append(notes, []any{o.ID, i + 1, nt.ID, nt.Author, nt.Body, nt.CreatedAt})
			}
			for i, r := range o.Refunds {
				var key *string
				if r.IdempotencyKey != "" {
					key = &r.IdempotencyKey
				}
				refunds = append(refunds, []any{r.ID, o.ID, i + 1, r.Amount.AmountMinor, r.Amount.Currency, r.Reason, r.Note, r.Status, r.CreatedAt, key})
			}
		}
		for _, c := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"orders", []string{"id", "customer_id", "customer_email", "customer_name", "region", "status", "currency", "channel",
				"created_at", "updated_at", "paid_at", "cancelled_at",
				"subtotal_minor", "shipping_minor", "tax_minor", "discount_minor", "total_minor",
				"shipping_method", "carrier", "tracking_number", "shipment_status", "shipped_at", "estimated_delivery", "delivered_at",
				"ship_name", "ship_company", "ship_line1", "ship_line2", "ship_city", "ship_region", "ship_postal_code", "ship_country",
				"cancel_reason", "cancel_note"}, ord},
			{"order_lines", []string{"order_id", "position", "line_id", "sku", "name", "quantity", "unit_price_minor", "total_minor", "personalization"}, lines},
			{"order_notes", []string{"order_id", "position", "note_id", "author", "body", "created_at"}, notes},
			{"refunds", []string{"id", "order_id", "seq", "amount_minor", "currency", "reason", "note", "status", "created_at", "idempotency_key"}, refunds},
		} {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bizmcp_shop", c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
				return err
			}
		}
		n = len(ord)
		return nil
	})
	if err != nil {
		return 0, classify(ctx, "seed", err)
	}
	return n, nil
}

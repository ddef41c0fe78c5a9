-- The SQL contract bizmcp reads (servers/orders/README.md): four views in
-- schema bizmcp. A company maps its own tables onto them once; these are
-- the reference implementation's mapping.
CREATE SCHEMA IF NOT EXISTS bizmcp;

CREATE VIEW bizmcp.orders AS
SELECT o.id                                   AS order_id,
       o.customer_id, o.customer_email, o.customer_name, o.region, o.status,
       o.currency::text                       AS currency,
       o.created_at, o.paid_at, o.cancelled_at,
       o.subtotal_minor, o.shipping_minor, o.tax_minor, o.discount_minor, o.total_minor,
       r.refunded_minor,
       CASE WHEN o.paid_at IS NULL THEN 0
            ELSE greatest(o.total_minor - r.refunded_minor, 0) END AS refundable_minor,
       l.line_count, l.unit_count,
       o.shipping_method, o.carrier, o.tracking_number, o.shipment_status,
       o.shipped_at, o.estimated_delivery, o.delivered_at,
       o.ship_name, o.ship_company, o.ship_line1, o.ship_line2, o.ship_city,
       o.ship_region, o.ship_postal_code, o.ship_country,
       o.cancel_reason, o.cancel_note, o.cancel_key
FROM bizmcp_shop.orders o
CROSS JOIN LATERAL (SELECT coalesce(sum(amount_minor), 0)::bigint AS refunded_minor
                    FROM bizmcp_shop.refunds WHERE order_id = o.id) r
CROSS JOIN LATERAL (SELECT count(*)::integer AS line_count, coalesce(sum(quantity), 0)::integer AS unit_count
                    FROM bizmcp_shop.order_lines WHERE order_id = o.id) l;

CREATE VIEW bizmcp.order_items AS
SELECT order_id, position, line_id, sku, name, quantity, unit_price_minor, total_minor, personalization
FROM bizmcp_shop.order_lines;

CREATE VIEW bizmcp.order_notes AS
SELECT order_id, position, note_id, author, body, created_at
FROM bizmcp_shop.order_notes;

CREATE VIEW bizmcp.order_refunds AS
SELECT order_id, id AS refund_id, seq AS position, amount_minor, currency::text AS currency, reason, note, status, created_at,
       idempotency_key
FROM bizmcp_shop.refunds;

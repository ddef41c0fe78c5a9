-- The reference implementation's own tables: an order system's schema as a
-- company might have it. bizmcp never reads these directly; it reads the
-- contract views (0002) and writes through the contract functions (0003).
CREATE SCHEMA IF NOT EXISTS bizmcp_shop;

CREATE TABLE bizmcp_shop.orders (
    id                  text PRIMARY KEY CHECK (id ~ '^ORD-[0-9]{1,10}$'),
    customer_id         text NOT NULL,
    customer_email      text NOT NULL DEFAULT '',
    customer_name       text NOT NULL DEFAULT '',
    region              text NOT NULL CHECK (region IN ('na', 'emea', 'apac', 'latam')),
    status              text NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded', 'partially_refunded')),
    currency            char(3) NOT NULL,
    channel             text NOT NULL DEFAULT 'web',
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    paid_at             timestamptz,
    cancelled_at        timestamptz,
    subtotal_minor      bigint NOT NULL DEFAULT 0,
    shipping_minor      bigint NOT NULL DEFAULT 0,
    tax_minor           bigint NOT NULL DEFAULT 0,
    discount_minor      bigint NOT NULL DEFAULT 0,
    total_minor         bigint NOT NULL CHECK (total_minor >= 0),
    shipping_method     text NOT NULL DEFAULT '',
    carrier             text NOT NULL DEFAULT '',
    tracking_number     text NOT NULL DEFAULT '',
    shipment_status     text NOT NULL DEFAULT '',
    shipped_at          timestamptz,
    estimated_delivery  timestamptz,
    delivered_at        timestamptz,
    ship_name           text NOT NULL DEFAULT '',
    ship_company        text NOT NULL DEFAULT '',
    ship_line1          text NOT NULL DEFAULT '',
    ship_line2          text NOT NULL DEFAULT '',
    ship_city           text NOT NULL DEFAULT '',
    ship_region         text NOT NULL DEFAULT '',
    ship_postal_code    text NOT NULL DEFAULT '',
    ship_country        text NOT NULL DEFAULT '',
    cancel_reason       text,
    cancel_note         text,
    -- The idempotency key of the cancellation: a retried cancel finds it.
    cancel_key          text UNIQUE
);
-- Search: newest first, by customer, email or region (keyset order).
CREATE INDEX orders_created_idx ON bizmcp_shop.orders (created_at DESC, id DESC);
CREATE INDEX orders_customer_idx ON bizmcp_shop.orders (customer_id, created_at DESC, id DESC);
CREATE INDEX orders_email_idx ON bizmcp_shop.orders (lower(customer_email), created_at DESC, id DESC);
CREATE INDEX orders_region_idx ON bizmcp_shop.orders (region, created_at DESC, id DESC);

CREATE TABLE bizmcp_shop.order_lines (
    order_id          text NOT NULL REFERENCES bizmcp_shop.orders (id) ON DELETE CASCADE,
    position          integer NOT NULL,
    line_id           text NOT NULL,
    sku               text NOT NULL,
    name              text NOT NULL,
    quantity          integer NOT NULL CHECK (quantity > 0),
    unit_price_minor  bigint NOT NULL,
    total_minor       bigint NOT NULL,
    personalization   text NOT NULL DEFAULT '',
    PRIMARY KEY (order_id, position)
);

CREATE TABLE bizmcp_shop.order_notes (
    order_id    text NOT NULL REFERENCES bizmcp_shop.orders (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    note_id     text NOT NULL,
    author      text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (order_id, position)
);

CREATE TABLE bizmcp_shop.refunds (
    id               text PRIMARY KEY,
    order_id         text NOT NULL REFERENCES bizmcp_shop.orders (id) ON DELETE CASCADE,
    seq              integer NOT NULL,
    amount_minor     bigint NOT NULL CHECK (amount_minor > 0),
    currency         char(3) NOT NULL,
    reason           text NOT NULL,
    note             text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'succeeded',
    created_at       timestamptz NOT NULL,
    -- The write's idempotency key (NULL for refunds made elsewhere): a
    -- retry finds the first refund instead of making a second one.
    idempotency_key  text UNIQUE,
    -- What the keyed request asked for, so the same key with another
    -- request is refused instead of replayed.
    request          text,
    UNIQUE (order_id, seq)
);

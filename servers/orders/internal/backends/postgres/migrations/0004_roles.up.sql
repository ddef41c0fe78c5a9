-- Least-privilege group roles (servers/orders/README.md, "Roles"):
--   bizmcp_orders_read   SELECT on the contract views only
--   bizmcp_orders_write  EXECUTE on the two write functions only
-- Neither may touch the tables behind them. A login role for orders-mcp is
-- made a member of both (or of read only, for a read-only deployment).
-- Creating roles needs CREATEROLE; without it the migration only grants to
-- roles an administrator already created.
DO $$
BEGIN
    BEGIN
        CREATE ROLE bizmcp_orders_read NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN
        NULL;
    END;
    BEGIN
        CREATE ROLE bizmcp_orders_write NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN
        NULL;
    END;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'bizmcp_orders_read') THEN
        GRANT USAGE ON SCHEMA bizmcp TO bizmcp_orders_read;
        GRANT SELECT ON bizmcp.orders, bizmcp.order_items, bizmcp.order_notes, bizmcp.order_refunds TO bizmcp_orders_read;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'bizmcp_orders_write') THEN
        GRANT USAGE ON SCHEMA bizmcp TO bizmcp_orders_write;
        GRANT EXECUTE ON FUNCTION bizmcp.cancel_order(text, text, text, text), bizmcp.refund(text, bigint, text, text, text, text) TO bizmcp_orders_write;
    END IF;
END
$$;

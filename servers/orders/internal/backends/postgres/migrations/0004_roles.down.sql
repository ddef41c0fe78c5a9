DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'bizmcp_orders_read') THEN
        REVOKE ALL ON ALL TABLES IN SCHEMA bizmcp FROM bizmcp_orders_read;
        REVOKE USAGE ON SCHEMA bizmcp FROM bizmcp_orders_read;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'bizmcp_orders_write') THEN
        REVOKE ALL ON ALL FUNCTIONS IN SCHEMA bizmcp FROM bizmcp_orders_write;
        REVOKE USAGE ON SCHEMA bizmcp FROM bizmcp_orders_write;
    END IF;
END
$$;

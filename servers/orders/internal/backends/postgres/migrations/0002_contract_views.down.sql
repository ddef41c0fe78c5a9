DROP VIEW IF EXISTS bizmcp.order_refunds, bizmcp.order_notes, bizmcp.order_items, bizmcp.orders;

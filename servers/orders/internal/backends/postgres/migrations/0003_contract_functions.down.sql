DROP FUNCTION IF EXISTS bizmcp.refund(text, bigint, text, text, text, text);
DROP FUNCTION IF EXISTS bizmcp.cancel_order(text, text, text, text);

-- The SQL contract's writes (servers/orders/README.md): bizmcp calls only
-- these two functions, each one transaction that locks the order row, so
-- concurrent calls serialize per order and a retried call (same
-- idempotency key) returns the first outcome with replayed = true.
--
-- Errors use SQLSTATEs of class BZ: BZ404 no such order, BZ409 the order's
-- state forbids it (DETAIL "<amount_minor> <currency>" = what is still
-- refundable), BZ400 a bad argument (COLUMN names it).

CREATE FUNCTION bizmcp.cancel_order(p_order_id text, p_reason text, p_note text, p_idempotency_key text)
RETURNS TABLE (order_id text, replayed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    o        bizmcp_shop.orders%ROWTYPE;
    refunded bigint;
    seq_     integer;
    at_      timestamptz := now();
BEGIN
    IF coalesce(p_idempotency_key, '') = '' OR length(p_idempotency_key) > 255 THEN
        RAISE EXCEPTION 'an idempotency key of 1 to 255 characters is required' USING ERRCODE = 'BZ400', COLUMN = 'idempotency_key';
    END IF;
    IF p_reason IS NULL OR p_reason NOT IN ('customer_request', 'duplicate_order', 'payment_issue', 'fraud_suspected', 'out_of_stock', 'other') THEN
        RAISE EXCEPTION 'reason % is not a cancellation reason', p_reason USING ERRCODE = 'BZ400', COLUMN = 'reason';
    END IF;
    SELECT * INTO o FROM bizmcp_shop.orders WHERE id = p_order_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no order %', p_order_id USING ERRCODE = 'BZ404';
    END IF;
    IF o.cancel_key = p_idempotency_key THEN
        RETURN QUERY SELECT o.id, true;
        RETURN;
    END IF;
    IF o.status NOT IN ('pending', 'paid') THEN
        RAISE EXCEPTION 'order % is % and can no longer be cancelled; only pending or paid orders can be cancelled', o.id, o.status
            USING ERRCODE = 'BZ409';
    END IF;
    IF o.paid_at IS NOT NULL THEN
        SELECT coalesce(sum(amount_minor), 0), coalesce(max(seq), 0) + 1 INTO refunded, seq_
        FROM bizmcp_shop.refunds WHERE order_id = o.id;
        IF o.total_minor - refunded > 0 THEN
            INSERT INTO bizmcp_shop.refunds (id, order_id, seq, amount_minor, currency, reason, note, created_at, idempotency_key)
            VALUES (format('RF-%s-%s', substr(o.id, 5), lpad(seq_::text, 2, '0')), o.id, seq_, o.total_minor - refunded, o.currency,
                    'order_cancelled', 'automatic refund of the cancelled order', at_, p_idempotency_key || ':cancel');
        END IF;
    END IF;
    UPDATE bizmcp_shop.orders
    SET status = 'cancelled', cancelled_at = at_, updated_at = at_,
        cancel_reason = p_reason, cancel_note = coalesce(p_note, ''), cancel_key = p_idempotency_key
    WHERE id = o.id;
    RETURN QUERY SELECT o.id, false;
END
$$;

CREATE FUNCTION bizmcp.refund(p_order_id text, p_amount_minor bigint, p_currency text, p_reason text, p_note text, p_idempotency_key text)
RETURNS TABLE (refund_id text, replayed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    o         bizmcp_shop.orders%ROWTYPE;
    prev      bizmcp_shop.refunds%ROWTYPE;
    req       text;
    refunded  bigint;
    remaining bigint;
    amt       bigint;
    seq_      integer;
    rid       text;
BEGIN
    IF coalesce(p_idempotency_key, '') = '' OR length(p_idempotency_key) > 255 THEN
        RAISE EXCEPTION 'an idempotency key of 1 to 255 characters is required' USING ERRCODE = 'BZ400', COLUMN = 'idempotency_key';
    END IF;
    IF p_amount_minor IS NOT NULL AND p_amount_minor <= 0 THEN
        RAISE EXCEPTION 'amount_minor must be positive, or omitted to refund everything still refundable' USING ERRCODE = 'BZ400', COLUMN = 'amount_minor';
    END IF;
    IF p_reason IS NULL OR p_reason NOT IN ('customer_request', 'damaged', 'defective', 'not_received', 'wrong_item', 'late_delivery', 'duplicate_charge', 'goodwill', 'other') THEN
        RAISE EXCEPTION 'reason % is not a refund reason', p_reason USING ERRCODE = 'BZ400', COLUMN = 'reason';
    END IF;
    req := concat_ws('|', p_order_id, coalesce(p_amount_minor::text, 'all'), p_currency, p_reason, coalesce(p_note, ''));

    -- The order row lock serializes every refund and cancellation of this
    -- order: the remainder read below cannot change until commit.
    SELECT * INTO o FROM bizmcp_shop.orders WHERE id = p_order_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no order %', p_order_id USING ERRCODE = 'BZ404';
    END IF;
    -- A retry: the first refund made under this key, whatever happened since.
    SELECT * INTO prev FROM bizmcp_shop.refunds WHERE idempotency_key = p_idempotency_key;
    IF FOUND THEN
        IF prev.request IS DISTINCT FROM req THEN
            RAISE EXCEPTION 'idempotency key % was already used for a different request', p_idempotency_key USING ERRCODE = 'BZ409';
        END IF;
        RETURN QUERY SELECT prev.id, true;
        RETURN;
    END IF;
    IF p_currency IS DISTINCT FROM o.currency::text THEN
        RAISE EXCEPTION 'order % is in %, not %', o.id, o.currency, p_currency USING ERRCODE = 'BZ400', COLUMN = 'currency';
    END IF;
    SELECT coalesce(sum(amount_minor), 0), coalesce(max(seq), 0) + 1 INTO refunded, seq_
    FROM bizmcp_shop.refunds WHERE order_id = o.id;
    remaining := CASE WHEN o.paid_at IS NULL OR o.status IN ('pending', 'cancelled') THEN 0
                      ELSE greatest(o.total_minor - refunded, 0) END;
    IF o.status IN ('pending', 'cancelled') THEN
        RAISE EXCEPTION 'order % is % and cannot be refunded', o.id, o.status
            USING ERRCODE = 'BZ409', DETAIL = format('%s %s', remaining, o.currency);
    END IF;
    amt := coalesce(p_amount_minor, remaining);
    IF amt <= 0 OR amt > remaining THEN
        RAISE EXCEPTION 'refund of % minor units exceeds the refundable remainder of order %: at most % minor units of % can still be refunded',
            amt, o.id, remaining, o.currency
            USING ERRCODE = 'BZ409', DETAIL = format('%s %s', remaining, o.currency);
    END IF;
    rid := format('RF-%s-%s', substr(o.id, 5), lpad(seq_::text, 2, '0'));
    INSERT INTO bizmcp_shop.refunds (id, order_id, seq, amount_minor, currency, reason, note, created_at, idempotency_key, request)
    VALUES (rid, o.id, seq_, amt, o.currency, p_reason, coalesce(p_note, ''), now(), p_idempotency_key, req);
    UPDATE bizmcp_shop.orders
    SET status = CASE WHEN remaining - amt = 0 THEN 'refunded' ELSE 'partially_refunded' END, updated_at = now()
    WHERE id = o.id;
    RETURN QUERY SELECT rid, false;
END
$$;

-- Only roles granted EXECUTE (0004) may call them.
REVOKE EXECUTE ON FUNCTION bizmcp.cancel_order(text, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION bizmcp.refund(text, bigint, text, text, text, text) FROM PUBLIC;

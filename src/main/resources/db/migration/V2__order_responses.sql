-- Orders (SPEC section 4, issue "order and payment"): the response a finished POST /api/orders gave is
-- kept with the order, so a replay of its Idempotency-Key answers the same bytes even after Redis lost
-- its idempotency record. NULL while the order is PENDING (a replay then answers 202 PENDING).
ALTER TABLE orders
    ADD COLUMN response_status SMALLINT NULL,
    ADD COLUMN response_body   TEXT     NULL;

-- A coupon may cover a whole order: its PAYMENT row then moves 0 KRW, so every PAID order still has
-- exactly one PAYMENT row equal to its paid amount. REFUND and CHARGE rows stay strictly positive.
ALTER TABLE balance_transactions DROP CONSTRAINT ck_balance_tx_sign;
ALTER TABLE balance_transactions
    ADD CONSTRAINT ck_balance_tx_sign CHECK ((type = 'PAYMENT' AND amount <= 0) OR (type <> 'PAYMENT' AND amount > 0));

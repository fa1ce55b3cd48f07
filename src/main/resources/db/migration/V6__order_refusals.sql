-- Refusals of POST /api/orders given before any order row existed (404 PRODUCT_NOT_FOUND, 409
-- PRODUCT_NOT_AVAILABLE / INSUFFICIENT_STOCK, 400 INVALID_COUPON): written before the answer leaves, so a
-- replay of the same Idempotency-Key and body answers the same bytes even after Redis lost the key's
-- record, and never runs again. Rows older than the idempotency TTL (24 h) are purged by a job.
CREATE TABLE order_refusals
(
    user_id         BIGINT       NOT NULL,
    -- compared byte for byte, as Redis and orders.idempotency_key compare it
    idempotency_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request_hash    CHAR(64)     NOT NULL,
    response_status SMALLINT     NOT NULL,
    response_body   TEXT         NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    PRIMARY KEY (user_id, idempotency_key),
    KEY idx_order_refusals_created (created_at)
) ENGINE = InnoDB;

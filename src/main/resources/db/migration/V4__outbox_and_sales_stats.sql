-- After the order (issue "data-platform outbox, popular products, recovery, status stream").

-- The outbox relay: why the last delivery attempt failed, for operators reading FAILED events
-- (GET /api/admin/outbox/events?status=FAILED).
ALTER TABLE order_events
    ADD COLUMN last_error VARCHAR(500) NULL;

-- The popular-products aggregation reads payments by time: WHERE paid_at >= ? AND paid_at < ?
CREATE INDEX idx_payments_paid_at ON payments (paid_at);

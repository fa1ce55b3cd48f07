-- The whole domain of SPEC section 2 as one reviewed model. Runs on MySQL 8 and MariaDB 10.11.
-- Money is integer KRW (BIGINT); times are UTC (the connection time zone is UTC) in DATETIME(6).
-- The constraints below keep the invariants even if application code is wrong.

-- A balance account. Identity itself comes from the JWT subject; a user that exists only in a
-- token can claim coupons but has no balance until an admin creates the account.
CREATE TABLE users
(
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    name       VARCHAR(100) NOT NULL,
    balance    BIGINT       NOT NULL DEFAULT 0,
    created_at DATETIME(6)  NOT NULL,
    updated_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT ck_users_balance CHECK (balance >= 0)
) ENGINE = InnoDB;

-- The ledger: a user's balance equals the sum of amount over their COMPLETED rows.
CREATE TABLE balance_transactions
(
    id            BIGINT      NOT NULL AUTO_INCREMENT,
    user_id       BIGINT      NOT NULL,
    type          VARCHAR(16) NOT NULL,
    amount        BIGINT      NOT NULL,
    balance_after BIGINT      NOT NULL,
    order_id      BIGINT      NULL,
    status        VARCHAR(16) NOT NULL,
    created_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    -- keyset pagination, newest first: WHERE user_id = ? AND id < ? ORDER BY id DESC
    KEY idx_balance_tx_user_id (user_id, id),
    KEY idx_balance_tx_order (order_id),
    CONSTRAINT fk_balance_tx_user FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT ck_balance_tx_type CHECK (type IN ('CHARGE', 'PAYMENT', 'REFUND')),
    CONSTRAINT ck_balance_tx_status CHECK (status IN ('PENDING', 'COMPLETED')),
    CONSTRAINT ck_balance_tx_after CHECK (balance_after >= 0),
    CONSTRAINT ck_balance_tx_sign CHECK ((type = 'PAYMENT' AND amount < 0) OR (type <> 'PAYMENT' AND amount > 0))
) ENGINE = InnoDB;

CREATE TABLE products
(
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    name       VARCHAR(200) NOT NULL,
    price      BIGINT       NOT NULL,
    stock      INT          NOT NULL,
    status     VARCHAR(16)  NOT NULL,
    created_at DATETIME(6)  NOT NULL,
    updated_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY idx_products_status (status),
    CONSTRAINT ck_products_price CHECK (price >= 0),
    CONSTRAINT ck_products_stock CHECK (stock >= 0),
    CONSTRAINT ck_products_status CHECK (status IN ('ACTIVE', 'INACTIVE'))
) ENGINE = InnoDB;

-- A first-come coupon event. issued_count is advanced only together with user_coupons inserts.
CREATE TABLE coupons
(
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    code            VARCHAR(64)  NOT NULL,
    name            VARCHAR(200) NOT NULL,
    discount_amount BIGINT       NOT NULL,
    total_quantity  INT          NOT NULL,
    issued_count    INT          NOT NULL DEFAULT 0,
    starts_at       DATETIME(6)  NOT NULL,
    ends_at         DATETIME(6)  NOT NULL,
    valid_days      INT          NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_coupons_code (code),
    CONSTRAINT ck_coupons_discount CHECK (discount_amount > 0),
    CONSTRAINT ck_coupons_quantity CHECK (total_quantity > 0),
    CONSTRAINT ck_coupons_issued CHECK (issued_count >= 0 AND issued_count <= total_quantity),
    CONSTRAINT ck_coupons_window CHECK (ends_at > starts_at),
    CONSTRAINT ck_coupons_valid_days CHECK (valid_days > 0),
    CONSTRAINT ck_coupons_status CHECK (status IN ('ACTIVE', 'INACTIVE'))
) ENGINE = InnoDB;

-- One per (user, coupon): the unique key is what makes "never issued twice" hold in the database.
-- No foreign key to users: the token subject is the identity (see users above).
CREATE TABLE user_coupons
(
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    user_id    BIGINT      NOT NULL,
    coupon_id  BIGINT      NOT NULL,
    status     VARCHAR(16) NOT NULL,
    issued_at  DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at    DATETIME(6) NULL,
    order_id   BIGINT      NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_user_coupons_user_coupon (user_id, coupon_id),
    KEY idx_user_coupons_coupon (coupon_id),
    KEY idx_user_coupons_user_status (user_id, status),
    CONSTRAINT fk_user_coupons_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id),
    CONSTRAINT ck_user_coupons_status CHECK (status IN ('AVAILABLE', 'USED', 'EXPIRED')),
    CONSTRAINT ck_user_coupons_used CHECK (status <> 'USED' OR (used_at IS NOT NULL AND order_id IS NOT NULL))
) ENGINE = InnoDB;

CREATE TABLE orders
(
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    user_id         BIGINT       NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    -- SHA-256 (hex) of the canonical request body: same key + different body is a 422
    request_hash    CHAR(64)     NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    total_amount    BIGINT       NOT NULL,
    discount_amount BIGINT       NOT NULL DEFAULT 0,
    paid_amount     BIGINT       NOT NULL DEFAULT 0,
    user_coupon_id  BIGINT       NULL,
    failure_reason  VARCHAR(255) NULL,
    created_at      DATETIME(6)  NOT NULL,
    updated_at      DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_orders_user_idempotency (user_id, idempotency_key),
    -- the recovery job: WHERE status = 'PENDING' AND created_at < ?
    KEY idx_orders_status_created (status, created_at),
    KEY idx_orders_user_coupon (user_coupon_id),
    CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT fk_orders_user_coupon FOREIGN KEY (user_coupon_id) REFERENCES user_coupons (id),
    CONSTRAINT ck_orders_status CHECK (status IN ('PENDING', 'PAID', 'FAILED', 'CANCELED')),
    CONSTRAINT ck_orders_amounts CHECK (total_amount >= 0 AND discount_amount >= 0 AND paid_amount >= 0
        AND discount_amount <= total_amount AND paid_amount <= total_amount)
) ENGINE = InnoDB;

CREATE TABLE order_items
(
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    order_id   BIGINT      NOT NULL,
    product_id BIGINT      NOT NULL,
    quantity   INT         NOT NULL,
    -- price snapshot at order time (seed 001)
    unit_price BIGINT      NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_order_items_order_product (order_id, product_id),
    KEY idx_order_items_product (product_id),
    CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id),
    CONSTRAINT fk_order_items_product FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT ck_order_items_quantity CHECK (quantity > 0),
    CONSTRAINT ck_order_items_price CHECK (unit_price >= 0)
) ENGINE = InnoDB;

CREATE TABLE payments
(
    id       BIGINT      NOT NULL AUTO_INCREMENT,
    order_id BIGINT      NOT NULL,
    amount   BIGINT      NOT NULL,
    paid_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_payments_order (order_id),
    CONSTRAINT fk_payments_order FOREIGN KEY (order_id) REFERENCES orders (id),
    CONSTRAINT ck_payments_amount CHECK (amount >= 0)
) ENGINE = InnoDB;

-- Transactional outbox for the data platform (seeds 001, 003).
CREATE TABLE order_events
(
    id              BIGINT      NOT NULL AUTO_INCREMENT,
    order_id        BIGINT      NOT NULL,
    event_type      VARCHAR(32) NOT NULL,
    payload         JSON        NOT NULL,
    status          VARCHAR(16) NOT NULL,
    attempts        INT         NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6) NOT NULL,
    sent_at         DATETIME(6) NULL,
    created_at      DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    -- the relay: WHERE status = 'PENDING' AND next_attempt_at <= ? ORDER BY next_attempt_at
    KEY idx_order_events_due (status, next_attempt_at),
    KEY idx_order_events_order (order_id),
    CONSTRAINT fk_order_events_order FOREIGN KEY (order_id) REFERENCES orders (id),
    CONSTRAINT ck_order_events_status CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
    CONSTRAINT ck_order_events_attempts CHECK (attempts >= 0)
) ENGINE = InnoDB;

-- Daily quantity sold per product: the source of popular products (seeds 001-003).
CREATE TABLE product_sales_stats
(
    product_id BIGINT      NOT NULL,
    sales_date DATE        NOT NULL,
    quantity   BIGINT      NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (product_id, sales_date),
    KEY idx_product_sales_stats_date (sales_date, product_id),
    CONSTRAINT fk_product_sales_stats_product FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT ck_product_sales_stats_quantity CHECK (quantity >= 0)
) ENGINE = InnoDB;

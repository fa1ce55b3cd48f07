-- Waiting rooms (docs/flows.md "Waiting room"): the durable record of each room an admin opened, so that
-- every instance (and Redis, if it lost its keys) knows which coupon events and products are protected.
-- The queue itself lives in Redis (docs/redis.md "Waiting room").
CREATE TABLE waiting_rooms
(
    id                    BIGINT      NOT NULL AUTO_INCREMENT,
    target_type           VARCHAR(16) NOT NULL,
    target_id             BIGINT      NOT NULL,
    admissions_per_second INT         NOT NULL,
    opens_at              DATETIME(6) NOT NULL,
    -- OPEN or CLOSED
    status                VARCHAR(16) NOT NULL,
    -- 'COUPON:12' while the room is open, NULL once closed: at most one open room per target
    open_target           VARCHAR(40) NULL,
    created_at            DATETIME(6) NOT NULL,
    closed_at             DATETIME(6) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_waiting_rooms_open_target (open_target),
    KEY idx_waiting_rooms_status (status)
) ENGINE = InnoDB;

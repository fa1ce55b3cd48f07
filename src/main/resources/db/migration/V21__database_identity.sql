-- This database's identity (docs/redis.md "One Redis, one database"): a random id made once, when the
-- migration runs. The service writes it into the Redis it caches this database in, and refuses a Redis
-- that holds another database's id: its keys (coupon events, reservation records under the same ids)
-- would be taken for this database's.
CREATE TABLE database_identity
(
    id         CHAR(36)    NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB;

INSERT INTO database_identity (id, created_at) VALUES (UUID(), UTC_TIMESTAMP(6));

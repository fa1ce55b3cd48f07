-- An Idempotency-Key is compared byte for byte, as Redis compares it: the default collation would make
-- 'Ab1' and 'ab1' one key in the database and two in Redis. Keys are printable ASCII without spaces.
ALTER TABLE orders MODIFY idempotency_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;

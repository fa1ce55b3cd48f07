-- Stores the finished response of an Idempotency-Key for the request that claimed it (its running
-- record is still there), when the record has expired meanwhile, or over a 202 PENDING answer (a retry
-- may have answered 202 from the database while this request was still running: the final answer wins);
-- and releases the user's lock the claim took, if it still holds the request's token (compare-and-delete).
-- KEYS[1] the key's record, KEYS[2] the user's lock (same hash tag: the user id).
-- ARGV[1] the running record, ARGV[2] the finished record, ARGV[3] ttl in ms, ARGV[4] the lock token.
-- Returns 1 stored, 0 another record is there (the lock is released either way).
if redis.call('GET', KEYS[2]) == ARGV[4] then
    redis.call('DEL', KEYS[2])
end
local record = redis.call('GET', KEYS[1])
if record == false or record == ARGV[1] or string.match(record, '^D|[^|]*|202|') then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
    return 1
end
return 0

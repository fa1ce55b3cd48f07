-- Reserves stock for every line of one order, all or nothing (docs/flows.md "Order and payment"), and records
-- the reservation so that a release gives back exactly what was taken, once.
-- KEYS[1] the order's reservation record, KEYS[2..n] the lines' stock keys (one hash tag: {catalog}).
-- ARGV[1..n-1] the lines' quantities, same order as KEYS[2..n].
-- The record has no expiry: only a release (the order failed or was canceled) or a confirmation (it was
-- paid) ends it, so reserved stock can never silently vanish.
-- Returns 1 reserved (also when the record exists: a resent call must not take the stock twice),
-- 0 some line lacks stock (nothing taken), -i the stock key of line i is missing (nothing taken).
if redis.call('EXISTS', KEYS[1]) == 1 then
    return 1
end
for i = 2, #KEYS do
    local available = redis.call('GET', KEYS[i])
    if not available then
        return -(i - 1)
    end
    if tonumber(available) < tonumber(ARGV[i - 1]) then
        return 0
    end
end
for i = 2, #KEYS do
    redis.call('DECRBY', KEYS[i], ARGV[i - 1])
    redis.call('HSET', KEYS[1], KEYS[i], ARGV[i - 1])
end
return 1

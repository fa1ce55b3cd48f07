-- Applies a change of a product's durable stock (an admin's change, or a refund's units put back) to its
-- sellable stock in Redis, once per adjustment id.
-- Sellable = durable - reserved by orders in flight, so a present key moves by the same delta. A missing key
-- stays missing: the next use loads it from MySQL as durable minus the units of orders in flight
-- (stock-load.lua), which already counts this change; setting it here would ignore those orders.
-- KEYS[1] stock key, KEYS[2] the adjustment's record (same hash tag); ARGV[1] delta, ARGV[2] how long the
-- record is kept, in ms. A resent call (Lettuce re-sends a command whose reply was lost) finds the record
-- and changes nothing.
-- Returns 1 applied, 0 already applied (a repeat), 2 the stock key is missing (nothing to move).
if redis.call('EXISTS', KEYS[2]) == 1 then
    return 0
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('INCRBY', KEYS[1], ARGV[1])
    return 1
end
return 2

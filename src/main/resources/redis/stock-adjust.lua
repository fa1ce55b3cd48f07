-- Applies an admin change of a product's durable stock to its sellable stock in Redis.
-- Sellable = durable - reserved by orders in flight, so a present key moves by the same delta; a
-- missing key is set to the new durable stock (nothing can be reserved on a missing key).
-- KEYS[1] stock key; ARGV[1] delta, ARGV[2] the new durable stock. Returns the sellable stock.
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
redis.call('SET', KEYS[1], ARGV[2])
return tonumber(ARGV[2])

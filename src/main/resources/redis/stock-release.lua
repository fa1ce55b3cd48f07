-- Gives an order's reserved stock back, at most once (the record is deleted with it).
-- KEYS[1] the order's reservation record, KEYS[2..n] the stock keys it may hold.
-- A stock key that is missing is left missing: it is reloaded from MySQL, where the stock never left.
-- Returns 1 released, 0 nothing reserved (never reserved, already released or confirmed).
if redis.call('EXISTS', KEYS[1]) == 0 then
    return 0
end
for i = 2, #KEYS do
    local quantity = redis.call('HGET', KEYS[1], KEYS[i])
    if quantity and redis.call('EXISTS', KEYS[i]) == 1 then
        redis.call('INCRBY', KEYS[i], quantity)
    end
end
redis.call('DEL', KEYS[1])
return 1

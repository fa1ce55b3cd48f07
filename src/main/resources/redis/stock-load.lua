-- Loads durable stock from MySQL into Redis for the products whose key is missing (startup, or Redis
-- lost its data); present keys are kept, they already account for reservations in flight.
-- KEYS stock keys (one hash tag, so one slot); ARGV their durable stock, same order. Returns how many were set.
local loaded = 0
for i, key in ipairs(KEYS) do
    if redis.call('SET', key, ARGV[i], 'NX') then
        loaded = loaded + 1
    end
end
return loaded

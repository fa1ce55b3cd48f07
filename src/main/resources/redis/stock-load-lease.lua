-- Takes the load lease of each missing stock key (docs/redis.md "Sellable stock"): one caller at a time reads
-- MySQL and installs a missing key, so no load can install a value it read before another load's key was
-- sold from (and lost again).
-- KEYS[1..n] stock keys, KEYS[n+1..2n] their load leases (one hash tag, so one slot).
-- ARGV[1] the caller's token, ARGV[2] the lease in ms.
-- Returns per key: 0 the key is present (nothing to load), 1 the lease is the caller's (a resent call finds
-- its own), 2 another caller holds it (it installs the key; retry the reservation).
local n = #KEYS / 2
local result = {}
for i = 1, n do
    if redis.call('EXISTS', KEYS[i]) == 1 then
        result[i] = 0
    elseif redis.call('SET', KEYS[n + i], ARGV[1], 'NX', 'PX', ARGV[2]) then
        result[i] = 1
    elseif redis.call('GET', KEYS[n + i]) == ARGV[1] then
        result[i] = 1
    else
        result[i] = 2
    end
end
return result

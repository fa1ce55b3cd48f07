-- Stores a loaded value unless the key was evicted since the load began or is held (a change not yet
-- committed, cache-evict.lua), and gives the lease back.
-- KEYS[1] value, KEYS[2] version, KEYS[3] load lease, KEYS[4] hold
-- ARGV[1] the version the load began at, ARGV[2] value, ARGV[3] TTL in ms ('0' = do not store),
-- ARGV[4] lease token ('' = none)
-- Returns 1 when stored, 0 when not (an eviction made the loaded value stale, a hold, or TTL 0).
local stored = 0
if ARGV[3] ~= '0' and (redis.call('GET', KEYS[2]) or '0') == ARGV[1] and redis.call('EXISTS', KEYS[4]) == 0 then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
    stored = 1
end
if ARGV[4] ~= '' and redis.call('GET', KEYS[3]) == ARGV[4] then
    redis.call('DEL', KEYS[3])
end
return stored

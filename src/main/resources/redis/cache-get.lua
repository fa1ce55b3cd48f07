-- Read-through cache lookup (ReadThroughCache). On a miss, at most one caller across all instances gets
-- the load lease; the others wait for the value. The version read here is the one the loader must
-- still find when it stores (cache-put.lua), so a load that raced an eviction is never stored.
-- While a hold is set (a change not yet committed, cache-evict.lua) every caller reads the database itself
-- and nothing is stored.
-- KEYS[1] value, KEYS[2] version, KEYS[3] load lease, KEYS[4] hold (same hash tag as the value key)
-- ARGV[1] lease token, ARGV[2] lease time in ms
-- Returns {'HIT', value} | {'LOAD', version} (this caller loads) | {'WAIT', version} (another loads) |
-- {'HOLD', version} (load, do not store)
local value = redis.call('GET', KEYS[1])
if value then
    return { 'HIT', value }
end
local version = redis.call('GET', KEYS[2]) or '0'
if redis.call('EXISTS', KEYS[4]) == 1 then
    return { 'HOLD', version }
end
if redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return { 'LOAD', version }
end
return { 'WAIT', version }

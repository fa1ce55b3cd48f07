-- Evicts a cached value: bumps its version first, so a load that read the database before the change
-- cannot store its stale result afterwards (cache-put.lua compares versions).
-- With a hold time (an eviction inside a database transaction, before its commit), it also sets a hold:
-- while it lasts, cache-get.lua answers HOLD (read the database, store nothing) and cache-put.lua stores
-- nothing, so a read between the change and its commit cannot cache the old row. The eviction after the
-- commit (hold time '0') clears the hold; if that eviction fails, the hold's expiry ends it.
-- KEYS[1] value, KEYS[2] version, KEYS[3] hold; ARGV[1] how long the version outlives its last eviction,
-- in ms; ARGV[2] hold time in ms ('0' = clear the hold)
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
if ARGV[2] == '0' then
    redis.call('DEL', KEYS[3])
else
    redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
end
return redis.call('DEL', KEYS[1])

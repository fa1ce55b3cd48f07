-- Evicts a cached value: bumps its version first, so a load that read the database before the change
-- cannot store its stale result afterwards (cache-put.lua compares versions).
-- KEYS[1] value, KEYS[2] version; ARGV[1] how long the version outlives its last eviction, in ms
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])

-- Claims this Redis for one MySQL database (docs/redis.md "One Redis, one database").
-- KEYS[1] the database key; ARGV[1] this database's identity.
-- Returns the identity the key holds now: ARGV[1] when it was missing (then set) or already this one,
-- another database's identity otherwise (nothing changed).
local owner = redis.call('GET', KEYS[1])
if not owner then
    redis.call('SET', KEYS[1], ARGV[1])
    return ARGV[1]
end
return owner

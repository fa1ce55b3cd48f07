-- Takes a lock if free: SET key token NX PX ttl (docs/flows.md "Charge").
-- KEYS[1] lock key; ARGV[1] the owner's random token, ARGV[2] lease time in ms. Returns 1 when taken, 0 when held.
-- A resent call (Lettuce re-sends a command whose reply was lost) finds its own token: that is this owner's
-- lock, so it answers 1 and renews the lease instead of reporting the owner's own lock as held by another.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return 1
end
return 0

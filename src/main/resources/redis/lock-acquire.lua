-- Takes a lock if free: SET key token NX PX ttl (docs/flows.md "Charge").
-- KEYS[1] lock key; ARGV[1] the owner's random token, ARGV[2] lease time in ms. Returns 1 when taken, 0 when held.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return 1
end
return 0

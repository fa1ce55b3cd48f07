-- Releases a lock only for its owner (compare-and-delete), so a holder whose lease expired can never
-- delete the lock the next owner took meanwhile.
-- KEYS[1] lock key; ARGV[1] the owner's token. Returns 1 when deleted, 0 when not the owner's (or gone).
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0

-- Claims an Idempotency-Key for one request and takes its user's lock, in one step (docs/api.md "Orders";
-- docs/flows.md "Order and payment", steps 1-2): the first caller stores its "running" record and takes
-- the lock; everyone else gets the record that is there (running, or the finished response); a free key
-- whose user's lock another request holds is left unclaimed.
-- KEYS[1] the key's record, KEYS[2] the user's lock (same hash tag: the user id).
-- ARGV[1] the running record, ARGV[2] its lease in ms, ARGV[3] the lock token, ARGV[4] the lock's lease in ms.
-- Returns '' when claimed (and locked), 'L' when the lock is held by another owner (nothing changed), else
-- the stored record (the caller's own record if this call was resent: it holds the claim and the lock).
local record = redis.call('GET', KEYS[1])
if record then
    return record
end
if not redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[4]) then
    if redis.call('GET', KEYS[2]) ~= ARGV[3] then
        return 'L'
    end
    redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ''

-- Adds user ids that hold the coupon in MySQL to its holders hash, keeping any value already there (the
-- token of an issue Redis decided). Used before an install and by the reconciler: a MySQL holder is a
-- holder, so adding one is right at any moment, whatever runs concurrently.
-- KEYS[1] coupon:{id}:holders
-- ARGV[1] expireAt ms (the key's TTL when it has none), ARGV[2..] user ids
-- Returns how many were missing.
local added = 0
for i = 2, #ARGV do
  added = added + redis.call('HSETNX', KEYS[1], ARGV[i], '')
end
if redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIREAT', KEYS[1], ARGV[1])
end
return added

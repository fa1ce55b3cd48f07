-- Installs a coupon's issue state unless it is already there (docs/flows.md "First-come coupon issue").
-- The caller has already added the user ids durable in MySQL to the holders hash (coupon-add-holders.lua);
-- the hash may also still hold holders whose issue is not committed yet (only the state hash was lost).
-- Nothing is counted here: remaining is total - HLEN(holders) at each decision, so however many loaders
-- race, and whenever an in-flight commit lands, it cannot be installed wrong. A state hash of an older
-- format (no v = 2) is replaced.
-- KEYS[1] coupon:{id}:state, KEYS[2] coupon:{id}:holders
-- ARGV[1] total, ARGV[2] startsAt ms, ARGV[3] endsAt ms, ARGV[4] active (1/0), ARGV[5] validMs,
-- ARGV[6] expireAt ms (when the keys may go: a day after the window closes), ARGV[7] soldOut (1 when
-- MySQL's issued_count already reached the total)
-- Returns 1 when installed, 0 when the state already existed.
if redis.call('HGET', KEYS[1], 'v') == '2' then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', '2', 'total', ARGV[1], 'startsAt', ARGV[2], 'endsAt', ARGV[3], 'active', ARGV[4],
  'validMs', ARGV[5], 'expireAt', ARGV[6], 'soldOut', ARGV[7])
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PEXPIREAT', KEYS[2], ARGV[6])
end
return 1

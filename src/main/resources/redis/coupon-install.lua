-- Installs a coupon's issue state unless it is already there (docs/flows.md "First-come coupon issue"). The caller has already
-- added the user ids durable in MySQL to the issued set. The set may also still hold holders whose
-- issue is not committed yet (only the state hash was lost), so remaining = total - SCARD(set):
-- every decided issue counts, and it is never "full stock" by default. Several instances may race to
-- install: the first wins, the others change nothing.
-- KEYS[1] coupon:{id}:state, KEYS[2] coupon:{id}:issued
-- ARGV[1] total, ARGV[2] startsAt ms, ARGV[3] endsAt ms, ARGV[4] active (1/0), ARGV[5] validMs,
-- ARGV[6] expireAt ms (when the keys may go: a day after the window closes)
-- Returns 1 when installed, 0 when the state already existed.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local remaining = tonumber(ARGV[1]) - redis.call('SCARD', KEYS[2])
if remaining < 0 then
  remaining = 0
end
redis.call('HSET', KEYS[1], 'total', ARGV[1], 'remaining', remaining, 'startsAt', ARGV[2], 'endsAt', ARGV[3],
  'active', ARGV[4], 'validMs', ARGV[5], 'expireAt', ARGV[6])
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PEXPIREAT', KEYS[2], ARGV[6])
end
return 1

-- Installs a coupon's issue state unless it is already there (SPEC section 4). The caller has already
-- added the user ids durable in MySQL to the issued set; remaining = total - that count, never "full
-- stock" by default. Several instances may race to install: the first wins, the others change nothing.
-- KEYS[1] coupon:{id}:state, KEYS[2] coupon:{id}:issued
-- ARGV[1] total, ARGV[2] remaining, ARGV[3] startsAt ms, ARGV[4] endsAt ms, ARGV[5] active (1/0),
-- ARGV[6] validMs, ARGV[7] expireAt ms (when the keys may go: a day after the window closes)
-- Returns 1 when installed, 0 when the state already existed.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'total', ARGV[1], 'remaining', ARGV[2], 'startsAt', ARGV[3], 'endsAt', ARGV[4],
  'active', ARGV[5], 'validMs', ARGV[6], 'expireAt', ARGV[7])
redis.call('PEXPIREAT', KEYS[1], ARGV[7])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PEXPIREAT', KEYS[2], ARGV[7])
end
return 1

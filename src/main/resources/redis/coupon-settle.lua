-- Brings the coupon's Redis state in line with one commit of the IssueWriter (docs/flows.md "First-come
-- coupon issue"), whatever happened to Redis while the commit was in flight:
-- * every user who holds a row now is a holder (HSETNX: a state rebuilt meanwhile gets them back, an
--   existing value is kept);
-- * every user MySQL refused (the coupon was full) stops being a holder, if the holder is still that
--   issue (same token);
-- * soldOut is set once MySQL's issued_count reached the total, so remaining reads 0 for good;
-- * the commit's log entries are deleted, and a recorded commit failure is cleared.
-- Safe to run twice: every step is idempotent.
-- KEYS[1] coupon:{id}:state, KEYS[2] coupon:{id}:holders, KEYS[3] coupon:{id}:log
-- ARGV[1] expireAt ms, ARGV[2] soldOut (1/0), ARGV[3] n, then n pairs (user, holder value),
-- then m, then m pairs (user, token) refused, then the log entry ids
-- Returns {holders that were missing, holders removed}.
local i = 4
local added = 0
for _ = 1, tonumber(ARGV[3]) do
  added = added + redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
local refused = tonumber(ARGV[i])
i = i + 1
local removed = 0
for _ = 1, refused do
  local value = redis.call('HGET', KEYS[2], ARGV[i])
  local prefix = ARGV[i + 1] .. '|'
  if value and string.sub(value, 1, #prefix) == prefix then
    removed = removed + redis.call('HDEL', KEYS[2], ARGV[i])
  end
  i = i + 2
end
while i <= #ARGV do
  local last = math.min(i + 499, #ARGV)
  redis.call('XDEL', KEYS[3], unpack(ARGV, i, last))
  i = last + 1
end
if redis.call('PTTL', KEYS[2]) == -1 then
  redis.call('PEXPIREAT', KEYS[2], ARGV[1])
end
if redis.call('HGET', KEYS[1], 'v') == '2' then
  if ARGV[2] == '1' then
    redis.call('HSET', KEYS[1], 'soldOut', '1')
  end
  redis.call('HDEL', KEYS[1], 'commitFailures', 'lastCommitFailure')
end
return {added, removed}

-- First-come coupon issue decision, atomic in Redis (docs/flows.md "First-come coupon issue").
-- KEYS[1] coupon:{id}:state    hash: v (2), total, startsAt, endsAt (epoch ms, end exclusive), active (1/0),
--                              validMs (validity of an issued coupon), expireAt (key TTL), soldOut (1 once
--                              MySQL's issued_count reached the total)
-- KEYS[2] coupon:{id}:holders  hash: user id -> '<token>|<logEntryId>|<issuedAt ms>' of the issue Redis
--                              decided, or '' for a holder loaded from MySQL
-- KEYS[3] coupon:{id}:log      stream, one entry per issue not yet committed to MySQL
-- ARGV[1] user id, ARGV[2] now (epoch ms), ARGV[3] the request's token (non-empty, unique per claim)
-- Returns {'MISSING'} (state not loaded: load it from MySQL and retry), {'NOT_ISSUABLE'},
-- {'DUPLICATE'}, {'SOLD_OUT'} or {'ISSUED', logEntryId, expiresAtMs}.
-- Remaining is not stored: it is total - HLEN(holders) (0 once soldOut), so no rebuild, confirm or
-- second loader can leave it out of step with the holders.
-- A re-send of the same call (same token) answers what the first run answered and changes nothing.
-- Each decided outcome is also counted in the state hash (field n:<OUTCOME>) for the operator console.
local state = redis.call('HMGET', KEYS[1], 'v', 'total', 'startsAt', 'endsAt', 'active', 'validMs', 'expireAt',
  'soldOut')
if state[1] ~= '2' then
  return {'MISSING'}
end
local now = tonumber(ARGV[2])
if state[5] ~= '1' or now < tonumber(state[3]) or now >= tonumber(state[4]) then
  redis.call('HINCRBY', KEYS[1], 'n:NOT_ISSUABLE', 1)
  return {'NOT_ISSUABLE'}
end
local holder = redis.call('HGET', KEYS[2], ARGV[1])
if holder then
  local token, entryId, issuedAt = string.match(holder, '^([^|]+)|([^|]+)|([^|]+)$')
  if token == ARGV[3] then
    return {'ISSUED', entryId, string.format('%d', tonumber(issuedAt) + tonumber(state[6]))}
  end
  redis.call('HINCRBY', KEYS[1], 'n:DUPLICATE', 1)
  return {'DUPLICATE'}
end
if state[8] == '1' or redis.call('HLEN', KEYS[2]) >= tonumber(state[2]) then
  redis.call('HINCRBY', KEYS[1], 'n:SOLD_OUT', 1)
  return {'SOLD_OUT'}
end
redis.call('HINCRBY', KEYS[1], 'n:ISSUED', 1)
local expiresAt = string.format('%d', now + tonumber(state[6]))
local entryId = redis.call('XADD', KEYS[3], '*', 'user', ARGV[1], 'issuedAt', ARGV[2], 'expiresAt', expiresAt,
  'token', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. '|' .. entryId .. '|' .. ARGV[2])
if redis.call('PTTL', KEYS[2]) == -1 then
  redis.call('PEXPIREAT', KEYS[2], state[7])
end
if redis.call('PTTL', KEYS[3]) == -1 then
  redis.call('PEXPIREAT', KEYS[3], state[7])
end
return {'ISSUED', entryId, expiresAt}

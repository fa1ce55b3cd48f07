-- First-come coupon issue decision, atomic in Redis (docs/flows.md "First-come coupon issue").
-- KEYS[1] coupon:{id}:state   hash: total, remaining, startsAt, endsAt (epoch ms, end exclusive),
--                             active (1/0), validMs (validity of an issued coupon), expireAt (key TTL)
-- KEYS[2] coupon:{id}:issued  set of user ids that hold this coupon
-- KEYS[3] coupon:{id}:log     stream, one entry per issue not yet committed to MySQL
-- ARGV[1] user id, ARGV[2] now (epoch ms)
-- Returns {'MISSING'} (state not loaded: load it from MySQL and retry), {'NOT_ISSUABLE'},
-- {'DUPLICATE'}, {'SOLD_OUT'} or {'ISSUED', logEntryId, expiresAtMs}.
-- Each decided outcome is also counted in the state hash (field n:<OUTCOME>), so the operator console sees
-- what the crowd got across every instance without a call of its own; the counts restart with the state.
local state = redis.call('HMGET', KEYS[1], 'remaining', 'startsAt', 'endsAt', 'active', 'validMs', 'expireAt')
if not state[1] then
  return {'MISSING'}
end
local now = tonumber(ARGV[2])
if state[4] ~= '1' or now < tonumber(state[2]) or now >= tonumber(state[3]) then
  redis.call('HINCRBY', KEYS[1], 'n:NOT_ISSUABLE', 1)
  return {'NOT_ISSUABLE'}
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'n:DUPLICATE', 1)
  return {'DUPLICATE'}
end
if tonumber(state[1]) <= 0 then
  redis.call('HINCRBY', KEYS[1], 'n:SOLD_OUT', 1)
  return {'SOLD_OUT'}
end
redis.call('HINCRBY', KEYS[1], 'remaining', -1)
redis.call('HINCRBY', KEYS[1], 'n:ISSUED', 1)
redis.call('SADD', KEYS[2], ARGV[1])
if redis.call('PTTL', KEYS[2]) == -1 then
  redis.call('PEXPIREAT', KEYS[2], state[6])
end
local expiresAt = string.format('%d', now + tonumber(state[5]))
local entryId = redis.call('XADD', KEYS[3], '*', 'user', ARGV[1], 'issuedAt', ARGV[2], 'expiresAt', expiresAt)
if redis.call('PTTL', KEYS[3]) == -1 then
  redis.call('PEXPIREAT', KEYS[3], state[6])
end
return {'ISSUED', entryId, expiresAt}

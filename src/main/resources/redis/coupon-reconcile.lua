-- The coupon reconciler's repair, one compare-and-set given MySQL's figures (docs/redis.md "Coupon
-- state"): removes holders that MySQL does not have and whose issue is no longer logged (their commit
-- can no longer come), each only if its value is still the one the reconciler saw (a holder that
-- claimed again meanwhile is left alone); sets soldOut when MySQL's issued_count reached the total.
-- KEYS[1] coupon:{id}:state, KEYS[2] coupon:{id}:holders
-- ARGV[1] soldOut per MySQL (1/0), ARGV[2..] pairs (user, value seen)
-- Returns {holders removed, 1 if soldOut was set now}.
if redis.call('HGET', KEYS[1], 'v') ~= '2' then
  return {0, 0}
end
local removed = 0
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then
    removed = removed + redis.call('HDEL', KEYS[2], ARGV[i])
  end
end
local soldOut = 0
if ARGV[1] == '1' and redis.call('HGET', KEYS[1], 'soldOut') ~= '1' then
  redis.call('HSET', KEYS[1], 'soldOut', '1')
  soldOut = 1
end
return {removed, soldOut}

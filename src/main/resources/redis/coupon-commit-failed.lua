-- Records that a commit of the coupon's issues to MySQL failed, for the operators (admin view, live
-- console): commitFailures counts failures since the last successful commit (coupon-settle.lua clears
-- it), lastCommitFailure is '<epoch ms> <reason>'. Nothing when the state is not installed.
-- KEYS[1] coupon:{id}:state
-- ARGV[1] now ms, ARGV[2] reason
if redis.call('HGET', KEYS[1], 'v') ~= '2' then
  return 0
end
redis.call('HSET', KEYS[1], 'lastCommitFailure', ARGV[1] .. ' ' .. ARGV[2])
return redis.call('HINCRBY', KEYS[1], 'commitFailures', 1)

-- Confirms issues just committed to MySQL in the coupon's Redis state (docs/invariants.md: Redis and MySQL
-- never disagree after the dust settles). Normally every committed holder is already in the issued set
-- and this changes nothing. If Redis lost its data while the commit was in flight, the state was rebuilt
-- from MySQL without these holders: adding them now (and taking them off remaining) keeps them from
-- winning twice and keeps remaining == total - holders.
-- KEYS[1] coupon:{id}:state, KEYS[2] coupon:{id}:issued
-- ARGV user ids just committed
-- Returns how many holders were missing from the set (0 when the state is not loaded: the next load
-- reads MySQL, which already has them).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local missing = 0
for i = 1, #ARGV do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    missing = missing + 1
  end
end
if missing > 0 then
  redis.call('HINCRBY', KEYS[1], 'remaining', -missing)
end
return missing

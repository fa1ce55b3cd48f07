-- Reads a coupon's Redis state for the operators (admin view, live console, reconciler): the state hash
-- as field/value pairs, followed by 'holders' (HLEN of the holders hash) and 'uncommitted' (entries in
-- the log, issues decided but not yet committed to MySQL). Empty when the state is not installed (or of
-- an older format). Remaining is derived from it: 0 when soldOut, else max(0, total - holders).
-- KEYS[1] coupon:{id}:state, KEYS[2] coupon:{id}:holders, KEYS[3] coupon:{id}:log
if redis.call('HGET', KEYS[1], 'v') ~= '2' then
  return {}
end
local fields = redis.call('HGETALL', KEYS[1])
fields[#fields + 1] = 'holders'
fields[#fields + 1] = tostring(redis.call('HLEN', KEYS[2]))
fields[#fields + 1] = 'uncommitted'
fields[#fields + 1] = tostring(redis.call('XLEN', KEYS[3]))
return fields

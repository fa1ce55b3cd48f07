-- Waiting room: spend an admission token (docs/redis.md "Waiting room"). A token is single-use: the first
-- protected request that presents it records its binding (the order's Idempotency-Key, or the coupon
-- claim); a retry of that same request is accepted again (its own idempotency answers it), anything else
-- is refused. A re-send of this call is harmless for the same reason.
-- KEYS[1] room:{id}:used:<ticket>. ARGV[1] the request's binding, ARGV[2] how long to remember it (ms)
-- Returns 1 first use, 2 a retry of the same request, 0 used by another request.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return 2
end
return 0

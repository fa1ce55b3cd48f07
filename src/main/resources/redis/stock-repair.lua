-- Repairs a product's sellable stock that the reconciler found off twice in a row (StockReconciler):
-- compare-and-set, so a reservation or release that ran since the observation is never overwritten.
-- KEYS[1] stock key; ARGV[1] the value observed, ARGV[2] the expected value.
-- Returns 1 set, 0 the value moved meanwhile (or the key is gone): nothing changed, the next run looks again.
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2])
    return 1
end
return 0

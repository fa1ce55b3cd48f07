-- Appends an order's status change to its status log and publishes it (docs/flows.md "Order status stream").
-- KEYS[1] the order's status log (a stream of {s = status, at = epoch ms})
-- ARGV[1] order id, ARGV[2] status, ARGV[3] at (epoch ms), ARGV[4] channel, ARGV[5] log TTL (s), ARGV[6] max entries
-- Each status is logged at most once: a status already in the log returns that entry's id and publishes
-- nothing (a repair, a resent publish). An order status after a final one (PAID, FAILED, CANCELED) is
-- refused, so a late repair can never log PENDING after PAID: returns false.
-- Otherwise appends, publishes "<orderId>|<entryId>|<status>|<at>" and returns the new entry id (the SSE id).
local FINAL = { PAID = true, FAILED = true, CANCELED = true }
local ORDER = { PENDING = true, PAID = true, FAILED = true, CANCELED = true }
local status = ARGV[2]
local entries = redis.call('XRANGE', KEYS[1], '-', '+')
for i = #entries, 1, -1 do
    local logged = entries[i][2][2]
    if logged == status then
        return entries[i][1]
    end
    if ORDER[status] and FINAL[logged] then
        return false
    end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[6], '*', 's', status, 'at', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('PUBLISH', ARGV[4], ARGV[1] .. '|' .. id .. '|' .. status .. '|' .. ARGV[3])
return id

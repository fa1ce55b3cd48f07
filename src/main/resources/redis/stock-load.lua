-- Installs sellable stock loaded from MySQL (startup, or Redis lost the key), each key only while the caller
-- still holds its load lease (stock-load-lease.lua), and ends the lease. A load whose lease ran out or was
-- taken over installs nothing: its MySQL read may be older than sales made from another load's key. Present
-- keys are kept, they already account for reservations in flight.
-- KEYS[1..n] stock keys, KEYS[n+1..2n] their load leases (one hash tag, so one slot); ARGV[1] the caller's
-- token, ARGV[2..n+1] the sellable stock, same order. Returns how many keys were set.
-- Twice: a resent call finds its leases gone and sets nothing again.
local n = #KEYS / 2
local loaded = 0
for i = 1, n do
    if redis.call('GET', KEYS[n + i]) == ARGV[1] then
        if redis.call('SET', KEYS[i], ARGV[i + 1], 'NX') then
            loaded = loaded + 1
        end
        redis.call('DEL', KEYS[n + i])
    end
end
return loaded

-- Installs sellable stock loaded from MySQL (startup, or Redis lost the key), each key only if no other load
-- installed it since this load read its generation (docs/redis.md "Sellable stock"): such a load's MySQL read
-- may be older than sales made from the other load's key, and the key may have been lost again since.
-- Present keys are kept, they already account for reservations in flight.
-- KEYS[1..n] stock keys, KEYS[n+1..2n] their generations (one hash tag, so one slot).
-- ARGV[1] this load's new generation token, ARGV[2..n+1] the sellable stock, ARGV[n+2..2n+1] the generation
-- each key had before this load read MySQL ('' for none). Returns how many keys were set.
-- Twice: a resent call finds the key present (or the generation it set itself) and sets nothing again.
local n = #KEYS / 2
local loaded = 0
for i = 1, n do
    local generation = redis.call('GET', KEYS[n + i]) or ''
    if generation == ARGV[n + 1 + i] and redis.call('SET', KEYS[i], ARGV[i + 1], 'NX') then
        redis.call('SET', KEYS[n + i], ARGV[1])
        loaded = loaded + 1
    end
end
return loaded

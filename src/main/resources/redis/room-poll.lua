-- Waiting room: where the tickets of the streams open on one instance stand (docs/redis.md "Waiting
-- room"). Marks each waiting ticket as heard of now (an open stream keeps its ticket in the queue) and
-- never reports a position above the one its holder was last told.
-- KEYS: the eight keys of room-ticket.lua. ARGV: ticket ids.
-- Returns, per ticket, three numbers: {1, position told, true position} while waiting,
-- position 0 in the pre-queue (its place is drawn at the opening);
-- {2, admitted at (epoch ms), 0} once admitted, {0, 0, 0} when the ticket is gone (dropped, expired, room
-- closed or its state lost).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for _, ticket in ipairs(ARGV) do
  local at = redis.call('ZSCORE', KEYS[8], ticket)
  if at then
    out[#out + 1] = 2
    out[#out + 1] = tonumber(at)
    out[#out + 1] = 0
  else
    local p = nil
    local rank = redis.call('ZRANK', KEYS[3], ticket)
    if rank then
      p = rank + 1
    elseif redis.call('SISMEMBER', KEYS[2], ticket) == 1 then
      p = 0
    end
    if p then
      redis.call('ZADD', KEYS[6], 'XX', now, ticket)
      local told = tonumber(redis.call('HGET', KEYS[7], ticket) or p)
      if p > 0 then
        if told <= 0 or told > p then
          told = p
        end
        redis.call('HSET', KEYS[7], ticket, told)
      end
      out[#out + 1] = 1
      out[#out + 1] = told
      out[#out + 1] = p
    else
      out[#out + 1] = 0
      out[#out + 1] = 0
      out[#out + 1] = 0
    end
  end
end
return out

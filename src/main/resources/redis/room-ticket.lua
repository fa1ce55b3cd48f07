-- Waiting room: take a ticket (docs/redis.md "Waiting room", docs/flows.md "Waiting room"). One ticket per
-- user per room: a user who already holds one gets it back (so a re-send of this call is harmless).
-- KEYS (all tagged {roomId}, one slot):
--   [1] room:{id}:meta      hash: seq (last ticket id), started (ms the pre-queue was shuffled), credit, last
--   [2] room:{id}:prequeue  set of tickets taken before the opening (shuffled into the queue at opening)
--   [3] room:{id}:queue     zset ticket -> order (1..n the shuffled pre-queue, 2^50 + ticket id the later arrivals)
--   [4] room:{id}:tickets   hash ticket -> user id
--   [5] room:{id}:users     hash user id -> ticket
--   [6] room:{id}:seen      zset ticket -> last ms its holder was heard of (ticket taken, stream polled)
--   [7] room:{id}:reported  hash ticket -> the lowest position the holder was told
--   [8] room:{id}:admitted  zset ticket -> ms of its admission
-- ARGV[1] user id, ARGV[2] opensAt (epoch ms), ARGV[3] a random seed for the opening's shuffle
-- Returns {ticketId, position, new (1) or existing (0), admitted (1/0)}; position 0 in the pre-queue (its place
-- is drawn at the opening) and once admitted. A position never rises: the lowest one told is kept.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ARRIVAL = 1125899906842624 -- 2^50: later arrivals sort after the whole pre-queue

local function start()
  if redis.call('HEXISTS', KEYS[1], 'started') == 1 or now < tonumber(ARGV[2]) then
    return
  end
  local members = redis.call('SMEMBERS', KEYS[2])
  table.sort(members, function(a, b) return tonumber(a) < tonumber(b) end)
  math.randomseed(tonumber(ARGV[3]))
  for i = #members, 2, -1 do
    local j = math.random(i)
    members[i], members[j] = members[j], members[i]
  end
  for i = 1, #members do
    redis.call('ZADD', KEYS[3], i, members[i])
  end
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'started', now, 'last', now, 'credit', 0)
end

local function place(ticket)
  local rank = redis.call('ZRANK', KEYS[3], ticket)
  if rank then
    return rank + 1
  end
  if redis.call('SISMEMBER', KEYS[2], ticket) == 1 then
    return 0
  end
  return nil
end

start()
local existing = redis.call('HGET', KEYS[5], ARGV[1])
if existing then
  if redis.call('ZSCORE', KEYS[8], existing) then
    return {tonumber(existing), 0, 0, 1}
  end
  local p = place(existing)
  if p then
    redis.call('ZADD', KEYS[6], 'XX', now, existing)
    local told = tonumber(redis.call('HGET', KEYS[7], existing) or p)
    if p > 0 and told > 0 and told < p then
      p = told
    end
    if p > 0 then
      redis.call('HSET', KEYS[7], existing, p)
    end
    return {tonumber(existing), p, 0, 0}
  end
  -- a stale mapping (its ticket dropped out): take a new ticket
  redis.call('HDEL', KEYS[5], ARGV[1])
end
local ticket = redis.call('HINCRBY', KEYS[1], 'seq', 1)
if redis.call('HEXISTS', KEYS[1], 'started') == 1 then
  redis.call('ZADD', KEYS[3], ARRIVAL + ticket, ticket)
else
  redis.call('SADD', KEYS[2], ticket)
end
redis.call('HSET', KEYS[4], ticket, ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], ticket)
redis.call('ZADD', KEYS[6], now, ticket)
local p = place(ticket)
if p > 0 then
  redis.call('HSET', KEYS[7], ticket, p)
end
return {ticket, p, 1, 0}

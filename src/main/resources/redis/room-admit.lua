-- Waiting room: the admission pace (docs/redis.md "Waiting room"). Every instance calls it every few
-- hundred ms for every open room; it is safe to run from any number of them at once, and a re-send is
-- harmless: the admissions are a token bucket on Redis's own clock (admissionsPerSecond credits a second,
-- at most one second's worth saved), so however many callers there are, the room admits at its rate.
-- A step that comes late (every caller busy or stalled) still admits what the room owed the line that
-- waited since the previous step (field 'line'), up to ARGV[7] ms of it: the line keeps the configured
-- rate on average. Time with no line waiting earns one second's worth at most, and what stays unspent is
-- cut to one second's worth again, so an idle room never saves up a burst.
-- In order: shuffles the pre-queue into the queue once the opening time is reached; drops the tickets not
-- heard of for the grace time and the admissions older than their life; admits the queue's head.
-- KEYS: the eight keys of room-ticket.lua.
-- ARGV[1] opensAt (epoch ms), ARGV[2] admissions per second, ARGV[3] random seed, ARGV[4] grace (ms),
-- ARGV[5] admission life (ms), ARGV[6] most tickets dropped per call, ARGV[7] longest catch-up (ms)
-- Returns {admitted now, queue size, pre-queue size, dropped now, started (1/0), admitted and unexpired}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function start()
  if redis.call('HEXISTS', KEYS[1], 'started') == 1 or now < tonumber(ARGV[1]) then
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

local function drop(ticket)
  redis.call('ZREM', KEYS[3], ticket)
  redis.call('SREM', KEYS[2], ticket)
  redis.call('ZREM', KEYS[6], ticket)
  redis.call('ZREM', KEYS[8], ticket)
  redis.call('HDEL', KEYS[7], ticket)
  local user = redis.call('HGET', KEYS[4], ticket)
  redis.call('HDEL', KEYS[4], ticket)
  if user and redis.call('HGET', KEYS[5], user) == ticket then
    redis.call('HDEL', KEYS[5], user)
  end
end

start()
local limit = tonumber(ARGV[6])
local dropped = 0
for _, ticket in ipairs(redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now - tonumber(ARGV[4]), 'LIMIT', 0, limit)) do
  drop(ticket)
  dropped = dropped + 1
end
for _, ticket in ipairs(redis.call('ZRANGEBYSCORE', KEYS[8], '-inf', now - tonumber(ARGV[5]), 'LIMIT', 0, limit)) do
  drop(ticket)
end
local admitted = 0
local started = redis.call('HMGET', KEYS[1], 'started', 'credit', 'last', 'line')
if started[1] then
  local rate = tonumber(ARGV[2])
  local last = tonumber(started[3])
  local credit = tonumber(started[2])
  if now > last then
    local most = rate
    if started[4] == '1' then
      most = math.max(rate, rate * tonumber(ARGV[7]) / 1000)
    end
    credit = math.min(most, credit + (now - last) * rate / 1000)
  end
  local n = math.floor(credit)
  if n > 0 then
    local head = redis.call('ZPOPMIN', KEYS[3], n)
    for i = 1, #head, 2 do
      redis.call('ZADD', KEYS[8], now, head[i])
      redis.call('ZREM', KEYS[6], head[i])
      redis.call('HDEL', KEYS[7], head[i])
      admitted = admitted + 1
    end
    credit = credit - admitted
  end
  credit = math.min(rate, credit)
  local line = (redis.call('ZCARD', KEYS[3]) > 0) and '1' or '0'
  -- an idle room whose bucket is full stays as it is: no write until something changes
  local idle = admitted == 0 and credit >= rate and tonumber(started[2]) >= rate
  if now > last and not idle then
    redis.call('HSET', KEYS[1], 'credit', tostring(credit), 'last', now, 'line', line)
  end
  if admitted > 0 then
    redis.call('HINCRBY', KEYS[1], 'admittedTotal', admitted)
  end
end
return {admitted, redis.call('ZCARD', KEYS[3]), redis.call('SCARD', KEYS[2]), dropped, started[1] and 1 or 0,
  redis.call('ZCARD', KEYS[8])}

-- Claims an Idempotency-Key for one request (docs/api.md "Orders"): the first caller stores its "running"
-- record; everyone else gets the record that is there (running, or the finished response).
-- KEYS[1] the key's record; ARGV[1] the running record, ARGV[2] its lease in ms.
-- Returns '' when claimed, else the stored record (the caller's own record if this call was resent).
local record = redis.call('GET', KEYS[1])
if record then
    return record
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ''

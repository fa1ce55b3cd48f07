-- wrk script: POST to a path with a different user token on every request (a coupon claim, a charge).
--
--   wrk -t2 -c64 -d10s --latency -s issue.lua http://127.0.0.1:8080 -- /api/coupons/42/issue tokens.txt 2
--   wrk -t2 -c64 -d10s --latency -s issue.lua http://127.0.0.1:8080 -- /api/balance/charge tokens.txt 2 '{"amount":1000}'
--
-- Script args (after "--"), each falling back to an environment variable:
--   1: request path          (ISSUE_PATH)
--   2: token file, one JWT per line, as written by mint-tokens.py (TOKEN_FILE)
--   3: number of wrk threads, must equal -t (WRK_THREADS, default 1)
--   4: optional JSON request body, sent with Content-Type: application/json (REQUEST_BODY)
--
-- Thread i (0-based) of T uses only lines i+1, i+1+T, i+1+2T, ... of the token file, so no two
-- threads ever send the same user. A thread that runs out of tokens starts over from its first one
-- (those repeats should answer 409) and the number of such repeats is reported as tokens_reused.
--
-- done() prints machine-readable lines, all starting with "BENCH ":
--   BENCH requests=<n> duration_s=<s> rps=<r> p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
--   BENCH errors connect=.. read=.. write=.. timeout=.. non2xx3xx=..
--   BENCH status <code> <count>        (one line per HTTP status seen, summed over threads)
--   BENCH tokens_reused=<n> threads=<T>

-- ---------------------------------------------------------------- main thread (setup / done)
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

-- ---------------------------------------------------------------- worker threads
local path, tokens, ntokens, next_token, headers, body
local wrapped = false
counts = {}         -- status code -> count; global so that done() can thread:get() it
tokens_reused = 0   -- global for the same reason

function init(args)
  path = args[1] or os.getenv("ISSUE_PATH")
  local token_file = args[2] or os.getenv("TOKEN_FILE")
  local nthreads = tonumber(args[3] or os.getenv("WRK_THREADS") or "1")
  if not path or not token_file then
    error("usage: wrk ... -s issue.lua <url> -- <path> <token-file> <threads>  (or ISSUE_PATH/TOKEN_FILE/WRK_THREADS)")
  end
  local index = thread_index or 0
  if index >= nthreads then
    error("thread index " .. index .. " >= declared thread count " .. nthreads .. ": pass the same number as -t")
  end

  tokens = {}
  local line_no = 0
  for line in io.lines(token_file) do
    if line ~= "" then
      if line_no % nthreads == index then
        tokens[#tokens + 1] = "Bearer " .. line
      end
      line_no = line_no + 1
    end
  end
  ntokens = #tokens
  if ntokens == 0 then
    error("no tokens for thread " .. index .. " in " .. token_file)
  end
  next_token = 1
  headers = { ["Accept"] = "application/json" }
  body = args[4] or os.getenv("REQUEST_BODY") or ""
  if body ~= "" then
    headers["Content-Type"] = "application/json"
  end
end

function request()
  if next_token > ntokens then
    next_token = 1
    wrapped = true
  end
  if wrapped then
    tokens_reused = tokens_reused + 1
  end
  headers["Authorization"] = tokens[next_token]
  next_token = next_token + 1
  return wrk.format("POST", path, headers, body)
end

function response(status, resp_headers, body)
  counts[status] = (counts[status] or 0) + 1
end

-- ---------------------------------------------------------------- main thread, after the run
local function ms(us)
  return string.format("%.2f", us / 1000.0)
end

function done(summary, latency, requests)
  local total = {}
  local reused = 0
  for _, thread in ipairs(threads) do
    local c = thread:get("counts") or {}
    for status, n in pairs(c) do
      total[status] = (total[status] or 0) + n
    end
    reused = reused + (thread:get("tokens_reused") or 0)
  end

  local seconds = summary.duration / 1e6
  io.write(string.format("BENCH requests=%d duration_s=%.2f rps=%.1f p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s\n",
    summary.requests, seconds, summary.requests / seconds,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max)))
  io.write(string.format("BENCH errors connect=%d read=%d write=%d timeout=%d non2xx3xx=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))

  local codes = {}
  for status in pairs(total) do codes[#codes + 1] = status end
  table.sort(codes)
  for _, status in ipairs(codes) do
    io.write(string.format("BENCH status %d %d\n", status, total[status]))
  end
  io.write(string.format("BENCH tokens_reused=%d threads=%d\n", reused, #threads))
end

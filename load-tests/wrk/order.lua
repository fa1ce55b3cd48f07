-- wrk script: POST /api/orders from pre-charged users, a fresh Idempotency-Key and a random product
-- (out of a list) on every request.
--
--   wrk -t2 -c64 -d10s --latency -s order.lua http://127.0.0.1:8080 -- tokens.txt @products.txt 2 run42 1 500
--   wrk -t2 -c64 -d10s --latency -s order.lua http://127.0.0.1:8080 -- tokens.txt 1234 2 run43 1 500  (one hot product)
--
-- Script args (after "--"), each falling back to an environment variable:
--   1: token file, one JWT per line (TOKEN_FILE), each a user that exists and is charged
--   2: product ids: "@<file>" with one id per line, or a comma-separated list (PRODUCT_IDS)
--   3: number of wrk threads, must equal -t (WRK_THREADS, default 1)
--   4: Idempotency-Key prefix, unique per wrk run (KEY_PREFIX, default "wrk-<epoch seconds>")
--   5: quantity per order (QUANTITY, default 1)
--   6: users per thread (USERS_PER_THREAD, default 1): thread i (0-based) takes token lines
--      i*U+1 .. i*U+U and sends its requests from them in turn
--
-- One user must never have two orders in flight (the per-user lock answers 409 REQUEST_IN_PROGRESS).
-- A wrk thread does not know which of its connections sends a request, so give each thread many
-- more users than it has connections (e.g. 500 users for 32 connections): a user's next request then
-- leaves hundreds of requests after its previous one, long after that one was answered. With one
-- connection per thread, one user per thread is enough.
--
-- Every request: Authorization of the thread's next user, Idempotency-Key <prefix>-<thread>-<n>
-- (never repeated within a run), body {"items":[{"productId":<random id>,"quantity":<q>}]}.
--
-- done() prints machine-readable lines, all starting with "BENCH ":
--   BENCH requests=<n> duration_s=<s> rps=<r> p50_ms=.. p90_ms=.. p95_ms=.. p99_ms=.. max_ms=..
--   BENCH errors connect=.. read=.. write=.. timeout=.. non2xx3xx=..
--   BENCH status <code> <count>          (one line per HTTP status seen, summed over threads)
--   BENCH code <status> <CODE> <count>   (problem "code" of the 4xx/5xx answers, "none" if absent)
--   BENCH users=<U> threads=<T> products=<P> quantity=<q>

-- ---------------------------------------------------------------- main thread (setup / done)
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

-- ---------------------------------------------------------------- worker threads
local headers, tokens, products, nproducts, quantity, key_prefix
local sent = 0
counts = {}          -- status code -> count; global so that done() can thread:get() it
codes = {}           -- "<status> <CODE>" -> count, for the error answers; global for the same reason
products_loaded = 0  -- globals for done() as well
users_loaded = 0
quantity_sent = 0

local function read_products(spec)
  local list = {}
  if spec:sub(1, 1) == "@" then
    for line in io.lines(spec:sub(2)) do
      local id = line:match("^%s*(%d+)%s*$")
      if id then list[#list + 1] = id end
    end
  else
    for id in spec:gmatch("%d+") do list[#list + 1] = id end
  end
  return list
end

function init(args)
  local token_file = args[1] or os.getenv("TOKEN_FILE")
  local product_spec = args[2] or os.getenv("PRODUCT_IDS")
  local nthreads = tonumber(args[3] or os.getenv("WRK_THREADS") or "1")
  key_prefix = args[4] or os.getenv("KEY_PREFIX") or ("wrk-" .. os.time())
  quantity = tonumber(args[5] or os.getenv("QUANTITY") or "1")
  if not token_file or not product_spec then
    error("usage: wrk ... -s order.lua <url> -- <token-file> <@product-file|id,id,..> <threads> [key-prefix] [quantity]")
  end
  if not quantity or quantity < 1 or quantity % 1 ~= 0 then
    error("quantity must be a positive integer: " .. tostring(args[5] or os.getenv("QUANTITY")))
  end
  local index = thread_index or 0
  if index >= nthreads then
    error("thread index " .. index .. " >= declared thread count " .. nthreads .. ": pass the same number as -t")
  end

  local per_thread = tonumber(args[6] or os.getenv("USERS_PER_THREAD") or "1")
  if not per_thread or per_thread < 1 or per_thread % 1 ~= 0 then
    error("users per thread must be a positive integer: " .. tostring(args[6] or os.getenv("USERS_PER_THREAD")))
  end
  local first = index * per_thread
  local line_no = 0
  tokens = {}
  for line in io.lines(token_file) do
    if line ~= "" then
      if line_no >= first and line_no < first + per_thread then
        tokens[#tokens + 1] = "Bearer " .. line
      end
      line_no = line_no + 1
    end
  end
  users_loaded = #tokens
  if #tokens < per_thread then
    error("thread " .. index .. " needs token lines " .. (first + 1) .. ".." .. (first + per_thread) .. " of "
      .. token_file .. ", which has " .. line_no)
  end

  products = read_products(product_spec)
  nproducts = #products
  products_loaded = nproducts
  quantity_sent = quantity
  if nproducts == 0 then
    error("no product ids in " .. product_spec)
  end
  math.randomseed(os.time() * 1000 + index)
  key_prefix = key_prefix .. "-" .. index
  headers = {
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
  }
end

function request()
  sent = sent + 1
  headers["Authorization"] = tokens[(sent - 1) % #tokens + 1]
  headers["Idempotency-Key"] = key_prefix .. "-" .. sent
  local product = products[math.random(nproducts)]
  local body = '{"items":[{"productId":' .. product .. ',"quantity":' .. quantity .. '}]}'
  return wrk.format("POST", "/api/orders", headers, body)
end

function response(status, resp_headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status >= 400 then
    local code = body and body:match('"code"%s*:%s*"([%w_]+)"') or "none"
    local key = status .. " " .. code
    codes[key] = (codes[key] or 0) + 1
  end
end

-- ---------------------------------------------------------------- main thread, after the run
local function ms(us)
  return string.format("%.2f", us / 1000.0)
end

function done(summary, latency, requests)
  local total, total_codes = {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts") or {}) do
      total[status] = (total[status] or 0) + n
    end
    for key, n in pairs(thread:get("codes") or {}) do
      total_codes[key] = (total_codes[key] or 0) + n
    end
  end

  local seconds = summary.duration / 1e6
  io.write(string.format("BENCH requests=%d duration_s=%.2f rps=%.1f p50_ms=%s p90_ms=%s p95_ms=%s p99_ms=%s max_ms=%s\n",
    summary.requests, seconds, summary.requests / seconds,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)),
    ms(latency:percentile(99)), ms(latency.max)))
  io.write(string.format("BENCH errors connect=%d read=%d write=%d timeout=%d non2xx3xx=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))

  local statuses = {}
  for status in pairs(total) do statuses[#statuses + 1] = status end
  table.sort(statuses)
  for _, status in ipairs(statuses) do
    io.write(string.format("BENCH status %d %d\n", status, total[status]))
  end
  local keys = {}
  for key in pairs(total_codes) do keys[#keys + 1] = key end
  table.sort(keys)
  for _, key in ipairs(keys) do
    io.write(string.format("BENCH code %s %d\n", key, total_codes[key]))
  end
  local first = threads[1]
  local users = 0
  for _, thread in ipairs(threads) do
    users = users + (thread:get("users_loaded") or 0)
  end
  io.write(string.format("BENCH users=%d threads=%d products=%d quantity=%d\n", users, #threads,
    first and first:get("products_loaded") or 0, first and first:get("quantity_sent") or 0))
end

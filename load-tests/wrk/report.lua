-- wrk script for plain GETs (the liveness baseline): no per-request Lua at all, only done(),
-- which prints the same "BENCH ..." lines as issue.lua / order.lua so bench-coupon.sh and
-- bench-order.sh can compare them (p95_ms is for bench-order.sh; issue.lua does not print it).
--
--   wrk -t2 -c64 -d10s --latency -s report.lua http://127.0.0.1:8080/actuator/health/liveness

local function ms(us)
  return string.format("%.2f", us / 1000.0)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("BENCH requests=%d duration_s=%.2f rps=%.1f p50_ms=%s p90_ms=%s p95_ms=%s p99_ms=%s max_ms=%s\n",
    summary.requests, seconds, summary.requests / seconds,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)),
    ms(latency:percentile(99)), ms(latency.max)))
  io.write(string.format("BENCH errors connect=%d read=%d write=%d timeout=%d non2xx3xx=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end

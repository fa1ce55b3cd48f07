#!/usr/bin/env bash
# "No one waits for ever" (docs/operations.md "Admission"): 10,000 concurrent connections on the coupon
# sold-out path, every request answered within 2 s (a result, or 503/429 with Retry-After), none lost.
#
# Needs the service running at $BASE (local profile). Opens a coupon of 1 unit, claims it once (201) and
# once more (410, so the instance learns it is sold out), warms up with WARMUP s at 64 connections, then
# runs wrk -t2 -c$CONNECTIONS -d${DURATION}s --timeout 2s with a distinct user per request: a request not
# answered within 2 s is a wrk timeout, one never answered a read/connect error. Prints wrk's figures, the
# statuses seen and PASS/FAIL: timeouts == 0, connect/read/write errors == 0, max latency < 2 s, and only
# 410 / 429 / 503 answers. Raises `ulimit -n` (wrk needs one descriptor per connection; so does the service:
# start it from a shell with `ulimit -n 65536`).
#
#   BASE=http://127.0.0.1:19300 load-tests/wrk/crowd-10k.sh
#
# Environment (defaults): BASE (http://127.0.0.1:8080), SECRET (local default), CONNECTIONS (10000),
#   THREADS (2), DURATION (10), WARMUP (30), TOKENS (200000), OUT_DIR.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BASE="${BASE:-http://127.0.0.1:8080}"
export SECRET="${SECRET:-local-dev-secret-change-me-0123456789abcdef}"
CONNECTIONS="${CONNECTIONS:-10000}"
THREADS="${THREADS:-2}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-30}"
TOKENS="${TOKENS:-200000}"
OUT_DIR="${OUT_DIR:-$HERE/../target/wrk-crowd/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT_DIR"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

ADMIN="$(python3 "$HERE/mint-tokens.py" --admin --start 1 --count 1)"
code="C10K-$RANDOM$RANDOM"
now="$(date -u +%s)"
body="{\"code\":\"$code\",\"name\":\"crowd\",\"discountAmount\":1000,\"totalQuantity\":1,\"startsAt\":\"$(date -u -d @$((now - 60)) +%FT%TZ)\",\"endsAt\":\"$(date -u -d @$((now + 3600)) +%FT%TZ)\",\"validDays\":7}"
COUPON="$(curl -fsS --max-time 10 -X POST "$BASE/api/admin/coupons" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
START=$(( 5000000 + (RANDOM * 32768 + RANDOM) % 1000000000 ))
python3 "$HERE/mint-tokens.py" --count "$TOKENS" --start "$START" --out "$OUT_DIR/tokens.txt"
for t in "$(sed -n 1p "$OUT_DIR/tokens.txt")" "$(sed -n 2p "$OUT_DIR/tokens.txt")"; do
  curl -sS --max-time 10 -o /dev/null -w "first claims: %{http_code}\n" -X POST "$BASE/api/coupons/$COUPON/issue" -H "Authorization: Bearer $t"
done
sleep 1
if (( WARMUP > 0 )); then
  timeout -k 5 $(( WARMUP + 60 )) wrk -t"$THREADS" -c64 -d"${WARMUP}s" --timeout 2s --latency -s "$HERE/issue.lua" \
    "$BASE" -- "/api/coupons/$COUPON/issue" "$OUT_DIR/tokens.txt" "$THREADS" > "$OUT_DIR/warmup.txt" 2>&1 || true
  echo "warm-up: $(grep -h '^Requests/sec' "$OUT_DIR/warmup.txt" || echo none)"
fi
echo "uptime: $(uptime)"
timeout -k 5 $(( DURATION + 120 )) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 2s --latency \
  -s "$HERE/issue.lua" "$BASE" -- "/api/coupons/$COUPON/issue" "$OUT_DIR/tokens.txt" "$THREADS" > "$OUT_DIR/crowd.txt" 2>&1 || true
echo "uptime: $(uptime)"
cat "$OUT_DIR/crowd.txt"
metric() { grep -h '^BENCH ' "$OUT_DIR/crowd.txt" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n1; }
fail=0
for e in connect read write timeout; do
  v="$(metric "$e")"; [[ "${v:-x}" == 0 ]] || { echo "FAIL $e errors: ${v:-?}"; fail=1; }
done
max="$(metric max_ms)"
python3 -c "import sys; sys.exit(0 if float('${max:-99999}') < 2000 else 1)" || { echo "FAIL max latency ${max} ms >= 2000"; fail=1; }
others="$(awk '$1=="BENCH" && $2=="status" && $3!="410" && $3!="429" && $3!="503" {print $3"="$4}' "$OUT_DIR/crowd.txt")"
[[ -z "$others" ]] || { echo "FAIL other statuses: $others"; fail=1; }
rm -f "$OUT_DIR/tokens.txt"
(( fail == 0 )) && echo "CROWD 10K: PASS" || echo "CROWD 10K: FAIL"
exit "$fail"

#!/usr/bin/env bash
# What the operator console costs the service (docs/operations.md "Operator console"): the same wrk
# coupon rush (sold-out path: a coupon of quantity 1, distinct users) runs twice against the running
# service, first with no console open, then with $CONSOLES consoles streaming GET /api/admin/live. For each
# run it prints the rush's req/s and p99, the service's CPU (from /proc/<pid>/stat over the run) and its
# heap after a full GC at the end of the run (jcmd), then the differences.
#
#   BASE=http://127.0.0.1:18080 SERVICE_PID=<pid of the java process> load-tests/console/bench-console.sh
#
# Environment (defaults): BASE (http://127.0.0.1:8080), SERVICE_PID (the process listening on BASE's
#   port), SECRET (service local default), CONSOLES (5), THREADS (2), CONNECTIONS (64), DURATION (20 s),
#   WRK_TIMEOUT (5 s), TOKENS (200000), OUT_DIR (load-tests/target/console/<timestamp>).
# Bounded: each wrk run DURATION s (killed at DURATION+120 s), the consoles are stopped after each run.
set -euo pipefail
shopt -s inherit_errexit

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WRK="$HERE/../wrk"
BASE="${BASE:-http://127.0.0.1:8080}"
BASE="${BASE%/}"
export SECRET="${SECRET:-local-dev-secret-change-me-0123456789abcdef}"
CONSOLES="${CONSOLES:-5}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-20}"
WRK_TIMEOUT="${WRK_TIMEOUT:-5}"
TOKENS="${TOKENS:-200000}"
OUT_DIR="${OUT_DIR:-$HERE/../target/console/$(date +%Y%m%d-%H%M%S)}"

# shellcheck source=../wrk/bench-lib.sh
source "$WRK/bench-lib.sh"
require_tools
command -v jcmd >/dev/null 2>&1 || { echo "jcmd (a JDK) is required" >&2; exit 2; }
curl -fsS --max-time 5 -o /dev/null "$BASE/actuator/health/liveness" \
  || { echo "service not reachable at $BASE (start it first)" >&2; exit 3; }
PORT="${BASE##*:}"
SERVICE_PID="${SERVICE_PID:-$(ss -ltnpH "sport = :$PORT" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1)}"
[[ -n "$SERVICE_PID" && -r "/proc/$SERVICE_PID/stat" ]] || { echo "set SERVICE_PID" >&2; exit 3; }
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
ADMIN_TOKEN="$(python3 "$WRK/mint-tokens.py" --admin --start 1 --count 1)"
START_ID=$(( 2000000000 + (RANDOM * 32768 + RANDOM) % 1000000000 ))
python3 "$WRK/mint-tokens.py" --start "$START_ID" --count "$TOKENS" > "$OUT_DIR/tokens.txt"
trap 'rm -f "$OUT_DIR/tokens.txt"; jobs -p | xargs -r kill 2>/dev/null || true' EXIT

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVICE_PID/stat"; }
# shellcheck source=../heap.sh
source "$HERE/../heap.sh"
heap_kib() { heap_used_kb "$SERVICE_PID"; }
new_coupon() {
  local now body
  body="$(python3 -c 'import json,random,string
from datetime import datetime,timedelta,timezone
n=datetime.now(timezone.utc).replace(microsecond=0); f=lambda t:t.strftime("%Y-%m-%dT%H:%M:%SZ")
c="CONSOLE-"+"".join(random.choices(string.ascii_uppercase,k=8))
print(json.dumps({"code":c,"name":"console bench","discountAmount":1000,"totalQuantity":1,
 "startsAt":f(n-timedelta(minutes=1)),"endsAt":f(n+timedelta(hours=1)),"validDays":7}))')"
  curl -fsS --max-time 10 -X POST "$BASE/api/admin/coupons" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

HZ="$(getconf CLK_TCK)"
declare -A RPS P99 CPU HEAP
for consoles in 0 "$CONSOLES"; do
  for _ in $(seq 1 "$consoles"); do
    timeout -k 5 $(( DURATION + 60 )) curl -sN --max-time $(( DURATION + 30 )) -o /dev/null \
      -H "Authorization: Bearer $ADMIN_TOKEN" "$BASE/api/admin/live" &
  done
  sleep 2
  coupon="$(new_coupon)"
  before="$(cpu_ticks)"
  run_wrk "rush-$consoles" "$BASE" "$WRK/issue.lua" "/api/coupons/$coupon/issue" "$OUT_DIR/tokens.txt" "$THREADS"
  after="$(cpu_ticks)"
  RPS[$consoles]="$(metric "rush-$consoles" rps)"
  P99[$consoles]="$(metric "rush-$consoles" p99_ms)"
  CPU[$consoles]="$(python3 -c "print(round(100.0 * ($after - $before) / $HZ / $DURATION, 1))")"
  HEAP[$consoles]="$(heap_kib)"
  jobs -p | xargs -r kill 2>/dev/null || true
  wait 2>/dev/null || true
  log "consoles=$consoles: $(statuses "rush-$consoles"), ${RPS[$consoles]} req/s, p99 ${P99[$consoles]} ms, service CPU ${CPU[$consoles]} %, heap after GC ${HEAP[$consoles]} KiB"
done
printf '\n| consoles | req/s | p99 ms | service CPU %% (of one core) | heap after GC KiB |\n|---|---|---|---|---|\n'
for consoles in 0 "$CONSOLES"; do
  printf '| %s | %s | %s | %s | %s |\n' "$consoles" "${RPS[$consoles]}" "${P99[$consoles]}" "${CPU[$consoles]}" "${HEAP[$consoles]}"
done

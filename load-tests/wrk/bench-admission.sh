#!/usr/bin/env bash
# The cost and the gain of the admission protections (docs/operations.md "Admission"), measured in one
# run on the same box: the service jar is started once per configuration, each time on a fresh
# database, and the same wrk benchmarks run against it back to back:
#   bare      app.rate-limit.enabled=false app.load-shedding.enabled=false app.coupon.sold-out-from-memory=false
#   guarded   rate limits and load shedding on, sold out from memory off  (the cost of the guards)
#   on        everything on (the defaults)                                 (+ sold out from memory)
# Per configuration: bench-coupon.sh (liveness, losers = the sold-out path, winners) and, for the
# configurations of ORDER_CONFIGS (bare and on: sold out from memory is of coupons only), bench-order.sh
# (spread, hot, soldout). Prints one table per benchmark with a line per
# configuration and `uptime` before each; the raw outputs stay in OUT_DIR.
#
#   JAR=target/flashsale-0.1.0-SNAPSHOT.jar PORT=19300 DB_PREFIX=flashsale_b3 REDIS_PORT=6403 \
#     load-tests/wrk/bench-admission.sh
#
# Environment (defaults): JAR (target/flashsale-0.1.0-SNAPSHOT.jar), PORT (19300), DB_PREFIX
#   (flashsale_bench: each configuration gets <prefix>_<config>, dropped first), REDIS_PORT (6379; the
#   Redis db is flushed before each configuration), CONFIGS ("bare guarded on"), ORDER_CONFIGS ("bare on"), WARMUP
#   (60 s per benchmark), DURATION (10 s), CONNECTIONS (64), OUT_DIR.
# Bounded: each service start waits at most 180 s; each benchmark is bounded by its own script.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$ROOT/target/flashsale-0.1.0-SNAPSHOT.jar}"
PORT="${PORT:-19300}"
DB_PREFIX="${DB_PREFIX:-flashsale_bench}"
REDIS_PORT="${REDIS_PORT:-6379}"
CONFIGS="${CONFIGS:-bare guarded on}"
ORDER_CONFIGS="${ORDER_CONFIGS:-bare on}"
export WARMUP="${WARMUP:-60}" DURATION="${DURATION:-10}" CONNECTIONS="${CONNECTIONS:-64}"
OUT_DIR="${OUT_DIR:-$HERE/../target/wrk-admission/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT_DIR"

flags() {
  case "$1" in
    bare) echo "--app.rate-limit.enabled=false --app.load-shedding.enabled=false --app.coupon.sold-out-from-memory=false" ;;
    guarded) echo "--app.coupon.sold-out-from-memory=false" ;;
    on) echo "" ;;
    *) echo "unknown configuration $1" >&2; exit 1 ;;
  esac
}

PID=""
stop() {
  if [[ -n "$PID" ]]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=""
  fi
}
trap stop EXIT

for config in $CONFIGS; do
  db="${DB_PREFIX}_${config}"
  mysql -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
  redis-cli -p "$REDIS_PORT" -n 0 FLUSHDB > /dev/null
  # shellcheck disable=SC2046
  DB_NAME="$db" REDIS_PORT="$REDIS_PORT" java -jar "$JAR" --spring.profiles.active=local --server.port="$PORT" \
    --spring.docker.compose.enabled=false $(flags "$config") > "$OUT_DIR/$config-service.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 180); do
    curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/actuator/health/readiness" && break
    sleep 1
  done
  echo "== $config ($(flags "$config")) uptime: $(uptime)" | tee -a "$OUT_DIR/summary.txt"
  BASE="http://127.0.0.1:$PORT" OUT_DIR="$OUT_DIR/$config-coupon" "$HERE/bench-coupon.sh" > "$OUT_DIR/$config-coupon.txt" 2>&1 || true
  grep -A5 "^COUPON BENCH" "$OUT_DIR/$config-coupon.txt" | sed "s/^/$config  /" | tee -a "$OUT_DIR/summary.txt" || true
  if [[ " $ORDER_CONFIGS " == *" $config "* ]]; then
    echo "== $config orders uptime: $(uptime)" | tee -a "$OUT_DIR/summary.txt"
    BASE="http://127.0.0.1:$PORT" OUT_DIR="$OUT_DIR/$config-order" "$HERE/bench-order.sh" > "$OUT_DIR/$config-order.txt" 2>&1 || true
    grep -A6 "^ORDER BENCH" "$OUT_DIR/$config-order.txt" | sed "s/^/$config  /" | tee -a "$OUT_DIR/summary.txt" || true
  fi
  stop
done
echo "summary: $OUT_DIR/summary.txt"

#!/usr/bin/env bash
# The admission protections on against off in the same run, interleaved: two instances of the jar run at
# once, "bare" (every protection off) and "on" (the defaults), each on its own database and Redis db, and
# bench-coupon.sh (liveness, losers = the sold-out path, winners) runs against one, then the other,
# ROUNDS times. On a box shared with other work, interleaving keeps both configurations under the same
# background load; compare the two lines of each round. Prints `uptime` before each run.
#
#   JAR=target/flashsale-0.1.0-SNAPSHOT.jar PORTS="19301 19302" DB_PREFIX=flashsale_b3 REDIS_PORT=6403 \
#     load-tests/wrk/bench-admission-ab.sh
#
# Environment (defaults): JAR, PORTS ("19301 19302": bare, on), DB_PREFIX (flashsale_bench; databases
#   <prefix>_ab_bare and <prefix>_ab_on are dropped and created), REDIS_PORT (6379; dbs 2 and 3 flushed),
#   ROUNDS (2), WARMUP (30 s per instance, once), DURATION (8), CONNECTIONS (64), KEEP (0: stop the
#   instances at the end; 1 leaves them running for crowd-10k.sh / OverloadSimulation), OUT_DIR.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$ROOT/target/flashsale-0.1.0-SNAPSHOT.jar}"
read -r PORT_BARE PORT_ON <<< "${PORTS:-19301 19302}"
DB_PREFIX="${DB_PREFIX:-flashsale_bench}"
REDIS_PORT="${REDIS_PORT:-6379}"
ROUNDS="${ROUNDS:-2}"
WARMUP_FIRST="${WARMUP:-30}"
export DURATION="${DURATION:-8}" CONNECTIONS="${CONNECTIONS:-64}"
KEEP="${KEEP:-0}"
OUT_DIR="${OUT_DIR:-$HERE/../target/wrk-admission-ab/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT_DIR"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

PIDS=()
cleanup() { if [[ "$KEEP" != 1 ]]; then for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; fi; }
trap cleanup EXIT

start() { # start <name> <port> <redis db> <flags...>
  local name="$1" port="$2" rdb="$3"; shift 3
  mysql -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS ${DB_PREFIX}_ab_$name; CREATE DATABASE ${DB_PREFIX}_ab_$name"
  redis-cli -p "$REDIS_PORT" -n "$rdb" FLUSHDB > /dev/null
  DB_NAME="${DB_PREFIX}_ab_$name" REDIS_PORT="$REDIS_PORT" nohup java -jar "$JAR" --spring.profiles.active=local \
    --server.port="$port" --spring.data.redis.database="$rdb" --spring.docker.compose.enabled=false \
    --spring.data.redis.timeout=10s "$@" \
    > "$OUT_DIR/$name-service.log" 2>&1 &
  PIDS+=($!)
  echo "$name pid $! port $port" | tee -a "$OUT_DIR/summary.txt"
  # one at a time: two JVMs starting at once on a loaded box time out their Redis handshake
  for _ in $(seq 1 240); do
    curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$port/actuator/health/readiness" && return 0
    sleep 1
  done
  echo "$name did not get ready on port $port" >&2
  exit 1
}
start bare "$PORT_BARE" 2 --app.rate-limit.enabled=false --app.load-shedding.enabled=false --app.coupon.sold-out-from-memory=false
start on "$PORT_ON" 3

run() { # run <name> <port> <warmup>
  echo "== $1 round $round uptime: $(uptime)" | tee -a "$OUT_DIR/summary.txt"
  BASE="http://127.0.0.1:$2" WARMUP="$3" OUT_DIR="$OUT_DIR/$1-$round" "$HERE/bench-coupon.sh" > "$OUT_DIR/$1-$round.txt" 2>&1 || true
  grep -A5 "^COUPON BENCH" "$OUT_DIR/$1-$round.txt" | sed "s/^/$1  /" | tee -a "$OUT_DIR/summary.txt" || true
}
for round in $(seq 1 "$ROUNDS"); do
  warm=0; (( round == 1 )) && warm="$WARMUP_FIRST"
  if (( round % 2 == 1 )); then run bare "$PORT_BARE" "$warm"; run on "$PORT_ON" "$warm"
  else run on "$PORT_ON" "$warm"; run bare "$PORT_BARE" "$warm"; fi
done
echo "summary: $OUT_DIR/summary.txt"

#!/usr/bin/env bash
# The hot key on a Redis Cluster against a single Redis, in the same run (docs/operations.md "Redis
# Cluster"): one coupon event is one hash tag, so one slot, so one master serves all of its claims.
# Starts the packaged jar twice (one on a single redis-server, one on the local cluster of cluster.sh),
# then runs load-tests/wrk/bench-coupon.sh (liveness, sold-out losers, winners) against each, ROUNDS times
# alternating, and prints every figure side by side with the load average.
#
#   ./mvnw -B -q package -DskipTests && load-tests/redis-cluster/bench-hot-key.sh
#
# Environment (defaults): JAR (target/flashsale-*.jar), DB_NAME (flashsale_bench_hotkey, created if
# missing), SINGLE_REDIS_PORT (6405, must answer: start your own redis-server), CLUSTER_BASE_PORT (7101,
# started by this script if not up and stopped at the end if it started it), SINGLE_APP_PORT (19520),
# CLUSTER_APP_PORT (19521), ROUNDS (2), DURATION (10 s per wrk run), WARMUP (30 s per service and round),
# CONNECTIONS (64). Bounded: each service must be ready within 180 s; bench-coupon.sh bounds its own runs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$(ls "$ROOT"/target/flashsale-*.jar | grep -v original | head -1)}"
DB_NAME="${DB_NAME:-flashsale_bench_hotkey}"
SINGLE_REDIS_PORT="${SINGLE_REDIS_PORT:-6405}"
CLUSTER_BASE_PORT="${CLUSTER_BASE_PORT:-7101}"
SINGLE_APP_PORT="${SINGLE_APP_PORT:-19520}"
CLUSTER_APP_PORT="${CLUSTER_APP_PORT:-19521}"
ROUNDS="${ROUNDS:-2}"
export DURATION="${DURATION:-10}" WARMUP="${WARMUP:-30}" CONNECTIONS="${CONNECTIONS:-64}"
OUT="${OUT:-$ROOT/load-tests/target/hot-key/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
log() { printf '[hot-key] %s\n' "$*" >&2; }

redis-cli -p "$SINGLE_REDIS_PORT" ping >/dev/null 2>&1 || { log "no Redis answers on $SINGLE_REDIS_PORT"; exit 2; }
mariadb --protocol=tcp -h127.0.0.1 -uroot -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`"
STARTED_CLUSTER=0
if ! "$HERE/cluster.sh" status --base-port "$CLUSTER_BASE_PORT" >/dev/null 2>&1; then
  "$HERE/cluster.sh" start --base-port "$CLUSTER_BASE_PORT" >/dev/null
  STARTED_CLUSTER=1
fi
NODES="$("$HERE/cluster.sh" nodes --base-port "$CLUSTER_BASE_PORT")"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$STARTED_CLUSTER" = 1 ]; then "$HERE/cluster.sh" stop --base-port "$CLUSTER_BASE_PORT" >/dev/null; fi
}
trap cleanup EXIT

# the bare service: this measures the Redis paths, not the admission guards (whose 503 OVERLOADED at 64
# connections bench-coupon.sh counts as failures); the warm-up is off (bench-coupon.sh warms up itself)
BARE=(--app.rate-limit.enabled=false --app.load-shedding.enabled=false --app.warmup.enabled=false)
DB_NAME="$DB_NAME" REDIS_PORT="$SINGLE_REDIS_PORT" java -jar "$JAR" --spring.profiles.active=local "${BARE[@]}" \
  --server.port="$SINGLE_APP_PORT" --logging.level.flashsale.access=warn > "$OUT/single.log" 2>&1 &
PIDS+=($!)
SPRING_DATA_REDIS_CLUSTER_NODES="$NODES" DB_NAME="$DB_NAME" java -jar "$JAR" --spring.profiles.active=local "${BARE[@]}" \
  --server.port="$CLUSTER_APP_PORT" --logging.level.flashsale.access=warn > "$OUT/cluster.log" 2>&1 &
PIDS+=($!)
for port in "$SINGLE_APP_PORT" "$CLUSTER_APP_PORT"; do
  for i in $(seq 1 180); do
    curl -fsS --max-time 2 "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && break
    [ "$i" = 180 ] && { log "service on $port not ready in 180 s"; exit 3; }
    sleep 1
  done
done
log "both services ready; $(grep -ho 'redis=[^,]*' "$OUT/single.log" "$OUT/cluster.log" | tr '\n' ' ')"

for round in $(seq 1 "$ROUNDS"); do
  for which in single cluster; do
    port=$SINGLE_APP_PORT; [ "$which" = cluster ] && port=$CLUSTER_APP_PORT
    log "round $round: $which (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    BASE="http://127.0.0.1:$port" OUT_DIR="$OUT/$which-$round" "$ROOT/load-tests/wrk/bench-coupon.sh" \
      > "$OUT/$which-$round.txt" 2>"$OUT/$which-$round.err" || log "bench-coupon.sh on $which exited $?"
    printf 'load %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/$which-$round.txt"
  done
done

echo
echo "HOT KEY: one coupon event on a single Redis vs on a 3-master Redis Cluster (same run, alternating)"
printf '%-8s %-6s %-9s %10s %9s %9s  %s\n' backend round scenario req/s p50_ms p99_ms load
for round in $(seq 1 "$ROUNDS"); do
  for which in single cluster; do
    f="$OUT/$which-$round.txt"
    load="$(sed -n 's/^load //p' "$f")"
    for scenario in liveness losers winners; do
      line="$(grep -E "^$scenario " "$f" || true)"
      # bench-coupon.sh's table: scenario req/s p50 p90 p99 statuses
      printf '%-8s %-6s %-9s %10s %9s %9s  %s\n' "$which" "$round" "$scenario" \
        "$(echo "$line" | awk '{print $2}')" "$(echo "$line" | awk '{print $3}')" "$(echo "$line" | awk '{print $5}')" "$load"
    done
    grep -E '^ratios|CHECKS|ALL CHECKS' "$f" | sed "s/^/  $which round $round: /"
  done
done
echo "raw output: $OUT"

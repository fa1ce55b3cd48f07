#!/usr/bin/env bash
# Redis outage: how fast the service refuses while Redis is gone, and how fast it is whole again.
#
# Starts its own redis-server (no persistence) and the packaged service against it and an empty
# database of its own, sets up a product, a coupon event and users, then for each of two faults
#   down:  Redis shut down (SHUTDOWN NOSAVE: connections refused; it comes back empty)
#   hang:  Redis frozen with kill -STOP (connections open, no answers), then kill -CONT
# sends 100 requests to each of six flows (charge, coupon issue, order, product read, balance read,
# order read), 10 at a time, and prints p50/p99/max latency and the statuses (BURST lines); then gives
# Redis back and measures the time from that moment until every flow answers 2xx again (RECOVER lines),
# and checks that the state was rebuilt right (CHECK lines: coupon issued + remaining == total once the
# issue pipeline settled, sellable == durable stock, a holder from before the outage still holds).
#
#   ./mvnw -q package -DskipTests && load-tests/outage/redis-outage.sh
#   JAR=/tmp/before.jar load-tests/outage/redis-outage.sh
#
# Environment (defaults): JAR (target/flashsale-*.jar), SERVER_PORT (18200), REDIS_PORT (6387),
#   DB_NAME (flashsale_outage; dropped and created again), DB_HOST/DB_PORT/DB_USER/DB_PASSWORD
#   (127.0.0.1/3306/root/empty; the mysql client creates the database), REQUESTS (100),
#   CONCURRENCY (10), RECOVERY_DEADLINE (60 s).
# Bounded: every wait has a deadline, every request a client timeout; redis-server and the service
# are stopped at exit (a frozen Redis is thawed first). Loopback only.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$(ls "$ROOT"/target/flashsale-*.jar 2>/dev/null | grep -v original | head -1)}"
SERVER_PORT="${SERVER_PORT:-18200}"
REDIS_PORT="${REDIS_PORT:-6387}"
DB_NAME="${DB_NAME:-flashsale_outage}"
DB_HOST="${DB_HOST:-127.0.0.1}"
DB_PORT="${DB_PORT:-3306}"
DB_USER="${DB_USER:-root}"
DB_PASSWORD="${DB_PASSWORD:-}"
REQUESTS="${REQUESTS:-100}"
CONCURRENCY="${CONCURRENCY:-10}"
RECOVERY_DEADLINE="${RECOVERY_DEADLINE:-60}"
BASE="http://127.0.0.1:$SERVER_PORT"
OUT_DIR="$ROOT/load-tests/target/outage/$(date +%Y%m%d-%H%M%S)"
STATE="$OUT_DIR/state.json"
mkdir -p "$OUT_DIR"

log() { printf '[outage] %s\n' "$*" >&2; }
for tool in java python3 curl redis-server redis-cli mysql timeout; do
  command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install -y redis-server mariadb-client curl)" >&2; exit 2; }
done
[[ -f "$JAR" ]] || { echo "no jar: run ./mvnw -q package -DskipTests first" >&2; exit 2; }
if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "something already answers on Redis port $REDIS_PORT; choose another REDIS_PORT" >&2; exit 2
fi

REDIS_PID=""
APP_PID=""
cleanup() {
  if [[ -n "$APP_PID" ]]; then kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  if [[ -f "$OUT_DIR/redis.pid" ]]; then
    REDIS_PID="$(cat "$OUT_DIR/redis.pid")"
    kill -CONT "$REDIS_PID" 2>/dev/null || true
    kill "$REDIS_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

REDIS_START="redis-server --daemonize yes --pidfile $OUT_DIR/redis.pid --logfile $OUT_DIR/redis.log --bind 127.0.0.1 --port $REDIS_PORT --save '' --appendonly no --dir $OUT_DIR"
start_redis() {
  eval "$REDIS_START"
  for _ in $(seq 1 100); do
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then REDIS_PID="$(cat "$OUT_DIR/redis.pid")"; return; fi
    sleep 0.05
  done
  echo "redis-server did not start" >&2; exit 3
}

probe() { timeout -k 5 "$1" python3 "$HERE/outage-probe.py" "${@:2}" --base "$BASE" --state "$STATE" | tee -a "$OUT_DIR/results.txt"; }

log "database $DB_NAME on $DB_HOST:$DB_PORT (dropped and created again)"
MYSQL_PWD="$DB_PASSWORD" mysql -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" \
  -e "DROP DATABASE IF EXISTS \`$DB_NAME\`; CREATE DATABASE \`$DB_NAME\`"
start_redis
log "starting $JAR on port $SERVER_PORT (Redis $REDIS_PORT)"
DB_NAME="$DB_NAME" DB_HOST="$DB_HOST" DB_PORT="$DB_PORT" DB_USER="$DB_USER" DB_PASSWORD="$DB_PASSWORD" \
  REDIS_PORT="$REDIS_PORT" java -jar "$JAR" --spring.profiles.active=local --server.port="$SERVER_PORT" \
  >> "$OUT_DIR/app.log" 2>&1 &
APP_PID=$!
for i in $(seq 1 180); do
  curl -fs --max-time 2 -o /dev/null "$BASE/actuator/health/readiness" && break
  kill -0 "$APP_PID" 2>/dev/null || { tail -30 "$OUT_DIR/app.log" >&2; exit 3; }
  (( i < 180 )) || { echo "service not ready in 180 s" >&2; exit 3; }
  sleep 1
done
probe 300 setup

FAILED=0
for fault in down hang; do
  if [[ "$fault" == down ]]; then
    log "fault down: SHUTDOWN NOSAVE"
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do kill -0 "$REDIS_PID" 2>/dev/null || break; sleep 0.05; done
  else
    log "fault hang: kill -STOP $REDIS_PID"
    kill -STOP "$REDIS_PID"
  fi
  sleep 1
  probe 1200 burst --phase "$fault" --requests "$REQUESTS" --concurrency "$CONCURRENCY" || FAILED=1
  echo "READINESS phase=$fault $(curl -s -o /dev/null -w 'status=%{http_code} seconds=%{time_total}' --max-time 10 \
    "$BASE/actuator/health/readiness")" | tee -a "$OUT_DIR/results.txt"
  if [[ "$fault" == down ]]; then RESTORE="$REDIS_START"; else RESTORE="kill -CONT $REDIS_PID"; fi
  log "giving Redis back: $RESTORE"
  probe $(( RECOVERY_DEADLINE + 30 )) recover --phase "$fault" --restore "$RESTORE" --deadline "$RECOVERY_DEADLINE" || FAILED=1
  REDIS_PID="$(cat "$OUT_DIR/redis.pid")"
  probe 120 check || FAILED=1
done
log "results in $OUT_DIR/results.txt"
exit "$FAILED"

#!/usr/bin/env bash
# Heap and threads per 1,000 idle order status streams (GET /api/orders/{id}/events).
#
#   BASE=http://127.0.0.1:18080 load-tests/streams/bench-streams.sh
#
# Needs the service running on loopback with the recovery job kept off the bench's PENDING orders:
#   java -jar target/flashsale-0.0.1-SNAPSHOT.jar --spring.profiles.active=local --server.port=18080 \
#        --app.orders.recovery.min-age=1h
# and jcmd (any JDK), python3 and the mysql/mariadb client. The service's pid is found by its port
# (PID= overrides). For each step of STEPS (default "1000 5000") it forces a GC and reads the used heap
# and the thread count, opens that many streams (sse-clients.py) on PENDING orders it inserted, waits
# until every stream got its first event, forces a GC and reads them again, holds the streams HOLD
# seconds (default 40, so heartbeats flow), and closes them. At the end the bench's orders are CANCELED.
# Prints one BENCH line per step and exits non-zero if a stream failed or closed early.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BASE="${BASE:-http://127.0.0.1:8080}"
STEPS="${STEPS:-1000 5000}"
HOLD="${HOLD:-40}"
ORDERS="${ORDERS:-1000}"
MYSQL=(mysql -h "${DB_HOST:-127.0.0.1}" -P "${DB_PORT:-3306}" -u "${DB_USER:-root}" "${DB_NAME:-test}" -N -B)
[[ -n "${DB_PASSWORD:-}" ]] && MYSQL+=("-p${DB_PASSWORD}")
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

case "$BASE" in http://127.0.0.1:*|http://localhost:*) ;; *) echo "BASE must be loopback" >&2; exit 2 ;; esac
for tool in jcmd python3 curl; do command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }; done
PORT="${BASE##*:}"
PID="${PID:-$(ss -ltnpH "sport = :$PORT" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1)}"
[[ -n "$PID" ]] || { echo "no process listens on port $PORT" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || true

log() { printf '[streams] %s\n' "$*" >&2; }

# shellcheck source=../heap.sh
source "$HERE/../heap.sh"
heap_kb() { heap_used_kb "$PID"; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$PID/status"; }

log "fixtures: one buyer and $ORDERS PENDING orders (SQL)"
TAG="streams-bench-$$-$RANDOM"
"${MYSQL[@]}" -e "INSERT INTO users (name, balance, created_at, updated_at) VALUES ('$TAG', 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
USER_ID="$("${MYSQL[@]}" -e "SELECT id FROM users WHERE name = '$TAG'")"
python3 - "$TAG" "$USER_ID" "$ORDERS" > "$OUT/orders.sql" <<'PY'
import sys
tag, user, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = ",".join(f"({user}, '{tag}-{i}', REPEAT('0', 64), 'PENDING', 1, 0, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
                for i in range(count))
print("INSERT INTO orders (user_id, idempotency_key, request_hash, status, total_amount, discount_amount, "
      f"paid_amount, created_at, updated_at) VALUES {rows};")
PY
"${MYSQL[@]}" < "$OUT/orders.sql"
"${MYSQL[@]}" -e "SELECT id FROM orders WHERE user_id = $USER_ID" > "$OUT/orders.txt"
cleanup_orders() {
  "${MYSQL[@]}" -e "UPDATE orders SET status = 'CANCELED', failure_reason = 'STREAMS_BENCH' WHERE user_id = $USER_ID AND status = 'PENDING'" || true
}
trap 'cleanup_orders; rm -rf "$OUT"' EXIT
TOKEN="$(python3 "$HERE/../wrk/mint-tokens.py" --start "$USER_ID" --count 1)"

FAILED=0
for STEP in $STEPS; do
  BEFORE_HEAP="$(heap_kb)"; BEFORE_THREADS="$(threads)"
  log "step $STEP: heap ${BEFORE_HEAP} KiB, ${BEFORE_THREADS} threads before; opening $STEP streams"
  python3 "$HERE/sse-clients.py" --base "$BASE" --orders "$OUT/orders.txt" --token "$TOKEN" --count "$STEP" \
    --hold "$HOLD" > "$OUT/clients-$STEP.txt" 2>&1 &
  CLIENTS=$!
  for _ in $(seq 1 600); do grep -q '^READY' "$OUT/clients-$STEP.txt" && break; sleep 0.2; done
  READY="$(grep '^READY' "$OUT/clients-$STEP.txt" || echo "READY open=0 failed=$STEP")"
  OPEN_HEAP="$(heap_kb)"; OPEN_THREADS="$(threads)"
  wait "$CLIENTS" || true
  DONE="$(grep '^DONE' "$OUT/clients-$STEP.txt" || echo "DONE open=0 heartbeats=0 closed_early=$STEP")"
  OPEN="$(sed -n 's/.*open=\([0-9]*\).*/\1/p' <<<"$READY")"
  PER_1000=$(( (OPEN_HEAP - BEFORE_HEAP) * 1000 / (OPEN > 0 ? OPEN : 1) ))
  echo "BENCH streams=$STEP $READY heap_before_kb=$BEFORE_HEAP heap_open_kb=$OPEN_HEAP heap_per_1000_kb=$PER_1000 threads_before=$BEFORE_THREADS threads_open=$OPEN_THREADS ${DONE#DONE }"
  grep -q "failed=0" <<<"$READY" && grep -q "closed_early=0" <<<"$DONE" || FAILED=1
done
exit "$FAILED"

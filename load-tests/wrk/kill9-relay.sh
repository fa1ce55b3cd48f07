#!/usr/bin/env bash
# Fault test: no outbox event is lost when the service is killed while its relay is sending.
#
# Starts the data platform stub (answering slowly, so deliveries are in flight) and the packaged service,
# places ORDERS paid orders, kills the service with SIGKILL while the relay is delivering their events,
# starts it again, and checks that every event of those orders ends SENT and reached the stub at least
# once (redeliveries are counted: the event id makes them harmless to the receiver).
#
#   ./mvnw -q package -DskipTests && load-tests/wrk/kill9-relay.sh
#
# Environment (defaults): JAR (target/flashsale-*.jar), PORT (18082), STUB_PORT (18090), ORDERS (400),
#   STUB_DELAY_MS (1000), LEASE (10s: how soon claimed-but-unsent events are due again), DB_* as the
#   service. Needs python3 and the mysql/mariadb client. Bounded: every wait has a deadline; both
#   processes are stopped at exit. Traffic goes to 127.0.0.1 only. No other instance of the service may
#   run on the same database: its relay would deliver these events to its own data platform.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$(ls "$ROOT"/target/flashsale-*.jar 2>/dev/null | grep -v original | head -1)}"
PORT="${PORT:-18082}"
STUB_PORT="${STUB_PORT:-18090}"
BASE="http://127.0.0.1:$PORT"
export BASE
ORDERS="${ORDERS:-400}"
STUB_DELAY_MS="${STUB_DELAY_MS:-1000}"
LEASE="${LEASE:-10s}"
MYSQL=(mysql -h "${DB_HOST:-127.0.0.1}" -P "${DB_PORT:-3306}" -u "${DB_USER:-root}" "${DB_NAME:-test}" -N -B)
[[ -n "${DB_PASSWORD:-}" ]] && MYSQL+=("-p${DB_PASSWORD}")
OUT_DIR="$ROOT/load-tests/target/kill9-relay/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT_DIR"

log() { printf '[kill9-relay] %s\n' "$*" >&2; }
[[ -f "$JAR" ]] || { echo "no jar: run ./mvnw -q package -DskipTests first" >&2; exit 2; }

APP_PID=""
STUB_PID=""
start_app() {
  # a fault test of the relay, not of admission: it places orders as fast as it can from 20 buyers, which
  # the per-user rate limit (5 orders a second) would refuse
  java -jar "$JAR" --spring.profiles.active=local --server.port="$PORT" --app.rate-limit.enabled=false \
    --app.data-platform.base-url="http://127.0.0.1:$STUB_PORT" --app.data-platform.relay.lease="$LEASE" \
    >> "$OUT_DIR/app.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 120); do
    if curl -fs --max-time 2 -o /dev/null "$BASE/actuator/health/liveness"; then return; fi
    kill -0 "$APP_PID" 2>/dev/null || { tail -30 "$OUT_DIR/app.log" >&2; exit 3; }
    sleep 1
  done
  echo "service did not start in 120 s" >&2; exit 3
}
trap '[[ -n "$APP_PID" ]] && kill "$APP_PID" 2>/dev/null; [[ -n "$STUB_PID" ]] && kill "$STUB_PID" 2>/dev/null; true' EXIT

log "stub on port $STUB_PORT answering after ${STUB_DELAY_MS} ms"
java "$ROOT/load-tests/data-platform/DataPlatformStub.java" --port "$STUB_PORT" --delay-ms "$STUB_DELAY_MS" \
  > "$OUT_DIR/stub.log" 2>&1 &
STUB_PID=$!
log "starting $JAR on port $PORT (lease $LEASE)"
start_app

python3 "$HERE/order-fixtures.py" users --count 20 --charge 1000000 --out "$OUT_DIR/tokens.txt" >/dev/null
PRODUCT="$(python3 "$HERE/order-fixtures.py" products --count 1 --price 10 --stock 1000000)"
log "placing $ORDERS orders of product $PRODUCT"
python3 - "$BASE" "$OUT_DIR/tokens.txt" "$PRODUCT" "$ORDERS" > "$OUT_DIR/orders.txt" <<'PY'
import http.client, json, sys, urllib.parse, uuid
base, tokens, product, count = sys.argv[1], open(sys.argv[2]).read().split(), sys.argv[3], int(sys.argv[4])
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
for i in range(count):
    conn.request("POST", "/api/orders", json.dumps({"items": [{"productId": int(product), "quantity": 1}]}),
                 {"Authorization": "Bearer " + tokens[i % len(tokens)], "Content-Type": "application/json",
                  "Idempotency-Key": "kill9-relay-" + uuid.uuid4().hex})
    response = conn.getresponse()
    body = json.loads(response.read())
    if response.status != 201:
        sys.exit(f"order {i}: {response.status} {body}")
    print(body["orderId"])
PY
ORDER_IDS="$(paste -sd, "$OUT_DIR/orders.txt")"
BEFORE_KILL="$(grep -c -- '-> 200' "$OUT_DIR/stub.log" || true)"
kill -9 "$APP_PID"
wait "$APP_PID" 2>/dev/null || true
UNSENT_AT_KILL="$("${MYSQL[@]}" -e "SELECT COUNT(*) FROM order_events WHERE order_id IN ($ORDER_IDS) AND status <> 'SENT'")"
log "killed the service with SIGKILL: $BEFORE_KILL deliveries answered so far, $UNSENT_AT_KILL of $ORDERS events not SENT"

log "restarting; waiting for every event of the orders to be SENT"
start_app
UNSENT="$UNSENT_AT_KILL"
for _ in $(seq 1 120); do
  UNSENT="$("${MYSQL[@]}" -e "SELECT COUNT(*) FROM order_events WHERE order_id IN ($ORDER_IDS) AND status <> 'SENT'")"
  [[ "$UNSENT" == 0 ]] && break
  sleep 1
done
"${MYSQL[@]}" -e "SELECT id FROM order_events WHERE order_id IN ($ORDER_IDS)" > "$OUT_DIR/events.txt"
MISSING=0
while read -r EVENT_ID; do
  grep -q "eventId=$EVENT_ID " "$OUT_DIR/stub.log" || MISSING=$(( MISSING + 1 ))
done < "$OUT_DIR/events.txt"
DUPLICATES="$(grep -c 'duplicate' "$OUT_DIR/stub.log" || true)"

FAILED=0
(( UNSENT_AT_KILL > 0 )) || { log "FAIL every event was SENT before the kill: nothing was tested"; FAILED=1; }
if [[ "$UNSENT" == 0 ]]; then log "PASS every event SENT after the restart"; else log "FAIL $UNSENT events not SENT after 120 s"; FAILED=1; fi
if (( MISSING == 0 )); then log "PASS the stub received every event"; else log "FAIL $MISSING events never reached the stub"; FAILED=1; fi
echo "KILL9-RELAY orders=$ORDERS unsent_at_kill=$UNSENT_AT_KILL unsent_after=$UNSENT never_received=$MISSING redeliveries=$DUPLICATES $( ((FAILED)) && echo FAILED || echo PASSED)"
exit "$FAILED"

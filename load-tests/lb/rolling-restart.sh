#!/usr/bin/env bash
# Three instances behind HAProxy take a coupon rush, an order rush and order-status streams while they are
# restarted one after the other (SIGTERM, wait for the exit, start again, wait until ready and back in the
# balancer's pool). Then it checks that nothing was lost: no transport error at any client, no 5xx but 503
# with Retry-After, every coupon event issued exactly its quantity (MySQL and Redis agree), units sold +
# stock == initial stock (MySQL and Redis), every paid order the clients were told about is PAID in MySQL
# and nothing else is, balances and ledgers agree, every followed stream saw PAID and ended with a 204.
# docs/operations.md "Several instances behind a load balancer"; docs/adr/0027.
#
#   load-tests/lb/rolling-restart.sh            # takes target/flashsale-*.jar (./mvnw -B package first)
#
# Settings (environment): LB_DB (flashsale_b6, dropped and created), LB_REDIS_PORT (6406, its own
# redis-server, started if absent; LB_REDIS_DB, 2, flushed), LB_PORTS ("19601 19602 19603"), LB_PORT (19680),
# LB_STATS_PORT (19681), LB_COUPON_RATE (40 requests/s), LB_ORDER_RATE (15 orders/s), LB_DRAIN_DELAY (5s), LB_POOL (10 connections per instance), LB_BUYERS (32),
# LB_SETTLE (10 s of rush before the first restart and after the last), LB_JAVA (a Java 21+ for the client:
# temurin-25 if present, else java). Bounded: each instance 240 s to start, 60 s to stop; the client stops
# when the restarts are over (at most 2,400 s). Output in target/lb-rolling-<time>/. Exit 0 all checks
# passed, 1 a breach, 2 a prerequisite missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

DB="${LB_DB:-flashsale_b6}"
REDIS_PORT="${LB_REDIS_PORT:-6406}"
REDIS_DB="${LB_REDIS_DB:-2}" # not 0 (spring-boot:run) nor 1 (the test suite): the run's keys stay for inspection
read -r -a PORTS <<< "${LB_PORTS:-19601 19602 19603}"
LB_PORT="${LB_PORT:-19680}"
STATS_PORT="${LB_STATS_PORT:-19681}"
COUPON_RATE="${LB_COUPON_RATE:-40}"
ORDER_RATE="${LB_ORDER_RATE:-15}"
DRAIN="${LB_DRAIN_DELAY:-5s}"
POOL="${LB_POOL:-10}" # database connections per instance: three instances share the server's max_connections
BUYERS="${LB_BUYERS:-32}"
SETTLE="${LB_SETTLE:-10}"
CLOSED_PORT=19699 # the data platform's address: nothing listens, so delivery fails and streams wait delivery-wait
INITIAL_STOCK=1000000
PRICE=10
CHARGE=100000
SECRET="local-dev-secret-change-me-0123456789abcdef"
BASE="http://127.0.0.1:${LB_PORT}"
OUT="target/lb-rolling-$(date -u +%Y%m%dT%H%M%S)"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

log() { printf '[lb %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 2; }

for tool in haproxy curl python3 mariadb redis-cli redis-server; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required (Debian: apt-get install haproxy curl python3 mariadb-client redis-server)"
done
JAR="$(ls target/flashsale-*.jar 2>/dev/null | grep -v original | head -1 || true)"
[ -n "$JAR" ] || die "no target/flashsale-*.jar: run ./mvnw -B package first"
CLIENT_JAVA="${LB_JAVA:-}"
if [ -z "$CLIENT_JAVA" ]; then
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then CLIENT_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; else CLIENT_JAVA=java; fi
fi
"$CLIENT_JAVA" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])' || die "the client needs Java 21+ (LB_JAVA)"

SQL() { mariadb --protocol=tcp -h127.0.0.1 -uroot -N -B "$DB" -e "$1"; }

declare -a PIDS=()
HAPROXY_PID=""
CLIENT_PID=""
cleanup() {
  [ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  [ -n "$HAPROXY_PID" ] && kill "$HAPROXY_PID" 2>/dev/null || true
  for pid in "${PIDS[@]}" "$HAPROXY_PID" "$CLIENT_PID"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# ---- backends
if ! redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
  log "starting redis-server on $REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir /tmp >/dev/null
  sleep 1
fi
redis-cli -p "$REDIS_PORT" -n "$REDIS_DB" flushdb >/dev/null
mariadb --protocol=tcp -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS \`$DB\`; CREATE DATABASE \`$DB\`"
log "database $DB and Redis :$REDIS_PORT empty; jar $JAR; load: $(uptime | sed 's/.*load average/load average/')"

# ---- instances
start_instance() { # start_instance <n>: starts instance n (1-based) in the background, its pid in PIDS
  local n="$1" port="${PORTS[$(( $1 - 1 ))]}"
  DB_NAME="$DB" REDIS_PORT="$REDIS_PORT" java -Xmx512m -jar "$JAR" --spring.profiles.active=local \
    --server.port="$port" --app.data-platform.base-url="http://127.0.0.1:${CLOSED_PORT}" \
    --app.orders.stream.delivery-wait=10s --app.shutdown.drain-delay="$DRAIN" --spring.data.redis.timeout=10s --spring.data.redis.database="$REDIS_DB" \
    --spring.r2dbc.pool.initial-size=4 --spring.r2dbc.pool.max-size="$POOL" \
    >> "$OUT/instance-$n.log" 2>&1 &
  PIDS[$(( n - 1 ))]=$!
}
STARTUP_FAILURES=0
wait_ready() { # wait_ready <n>: until instance n answers readiness 200 (at most 240 s; a start that fails is tried twice more)
  local n="$1" port="${PORTS[$(( $1 - 1 ))]}" tries=1
  for _ in $(seq 1 480); do
    curl -fsS --max-time 2 "http://127.0.0.1:${port}/actuator/health/readiness" >/dev/null 2>&1 && return 0
    if ! kill -0 "${PIDS[$(( n - 1 ))]}" 2>/dev/null; then
      STARTUP_FAILURES=$(( STARTUP_FAILURES + 1 ))
      [ "$tries" -ge 3 ] && { tail -30 "$OUT/instance-$n.log" >&2; die "instance $n died at startup $tries times"; }
      log "instance $n died at startup ($(grep -m1 -o 'Caused by: [^:]*: [^(]*' "$OUT/instance-$n.log" | tail -1)); starting it again"
      tries=$(( tries + 1 ))
      start_instance "$n"
    fi
    sleep 0.5
  done
  tail -30 "$OUT/instance-$n.log" >&2
  die "instance $n not ready in 240 s"
}
server_status() { # server_status <n>: UP / DOWN / ... as HAProxy sees instance n
  curl -fsS --max-time 2 "http://127.0.0.1:${STATS_PORT}/stats;csv" 2>/dev/null \
    | awk -F, -v s="app$1" '$1 == "flashsale" && $2 == s { print $18 }'
}
wait_in_pool() { # wait_in_pool <n>: until HAProxy has instance n UP (at most 30 s)
  for _ in $(seq 1 60); do
    [ "$(server_status "$1")" = "UP" ] && return 0
    sleep 0.5
  done
  die "HAProxy did not put instance $1 back in its pool in 30 s"
}

log "starting instance 1 (it migrates the schema), then 2 and 3"
start_instance 1
wait_ready 1
start_instance 2
start_instance 3
wait_ready 2
wait_ready 3

# ---- the load balancer (docs/operations.md "Several instances behind a load balancer")
cat > "$OUT/haproxy.cfg" <<EOF
global
    maxconn 4096
    # one line per request in haproxy.log (status, timers, retries, the server that answered)
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 120s
    # longer than an order-status stream's heartbeat (15 s)
    timeout server 120s
    timeout http-keep-alive 60s
    timeout queue 10s
    # a readiness answer may take a while on a loaded box; two failed checks take an instance out
    timeout check 2s
    # when no instance can take a request, the balancer answers like the service: 503, Retry-After, problem JSON
    errorfile 503 ${OUT}/503.http
    # a refused connection (an instance stopping or started late) and an empty response (a kept-alive
    # connection the instance closed as the request left) are tried again, each time on another instance;
    # so is a 503 (the service guarantees nothing was done: a stopping instance's new stream, a backend outage)
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response 503

frontend fe
    bind 127.0.0.1:${LB_PORT}
    default_backend flashsale
    # a charge carries no idempotency key: it is never sent twice (a refused connection is still retried)
    http-request disable-l7-retry if METH_POST { path /api/balance/charge }

backend flashsale
    balance roundrobin
    option httpchk GET /actuator/health/readiness
    http-check expect status 200
    default-server inter 500ms fastinter 500ms downinter 500ms fall 2 rise 2
    server app1 127.0.0.1:${PORTS[0]} check
    server app2 127.0.0.1:${PORTS[1]} check
    server app3 127.0.0.1:${PORTS[2]} check

frontend stats
    bind 127.0.0.1:${STATS_PORT}
    stats enable
    stats uri /stats
    stats refresh 1s
EOF
BODY_503='{"type":"about:blank","title":"Service Unavailable","status":503,"code":"NO_INSTANCE","detail":"No instance can take the request now; retry after Retry-After."}'
printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nContent-Length: %d\r\nRetry-After: 1\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n%s' \
  "${#BODY_503}" "$BODY_503" > "$OUT/503.http"
haproxy -c -q -f "$OUT/haproxy.cfg" || die "haproxy rejected $OUT/haproxy.cfg"
haproxy -db -f "$OUT/haproxy.cfg" > "$OUT/haproxy.log" 2>&1 &
HAPROXY_PID=$!
for n in 1 2 3; do wait_in_pool "$n"; done
log "HAProxy $HAPROXY_PID on :$LB_PORT (stats :$STATS_PORT/stats) with instances ${PORTS[*]} UP"

# ---- data, through the balancer
python3 load-tests/wrk/order-fixtures.py --base "$BASE" users --count "$BUYERS" --charge "$CHARGE" --out "$OUT/buyer-tokens.txt" >&2
python3 - "$OUT/buyer-tokens.txt" > "$OUT/buyers.txt" <<'EOF'
import base64, json, sys
for line in open(sys.argv[1]):
    payload = line.strip().split(".")[1]
    print(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])
EOF
PRODUCT="$(python3 load-tests/wrk/order-fixtures.py --base "$BASE" products --count 1 --price "$PRICE" --stock "$INITIAL_STOCK" | head -1)"
log "$BUYERS buyers charged $CHARGE KRW each; product $PRODUCT, price $PRICE, stock $INITIAL_STOCK"

# ---- the rush, and the rolling restart under it
rm -f "$OUT/stop"
"$CLIENT_JAVA" -Djdk.httpclient.keepalive.timeout=20 load-tests/lb/LbRush.java base="$BASE" secret="$SECRET" \
  stopFile="$OUT/stop" maxSeconds=2400 couponRate="$COUPON_RATE" orderRate="$ORDER_RATE" productId="$PRODUCT" \
  buyers="$OUT/buyers.txt" out="$OUT/rush.txt" > "$OUT/client.log" 2>&1 &
CLIENT_PID=$!
sleep "$SETTLE"
RESTARTS=()
for n in 1 2 3; do
  pid="${PIDS[$(( n - 1 ))]}"
  t0=$(date +%s%N)
  log "instance $n (pid $pid): SIGTERM"
  kill -TERM "$pid"
  for i in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    # a stop that takes long leaves its thread dumps behind
    if [ "$i" = 20 ] || [ "$i" = 60 ]; then jstack "$pid" > "$OUT/stop-$n-$(( i / 2 ))s.jstack" 2>&1 || true; fi
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && die "instance $n still running 60 s after SIGTERM"
  rc=0; wait "$pid" || rc=$?
  t1=$(date +%s%N)
  start_instance "$n"
  wait_ready "$n"
  wait_in_pool "$n"
  t2=$(date +%s%N)
  RESTARTS+=("instance $n: stopped in $(( (t1 - t0) / 1000000 )) ms (exit $rc), ready and back in the pool $(( (t2 - t1) / 1000000 )) ms later")
  log "${RESTARTS[-1]}"
  kill -0 "$CLIENT_PID" 2>/dev/null || die "the client ended early: $(tail -5 "$OUT/client.log")"
done
sleep "$SETTLE"
touch "$OUT/stop"
log "restarts done; stopping the client"
wait "$CLIENT_PID" || die "the client failed: $(tail -20 "$OUT/client.log")"
CLIENT_PID=""
cat "$OUT/client.log" >&2

# ---- checks
FAILURES=()
check() { # check <description> <0|1>
  if [ "$2" = 1 ]; then log "PASS $1"; else log "FAIL $1"; FAILURES+=("$1"); fi
}
outcome_sum() { # outcome_sum <regex>: summed counts of outcomes whose name matches
  awk -v re="$1" '$1 == "outcome" { split($2, kv, "="); if (kv[1] ~ re) s += kv[2] } END { print s + 0 }' "$OUT/rush.txt"
}
CLIENT_ERRORS=$(outcome_sum '^client-error')
BREACHES=$(outcome_sum '^breach')
REQUESTS_COUPON=$(outcome_sum '^coupon_[0-9]')
REQUESTS_ORDER=$(outcome_sum '^order_[0-9]')
RETRY_503=$(outcome_sum '503-retry-after')
check "no transport error at the client ($CLIENT_ERRORS)" "$(( CLIENT_ERRORS == 0 ))"
check "no 5xx but 503 with Retry-After, no other breach ($BREACHES)" "$(( BREACHES == 0 ))"

# coupons: each event's issued_count == its user_coupons rows == 201s (+ 409s: a retried issue that had
# been made) == its holders in Redis; an event every user asked for issued exactly its quantity
sleep 2 # the last issues' group commit
# one query for MySQL, one pipeline for Redis (each event's holders hash), compared in one pass
SQL "SELECT c.id, c.issued_count, c.total_quantity, COUNT(u.id) FROM coupons c LEFT JOIN user_coupons u ON u.coupon_id = c.id WHERE c.code LIKE 'LB-%' GROUP BY c.id" > "$OUT/coupons-mysql.txt"
awk '$1 == "coupon" && $2 != "-1" { print "HLEN coupon:{" $2 "}:holders" }' "$OUT/rush.txt" | redis-cli -p "$REDIS_PORT" -n "$REDIS_DB" > "$OUT/coupons-redis.txt"
read -r COUPON_EVENTS COUPON_FULL COUPON_ISSUED COUPON_BAD <<< "$(python3 - "$OUT/rush.txt" "$OUT/coupons-mysql.txt" "$OUT/coupons-redis.txt" <<'PY'
import sys
rush = [l.split() for l in open(sys.argv[1]) if l.startswith("coupon ") and l.split()[1] != "-1"]
mysql = {int(r[0]): tuple(map(int, r[1:])) for r in (l.split() for l in open(sys.argv[2])) if r}
redis = [int(l) for l in open(sys.argv[3]) if l.strip()]
events = full = issued_sum = bad = 0
for (_, cid, asked, ok, dup, soldout, failed, planned), holders in zip(rush, redis):
    cid, asked, ok, dup, failed, planned = map(int, (cid, asked, ok, dup, failed, planned))
    issued, total, rows = mysql.get(cid, (-1, -1, -1))
    events += 1
    issued_sum += max(issued, 0)
    wrong = issued != rows or ok + dup != issued or holders != issued
    if asked == planned and failed == 0 and planned > total:
        full += 1
        wrong = wrong or issued != total
    if wrong:
        bad += 1
        print(f"coupon {cid}: asked {asked}/{planned}, 201 {ok}, 409 {dup}, failed {failed}; MySQL issued {issued} of {total}, rows {rows}; Redis holders {holders}", file=sys.stderr)
print(events, full, issued_sum, bad)
PY
)"
check "coupons: $COUPON_EVENTS events ($COUPON_FULL asked by all their users: each issued exactly its quantity), MySQL == Redis == answers ($COUPON_BAD wrong)" "$(( COUPON_BAD == 0 && COUPON_EVENTS > 0 ))"

# orders: the paid orders the clients were told about are exactly the PAID ones; stock accounts for them
CLIENT_PAID=$(grep -c '^paid ' "$OUT/rush.txt" || true)
CLIENT_PAID_AMOUNT=$(awk '$1 == "paid" { s += $4 } END { print s + 0 }' "$OUT/rush.txt")
ACCEPTED=$(outcome_sum '^order_202')
for _ in $(seq 1 90); do # a PENDING order settles by recovery after a minute
  [ "$(SQL "SELECT COUNT(*) FROM orders WHERE status = 'PENDING'")" = 0 ] && break
  sleep 1
done
read -r DB_PAID DB_PAID_AMOUNT DB_PENDING <<< "$(SQL "SELECT SUM(status = 'PAID'), COALESCE(SUM(CASE WHEN status = 'PAID' THEN paid_amount END), 0), SUM(status = 'PENDING') FROM orders")"
DB_SOLD="$(SQL "SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'PAID' AND i.product_id = $PRODUCT")"
DB_STOCK="$(SQL "SELECT stock FROM products WHERE id = $PRODUCT")"
SALES="$(python3 load-tests/wrk/order-fixtures.py --base "$BASE" sales "$PRODUCT" --initial-stock "$INITIAL_STOCK" --settle 30)"
MISSING="$(grep '^paid ' "$OUT/rush.txt" | awk '{ print $2 }' | sort -n > "$OUT/client-paid-ids.txt"; SQL "SELECT id FROM orders WHERE status = 'PAID' ORDER BY id" > "$OUT/db-paid-ids.txt"; comm -3 "$OUT/client-paid-ids.txt" "$OUT/db-paid-ids.txt" | wc -l)"
check "orders: client-told PAID $CLIENT_PAID (+$ACCEPTED accepted 202) vs MySQL PAID $DB_PAID, ids differing $MISSING, none PENDING ($DB_PENDING)" \
  "$(( (CLIENT_PAID == DB_PAID || (ACCEPTED > 0 && CLIENT_PAID <= DB_PAID)) && DB_PENDING == 0 && (ACCEPTED > 0 || MISSING == 0) ))"
REDIS_AGREES=0; echo "$SALES" | grep -q 'stockMismatches=0' && REDIS_AGREES=1
check "stock: sold $DB_SOLD + stock $DB_STOCK == initial $INITIAL_STOCK; Redis agrees ($SALES)" \
  "$(( DB_SOLD + DB_STOCK == INITIAL_STOCK && REDIS_AGREES == 1 ))"
check "amounts: clients were told $CLIENT_PAID_AMOUNT KRW paid, MySQL PAID orders hold $DB_PAID_AMOUNT" \
  "$(( CLIENT_PAID_AMOUNT == DB_PAID_AMOUNT || ACCEPTED > 0 ))"
read -r BALANCES LEDGER_OFF CHARGED <<< "$(SQL "SELECT SUM(u.balance), SUM(u.balance <> (SELECT COALESCE(SUM(t.amount), 0) FROM balance_transactions t WHERE t.user_id = u.id)), (SELECT COALESCE(SUM(amount), 0) FROM balance_transactions WHERE type = 'CHARGE') FROM users u")"
check "balances: $BALANCES + paid $DB_PAID_AMOUNT == charged $CHARGED; every balance == its ledger sum ($LEDGER_OFF users off)" \
  "$(( BALANCES + DB_PAID_AMOUNT == CHARGED && LEDGER_OFF == 0 ))"

FOLLOWED=$(outcome_sum '^stream_followed')
STREAMS_OK=$(outcome_sum '^stream_ended_204,_saw_PAID')
RECONNECTS="$(grep -E '^outcome stream_connections' "$OUT/rush.txt" | sed 's/^outcome stream_connections_//' | tr '\n' ' ')"
check "streams: $FOLLOWED followed, $STREAMS_OK saw PAID and ended with 204 (connections per stream: $RECONNECTS)" \
  "$(( FOLLOWED > 0 && FOLLOWED == STREAMS_OK ))"

# ---- summary
{
  echo
  echo "Rolling restart behind HAProxy ($OUT)"
  printf '  %-34s %s\n' "load average at the end" "$(uptime | sed 's/.*load average: //')"
  printf '  %-34s %s\n' "instance starts that failed, retried" "$STARTUP_FAILURES"
  printf '  %-34s %s\n' "client run" "$(sed -n 's/^seconds=//p' "$OUT/rush.txt") s"
  for r in "${RESTARTS[@]}"; do printf '  %-34s %s\n' "restart" "$r"; done
  printf '  %-34s %s\n' "coupon requests" "$REQUESTS_COUPON over $COUPON_EVENTS events, $COUPON_ISSUED issued"
  printf '  %-34s %s\n' "order requests" "$REQUESTS_ORDER, $CLIENT_PAID paid"
  printf '  %-34s %s\n' "503 with Retry-After (retried)" "$RETRY_503"
  printf '  %-34s %s\n' "client transport errors" "$CLIENT_ERRORS"
  printf '  %-34s %s\n' "breaches (5xx, 503 w/o Retry-After)" "$BREACHES"
  echo "  outcomes:"
  # (no sample is the good case: grep finds nothing, which must not end the script under pipefail)
  { grep '^outcome ' "$OUT/rush.txt" || true; } | sed 's/^outcome /    /'
  { grep '^sample ' "$OUT/rush.txt" || true; } | head -10 | sed 's/^sample /    sample: /'
  echo "  HAProxy retries and redispatches:"
  curl -fsS --max-time 2 "http://127.0.0.1:${STATS_PORT}/stats;csv" \
    | awk -F, '$1 == "flashsale" { printf "    %-8s status=%s conn-errors=%s resp-errors=%s retries=%s redispatches=%s 5xx=%s checks-down=%s\n", $2, $18, $14, $15, $16, $17, $44, $23 }' \
    || echo "    (HAProxy's stats page did not answer)"
} | tee "$OUT/summary.txt" >&2

if [ "${#FAILURES[@]}" -gt 0 ]; then
  log "FAILED: ${FAILURES[*]}"
  exit 1
fi
log "all checks passed"

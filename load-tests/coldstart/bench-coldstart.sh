#!/usr/bin/env bash
# Cold-start benchmark (docs/operations.md "Cold start"): how a freshly started instance of the packaged
# service serves a rush right after it reports ready, against the same instance warm, in the same run.
# Packages nothing: it takes the jar (and the target/flashsale/ AOT cache `./mvnw package` leaves).
#
# For each variant (VARIANTS, default "before after"):
#   before  `java -jar <jar> --app.warmup.enabled=false`: today's start (the default java, no cache, no warm-up)
#   after   `bin/flashsale`: JDK 25 with the AOT cache when present, warm-up before readiness
#   (also: nowarmup = bin/flashsale with the warm-up off; norehearsal = bin/flashsale without the warm-up's
#   rehearsed paid orders; nocache = bin/flashsale without the AOT cache)
# it starts the service fresh and measures
#   1. start to ready: from the launch to the first 200 of /actuator/health/readiness (polled every 0.2 s);
#   2. fresh coupon rush: right after readiness, wrk -c$CONNECTIONS for $DURATION s on the sold-out path
#      (a coupon of quantity 1, distinct users: ~all 410 COUPON_SOLD_OUT), req/s and p99;
#   3. fresh order rush: the Gatling OrderRushSimulation (spike, $ORDER_VUS buyers, hot stock $ORDER_STOCK),
#      its global p99;
#   then warms the instance ($WARM_SECONDS s of wrk on liveness and a sold-out coupon, and $WARM_ORDER_RUSHES
#   discarded order rushes) and measures 2 and 3 again (warm), and the RSS (ps -o rss) at ready and at the end.
# Prints a table per variant with the fresh/warm ratios and PASS/FAIL per target:
#   coupon fresh req/s >= 0.7 x warm, coupon fresh p99 <= 2 x warm, order fresh p99 <= 2 x warm,
#   start to ready <= 20 s.
# The order rush's Gatling assertions (no 5xx ...) are not this benchmark's business: its p99 is read
# whatever Gatling's verdict, which is shown.
#
#   load-tests/coldstart/bench-coldstart.sh
#
# Environment (defaults): JAR (newest target/flashsale-*.jar), PORT (19100), DB_NAME (flashsale_coldstart),
#   REDIS_PORT (6379), SECRET (local profile default), THREADS (2), CONNECTIONS (64), DURATION (10),
#   TOKENS (100000), ORDER_VUS (500), ORDER_STOCK (100), ORDER_SECONDS (10), WARM_SECONDS (60),
#   WARM_ORDER_RUSHES (1), READY_TIMEOUT (180 s), VARIANTS ("before after"), OUT_DIR
#   (load-tests/target/coldstart/<timestamp>). Order events go to a closed port (DATA_PLATFORM_URL, default
#   http://127.0.0.1:$((PORT + 99))): they wait in the outbox.
# Bounded: every wrk run is killed at DURATION+60 s, every Gatling run at 600 s, a start at READY_TIMEOUT.
# Exit codes: 0 every target of the last variant passed, 1 a target failed, 2 a tool missing, 3 the service
# did not start.
set -euo pipefail
shopt -s inherit_errexit

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WRK_DIR="$ROOT/load-tests/wrk"

JAR="${JAR:-$(ls -t "$ROOT"/target/flashsale-*.jar 2>/dev/null | grep -v '\.original$' | head -n1 || true)}"
PORT="${PORT:-19100}"
BASE="http://127.0.0.1:${PORT}"
export DB_NAME="${DB_NAME:-flashsale_coldstart}"
export REDIS_PORT="${REDIS_PORT:-6379}"
export SECRET="${SECRET:-local-dev-secret-change-me-0123456789abcdef}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10}"
WRK_TIMEOUT="${WRK_TIMEOUT:-5}"
TOKENS="${TOKENS:-100000}"
ORDER_VUS="${ORDER_VUS:-500}"
ORDER_STOCK="${ORDER_STOCK:-100}"
ORDER_SECONDS="${ORDER_SECONDS:-10}"
WARM_SECONDS="${WARM_SECONDS:-60}"
WARM_ORDER_RUSHES="${WARM_ORDER_RUSHES:-1}"
READY_TIMEOUT="${READY_TIMEOUT:-180}"
VARIANTS="${VARIANTS:-before after}"
DATA_PLATFORM_URL="${DATA_PLATFORM_URL:-http://127.0.0.1:$((PORT + 99))}"
OUT_DIR="${OUT_DIR:-$ROOT/load-tests/target/coldstart/$(date +%Y%m%d-%H%M%S)}"

# shellcheck source=../wrk/bench-lib.sh
source "$WRK_DIR/bench-lib.sh"
require_tools
[[ -n "$JAR" && -f "$JAR" ]] || { echo "no jar: run ./mvnw package first (or set JAR)" >&2; exit 2; }
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
FAILURES=()
# the local profile reads DB_NAME; on a fresh machine the database does not exist yet
mariadb --protocol=tcp -h127.0.0.1 -uroot -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`" \
  || { echo "cannot create database $DB_NAME on 127.0.0.1:3306 (root)" >&2; exit 3; }

APP_PID=""
stop_app() {
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$APP_PID" 2>/dev/null || true
  fi
  APP_PID=""
}
trap 'stop_app; rm -f "$OUT_DIR/tokens.txt"' EXIT

now() { date +%s.%N; }
elapsed() { python3 -c 'import sys; print("%.1f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }
rss_mb() { ps -o rss= -p "$1" 2>/dev/null | awk '{ printf "%d", $1 / 1024 }'; }

# start <variant>: launches the service, waits for readiness; sets APP_PID and READY_S
start() {
  local variant="$1" log="$OUT_DIR/$1-app.log" t0 args
  args=(--spring.profiles.active=local --server.port="$PORT" --app.data-platform.base-url="$DATA_PLATFORM_URL")
  t0="$(now)"
  case "$variant" in
    before) java -jar "$JAR" "${args[@]}" --app.warmup.enabled=false > "$log" 2>&1 & ;;
    after) FLASHSALE_JAR="$JAR" "$ROOT/bin/flashsale" "${args[@]}" > "$log" 2>&1 & ;;
    nowarmup) FLASHSALE_JAR="$JAR" "$ROOT/bin/flashsale" "${args[@]}" --app.warmup.enabled=false > "$log" 2>&1 & ;;
    norehearsal) FLASHSALE_JAR="$JAR" "$ROOT/bin/flashsale" "${args[@]}" --app.warmup.rehearsals=false > "$log" 2>&1 & ;;
    nocache) FLASHSALE_CACHE=off FLASHSALE_JAR="$JAR" "$ROOT/bin/flashsale" "${args[@]}" > "$log" 2>&1 & ;;
    *) echo "unknown variant $variant" >&2; exit 2 ;;
  esac
  APP_PID=$!
  local deadline=$(( SECONDS + READY_TIMEOUT ))
  until curl -fsS --max-time 2 -o /dev/null "$BASE/actuator/health/readiness" 2>/dev/null; do
    if ! kill -0 "$APP_PID" 2>/dev/null; then log "$variant: the service died at startup"; tail -30 "$log" >&2; exit 3; fi
    if (( SECONDS >= deadline )); then log "$variant: not ready in ${READY_TIMEOUT} s"; tail -30 "$log" >&2; exit 3; fi
    sleep 0.2
  done
  READY_S="$(elapsed "$t0" "$(now)")"
  log "$variant: ready in ${READY_S} s ($(grep -o 'using Java [0-9.]*' "$log" | head -1); $(grep -o 'Warm-up sent.*' "$log" | head -1 || echo 'no warm-up'))"
}

create_sold_out_coupon() { # prints the id of a new coupon of quantity 1
  local body
  body="$(python3 - <<'PY'
import json, random, string
from datetime import datetime, timedelta, timezone
now = datetime.now(timezone.utc).replace(microsecond=0)
iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
code = "COLD-" + "".join(random.choices(string.ascii_uppercase + string.digits, k=10))
print(json.dumps({"code": code, "name": "cold-start bench " + code, "discountAmount": 1000, "totalQuantity": 1,
                  "startsAt": iso(now - timedelta(minutes=1)), "endsAt": iso(now + timedelta(hours=1)), "validDays": 7}))
PY
)"
  local attempt response
  for attempt in 1 2 3 4 5; do # a cold instance may answer 503 (a backend call over its bound): again
    if response="$(curl -fsS --max-time 30 -X POST "$BASE/api/admin/coupons" -H "Authorization: Bearer $ADMIN_TOKEN" \
        -H 'Content-Type: application/json' -d "$body")"; then
      printf '%s' "$response" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
      return
    fi
    log "POST /api/admin/coupons failed (attempt $attempt)"
    sleep 1
  done
  echo "could not create a coupon" >&2; exit 3
}

# coupon_rush <name>: wrk on the sold-out path of a fresh coupon
coupon_rush() {
  local id
  id="$(create_sold_out_coupon)"
  run_wrk "$1" "$BASE" "$WRK_DIR/issue.lua" "/api/coupons/$id/issue" "$OUT_DIR/tokens.txt" "$THREADS"
  log "$1: $(metric "$1" rps) req/s p99 $(metric "$1" p99_ms) ms ($(statuses "$1"))"
}

# order_rush <name>: one Gatling order rush; its global p99 (ms) goes to <name>.p99
order_rush() {
  local rc=0
  timeout -k 10 600 "$ROOT/mvnw" -B -q -f "$ROOT/load-tests/pom.xml" gatling:test \
    -Dgatling.simulationClass=com.example.flashsale.load.OrderRushSimulation \
    -DbaseUrl="$BASE" -Dprofile=spike -Dvus="$ORDER_VUS" -Dstock="$ORDER_STOCK" -Dduration="$ORDER_SECONDS" \
    -Dp99Ms=600000 > "$OUT_DIR/$1.txt" 2>&1 || rc=$?
  awk -F'|' '/response time 99th percentile/ { gsub(/[ ,]/, "", $2); print $2; exit }' "$OUT_DIR/$1.txt" > "$OUT_DIR/$1.p99"
  [[ -s "$OUT_DIR/$1.p99" ]] || echo "n/a" > "$OUT_DIR/$1.p99"
  echo "$([[ $rc == 0 ]] && echo passed || echo "failed rc=$rc")" > "$OUT_DIR/$1.verdict"
  log "$1: p99 $(cat "$OUT_DIR/$1.p99") ms, Gatling $(cat "$OUT_DIR/$1.verdict"); $(grep -o 'ORDER RUSH: profile.*other=[0-9]* {[^}]*}' "$OUT_DIR/$1.txt" | head -1 || true)"
}

warm() { # WARM_SECONDS of liveness and sold-out coupon load, then WARM_ORDER_RUSHES discarded order rushes
  local id end slice=10
  id="$(create_sold_out_coupon)"
  end=$(( SECONDS + WARM_SECONDS ))
  while (( SECONDS < end )); do
    timeout -k 5 $(( slice + 60 )) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${slice}s" -s "$WRK_DIR/issue.lua" "$BASE" \
      -- "/api/coupons/$id/issue" "$OUT_DIR/tokens.txt" "$THREADS" > /dev/null 2>&1 || true
    timeout -k 5 $(( slice + 60 )) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${slice}s" -s "$WRK_DIR/report.lua" \
      "$BASE/actuator/health/liveness" > /dev/null 2>&1 || true
  done
  for i in $(seq 1 "$WARM_ORDER_RUSHES"); do order_rush "$VARIANT-warmup-order-$i"; done
}

ge() { python3 -c 'import sys; a,b=map(float,sys.argv[1:]); print(1 if a >= b else 0)' "$1" "$2" 2>/dev/null || echo 0; }

log "output in $OUT_DIR; jar $JAR; load: $(uptime | sed 's/.*load average: //')"
ADMIN_TOKEN="$(python3 "$WRK_DIR/mint-tokens.py" --admin --start 1 --count 1)"
START_ID=$(( 3000000000 + (RANDOM * 32768 + RANDOM) % 1000000000 ))
python3 "$WRK_DIR/mint-tokens.py" --count "$TOKENS" --start "$START_ID" --out "$OUT_DIR/tokens.txt"

REPORT="$OUT_DIR/report.txt"
: > "$REPORT"
for VARIANT in $VARIANTS; do
  LOAD_START="$(uptime | sed 's/.*load average: //')"
  start "$VARIANT"
  RSS_READY="$(rss_mb "$APP_PID")"
  coupon_rush "$VARIANT-coupon-fresh"
  order_rush "$VARIANT-order-fresh"
  warm
  coupon_rush "$VARIANT-coupon-warm"
  order_rush "$VARIANT-order-warm"
  RSS_END="$(rss_mb "$APP_PID")"
  stop_app

  cf_rps="$(metric "$VARIANT-coupon-fresh" rps)"; cw_rps="$(metric "$VARIANT-coupon-warm" rps)"
  cf_p99="$(metric "$VARIANT-coupon-fresh" p99_ms)"; cw_p99="$(metric "$VARIANT-coupon-warm" p99_ms)"
  of_p99="$(cat "$OUT_DIR/$VARIANT-order-fresh.p99")"; ow_p99="$(cat "$OUT_DIR/$VARIANT-order-warm.p99")"
  r_rps="$(ratio "$cf_rps" "$cw_rps" 2>/dev/null || echo n/a)"; r_cp99="$(ratio "$cf_p99" "$cw_p99" 2>/dev/null || echo n/a)"
  r_op99="$(ratio "$of_p99" "$ow_p99" 2>/dev/null || echo n/a)"
  verdict() { if (( $1 )); then echo PASS; else echo FAIL; fi; }
  v_rps="$(verdict "$(ge "$r_rps" 0.7)")"
  v_cp99="$(verdict "$(ge 2 "$r_cp99")")"
  v_op99="$(verdict "$(ge 2 "$r_op99")")"
  v_ready="$(verdict "$(ge 20 "$READY_S")")"
  {
    echo "== $VARIANT  (load at start: $LOAD_START; at end: $(uptime | sed 's/.*load average: //'))"
    printf '%-28s %12s %12s %10s  %s\n' measure fresh warm ratio "target"
    printf '%-28s %12s %12s %10s  %s\n' "coupon sold-out req/s" "$cf_rps" "$cw_rps" "$r_rps" ">= 0.7 $v_rps"
    printf '%-28s %12s %12s %10s  %s\n' "coupon sold-out p99 ms" "$cf_p99" "$cw_p99" "$r_cp99" "<= 2 $v_cp99"
    printf '%-28s %12s %12s %10s  %s\n' "order rush p99 ms" "$of_p99" "$ow_p99" "$r_op99" "<= 2 $v_op99 (Gatling: $(cat "$OUT_DIR/$VARIANT-order-fresh.verdict") / $(cat "$OUT_DIR/$VARIANT-order-warm.verdict"))"
    printf '%-28s %12s %12s %10s  %s\n' "start to ready s" "$READY_S" "" "" "<= 20 $v_ready"
    printf '%-28s %12s %12s\n' "RSS MB (ready / end)" "$RSS_READY" "$RSS_END"
    echo "coupon statuses fresh: $(statuses "$VARIANT-coupon-fresh"); warm: $(statuses "$VARIANT-coupon-warm")"
    echo
  } | tee -a "$REPORT"
  LAST_FAILED=0
  for v in "$v_rps" "$v_cp99" "$v_op99" "$v_ready"; do [[ "$v" == PASS ]] || LAST_FAILED=1; done
done
if [[ -f "$ROOT/target/flashsale/flashsale.aot" ]]; then
  echo "AOT cache: $(du -h "$ROOT/target/flashsale/flashsale.aot" | cut -f1) on disk (mapped read-only, shared by instances on one host)" | tee -a "$REPORT"
fi
echo "report: $REPORT"
exit "${LAST_FAILED:-0}"

#!/usr/bin/env bash
# Fault test: a 201 survives `kill -9` of the service, and Redis and MySQL agree afterwards.
#
# Starts the packaged service on PORT, opens a huge coupon event, claims it with wrk from distinct
# users, kills the service with SIGKILL in the middle of the load, starts it again, waits for the
# issue-log recovery, and then checks through the admin API:
#   issuedCount (MySQL) == quantity - remainingQuantity (Redis)   every decided issue is durable
#   issuedCount >= 201s wrk received before the kill               no 201 was lost
#
#   ./mvnw -q package -DskipTests && load-tests/wrk/kill9-coupon.sh
#
# Environment (defaults): JAR (target/flashsale-*.jar), PORT (18081), SECRET (local default),
#   LOAD_SECONDS (12), KILL_AFTER (6 s into the load), TOKENS (100000), RECOVERY_WAIT (20 s: the
#   recovery takes log entries older than 5 s at startup and every 30 s).
# Bounded: every wait has a deadline, wrk is killed after LOAD_SECONDS + 30 s, the service is
# stopped at exit. Traffic goes to 127.0.0.1 only.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$(ls "$ROOT"/target/flashsale-*.jar 2>/dev/null | grep -v original | head -1)}"
PORT="${PORT:-18081}"
BASE="http://127.0.0.1:$PORT"
export SECRET="${SECRET:-local-dev-secret-change-me-0123456789abcdef}"
LOAD_SECONDS="${LOAD_SECONDS:-12}"
KILL_AFTER="${KILL_AFTER:-6}"
TOKENS="${TOKENS:-100000}"
RECOVERY_WAIT="${RECOVERY_WAIT:-20}"
OUT_DIR="$ROOT/load-tests/target/kill9/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT_DIR"

log() { printf '[kill9] %s\n' "$*" >&2; }
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 2; }
[[ -f "$JAR" ]] || { echo "no jar: run ./mvnw -q package -DskipTests first" >&2; exit 2; }

APP_PID=""
start_app() {
  java -jar "$JAR" --spring.profiles.active=local --server.port="$PORT" >> "$OUT_DIR/app.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 120); do
    if curl -fs --max-time 2 -o /dev/null "$BASE/actuator/health/liveness"; then return; fi
    kill -0 "$APP_PID" 2>/dev/null || { tail -30 "$OUT_DIR/app.log" >&2; exit 3; }
    sleep 1
  done
  echo "service did not start in 120 s" >&2; exit 3
}
trap '[[ -n "$APP_PID" ]] && kill "$APP_PID" 2>/dev/null || true' EXIT

ADMIN_TOKEN="$(python3 "$HERE/mint-tokens.py" --admin --start 1 --count 1)"
admin_view() {
  curl -fsS --max-time 10 -H "Authorization: Bearer $ADMIN_TOKEN" "$BASE/api/admin/coupons/$1" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["issuedCount"], d["remainingQuantity"], d["totalQuantity"])'
}

log "starting $JAR on port $PORT"
start_app
QUANTITY=10000000
COUPON_ID="$(curl -fsS --max-time 10 -X POST "$BASE/api/admin/coupons" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d "$(python3 - "$QUANTITY" <<'PY'
import json, sys, uuid
from datetime import datetime, timedelta, timezone
now = datetime.now(timezone.utc)
print(json.dumps({"code": "KILL9-" + uuid.uuid4().hex[:12], "name": "kill -9 test", "discountAmount": 1000,
                  "totalQuantity": int(sys.argv[1]), "startsAt": (now - timedelta(minutes=1)).isoformat(),
                  "endsAt": (now + timedelta(hours=1)).isoformat(), "validDays": 7}))
PY
)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
log "coupon $COUPON_ID, quantity $QUANTITY"
python3 "$HERE/mint-tokens.py" --count "$TOKENS" --start "$(( 2000000000 + RANDOM * 30000 ))" --out "$OUT_DIR/tokens.txt" >/dev/null

log "load for ${LOAD_SECONDS}s, kill -9 after ${KILL_AFTER}s"
timeout -k 5 $(( LOAD_SECONDS + 30 )) wrk -t2 -c64 -d"${LOAD_SECONDS}s" --timeout 5s -s "$HERE/issue.lua" "$BASE" \
  -- "/api/coupons/$COUPON_ID/issue" "$OUT_DIR/tokens.txt" 2 > "$OUT_DIR/wrk.txt" 2>&1 &
WRK_PID=$!
sleep "$KILL_AFTER"
kill -9 "$APP_PID"
wait "$APP_PID" 2>/dev/null || true
log "killed the service (pid $APP_PID) with SIGKILL"
wait "$WRK_PID" || true
CREATED="$(awk '$1 == "BENCH" && $2 == "status" && $3 == 201 { print $4 }' "$OUT_DIR/wrk.txt")"
CREATED="${CREATED:-0}"
log "201s received before the kill: $CREATED"

log "restarting; waiting ${RECOVERY_WAIT}s for the issue-log recovery"
start_app
sleep "$RECOVERY_WAIT"
read -r ISSUED REMAINING TOTAL < <(admin_view "$COUPON_ID")
log "after restart: issuedCount=$ISSUED remainingQuantity=$REMAINING total=$TOTAL"

FAILED=0
if (( ISSUED == TOTAL - REMAINING )); then log "PASS issuedCount == total - remaining ($ISSUED)"; else log "FAIL issuedCount $ISSUED != total - remaining $(( TOTAL - REMAINING ))"; FAILED=1; fi
if (( ISSUED >= CREATED )); then log "PASS every 201 is durable (issuedCount $ISSUED >= 201s $CREATED)"; else log "FAIL issuedCount $ISSUED < 201s $CREATED"; FAILED=1; fi
(( CREATED > 0 )) || { log "FAIL no 201 before the kill: nothing was tested"; FAILED=1; }
echo "KILL9 coupon=$COUPON_ID 201s_before_kill=$CREATED issuedCount=$ISSUED redis_issued=$(( TOTAL - REMAINING )) $( ((FAILED)) && echo FAILED || echo PASSED)"
exit "$FAILED"

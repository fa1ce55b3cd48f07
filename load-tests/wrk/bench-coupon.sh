#!/usr/bin/env bash
# Ceiling benchmark of the coupon issue endpoint with wrk (a C load generator: a JVM generator
# like Gatling eats a whole core on a 2-core box and caps what it can measure).
#
# Needs the service already running at $BASE. Three wrk runs of $DURATION seconds each:
#   (a) liveness  GET /actuator/health/liveness               - the framework ceiling
#   (b) losers    coupon quantity 1, distinct users           - ~all 410 COUPON_SOLD_OUT
#   (c) winners   coupon quantity 10,000,000, distinct users  - all 201
# then checks through the admin API that the coupon's issuedCount (MySQL) matches the 201s wrk
# counted and remainingQuantity (Redis) == quantity - issuedCount, and prints req/s, latency
# p50/p90/p99 and the ratios losers/liveness and winners/liveness.
#
#   BASE=http://127.0.0.1:8080 SECRET=... load-tests/wrk/bench-coupon.sh
#
# Environment (defaults): BASE (http://127.0.0.1:8080), SECRET (service local default),
#   THREADS (2), CONNECTIONS (64), DURATION (10 s per run), WRK_TIMEOUT (5 s per request),
#   TOKENS (200000 distinct users, enough for DURATION s at ~10k req/s), WARMUP (180 s of mixed load
#   before measuring, in WARMUP_SLICE=20 s slices; 0 to skip),
#   START_ID (random), WINNER_QUANTITY (10000000), SETTLE_SECONDS (15), OUT_DIR
#   (load-tests/target/wrk/<timestamp>), KEEP_TOKENS (0: the token file is deleted at exit).
# Every step is bounded: wrk runs DURATION s (hard kill at DURATION+120 s), curl calls time out
# after 10 s, each settle loop stops after SETTLE_SECONDS.
#
# Note on the issuedCount check: wrk stops at -d without reading the answers of the requests still
# in flight (one per connection), and the service may have issued a coupon for each of them. So
# "issuedCount == 201s counted by wrk" is only exact when nothing was in flight; otherwise the
# check accepts 201s <= issuedCount <= 201s + CONNECTIONS + timeouts + read errors (never fewer
# issued than 201 answers). remainingQuantity == quantity - issuedCount is always checked exactly.
# Exit codes: 0 all checks passed, 1 a check failed, 2 wrk (or curl/python3) missing,
#   3 service not reachable / admin API error.
set -euo pipefail
shopt -s inherit_errexit

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

BASE="${BASE:-http://127.0.0.1:8080}"
BASE="${BASE%/}"
export SECRET="${SECRET:-local-dev-secret-change-me-0123456789abcdef}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10}"
WRK_TIMEOUT="${WRK_TIMEOUT:-5}"
TOKENS="${TOKENS:-200000}"
WARMUP="${WARMUP:-180}"
WARMUP_SLICE="${WARMUP_SLICE:-20}"
START_ID="${START_ID:-$(( 1000000 + (RANDOM * 32768 + RANDOM) % 1000000000 ))}"
WINNER_QUANTITY="${WINNER_QUANTITY:-10000000}"
SETTLE_SECONDS="${SETTLE_SECONDS:-15}"
OUT_DIR="${OUT_DIR:-$HERE/../target/wrk/$(date +%Y%m%d-%H%M%S)}"

# ------------------------------------------------------------------------------ prerequisites
# shellcheck source=bench-lib.sh
source "$HERE/bench-lib.sh"
require_tools
if (( CONNECTIONS < THREADS )); then
  echo "CONNECTIONS ($CONNECTIONS) must be >= THREADS ($THREADS)" >&2
  exit 1
fi

if ! curl -fsS --max-time 5 -o /dev/null "$BASE/actuator/health/liveness"; then
  echo "service not reachable: GET $BASE/actuator/health/liveness failed (start it first)" >&2
  exit 3
fi

mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

ADMIN_TOKEN="$(python3 "$HERE/mint-tokens.py" --admin --start 1 --count 1)"

# ------------------------------------------------------------------------------ admin helpers
# json_field <field>  (JSON document on stdin)
json_field() {
  python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else v)' "$1"
}

# create_coupon <quantity> -> prints the coupon id
create_coupon() {
  local quantity="$1" body response status
  body="$(python3 - "$quantity" <<'PY'
import json, random, string, sys
from datetime import datetime, timedelta, timezone
now = datetime.now(timezone.utc).replace(microsecond=0)
iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
code = "RUSH-" + "".join(random.choices(string.ascii_uppercase + string.digits, k=10))
print(json.dumps({"code": code, "name": "wrk bench " + code, "discountAmount": 1000,
                  "totalQuantity": int(sys.argv[1]), "startsAt": iso(now - timedelta(minutes=1)),
                  "endsAt": iso(now + timedelta(hours=1)), "validDays": 7}))
PY
)"
  response="$(curl -sS --max-time 10 -w '\n%{http_code}' -X POST "$BASE/api/admin/coupons" \
    -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -H 'Accept: application/json' -d "$body")" || { echo "POST /api/admin/coupons failed" >&2; exit 3; }
  status="${response##*$'\n'}"
  if [[ "$status" != "201" ]]; then
    echo "POST /api/admin/coupons answered $status: ${response%$'\n'*}" >&2
    exit 3
  fi
  printf '%s' "${response%$'\n'*}" | json_field id
}

# coupon_state <id> -> prints "<issuedCount> <remainingQuantity>"
coupon_state() {
  local json
  json="$(curl -fsS --max-time 10 -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Accept: application/json' \
    "$BASE/api/admin/coupons/$1")" || { echo "GET /api/admin/coupons/$1 failed" >&2; exit 3; }
  printf '%s' "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["issuedCount"], d["remainingQuantity"])'
}

# settle <id> <expected issuedCount>: poll until issuedCount >= expected and unchanged for 3 reads
# (1.5 s), at most SETTLE_SECONDS; prints the last "<issuedCount> <remainingQuantity>".
settle() {
  local id="$1" expected="$2" state previous="" stable=0 deadline=$(( SECONDS + SETTLE_SECONDS ))
  while :; do
    state="$(coupon_state "$id")"
    if [[ "$state" == "$previous" ]]; then stable=$(( stable + 1 )); else stable=0; fi
    previous="$state"
    if (( ${state%% *} >= expected && stable >= 3 )) || (( SECONDS >= deadline )); then
      break
    fi
    sleep 0.5
  done
  printf '%s\n' "$state"
}

# ------------------------------------------------------------------------------ wrk helpers
# other_statuses <name>: answers that are none of 201/409/410
other_statuses() {
  awk '$1 == "BENCH" && $2 == "status" && $3 != 201 && $3 != 409 && $3 != 410 { n += $4 } END { print n + 0 }' \
    "$OUT_DIR/$1.txt"
}

FAILURES=()

# verify_coupon <name> <coupon id> <quantity>
verify_coupon() {
  local name="$1" id="$2" quantity="$3" c201 state issued remaining slack
  c201="$(status_count "$name" 201)"
  state="$(settle "$id" "$c201")"
  issued="${state%% *}"
  remaining="${state##* }"
  slack="$(abandoned "$name")"
  printf '%s %s\n' "$issued" "$remaining" > "$OUT_DIR/$name.admin"
  log "$name: coupon $id quantity=$quantity 201s(wrk)=$c201 issuedCount=$issued remaining=$remaining"
  if (( issued == c201 )); then
    check "$name: issuedCount ($issued) == 201s counted by wrk ($c201)" 1
  else
    # wrk stops at -d without reading the answers of requests still in flight, so the service may
    # have issued up to CONNECTIONS (+ timed-out) coupons more than wrk counted - never fewer.
    check "$name: 201s counted by wrk ($c201) <= issuedCount ($issued) <= 201s + $slack unanswered (in flight at wrk stop / timed out)" \
      "issued >= c201 && issued - c201 <= slack"
  fi
  check "$name: remainingQuantity ($remaining) == quantity - issuedCount ($(( quantity - issued )))" \
    "remaining == quantity - issued"
  check "$name: no answers other than 201/409/410 ($(other_statuses "$name"))" "$(other_statuses "$name") == 0"
}

# ------------------------------------------------------------------------------ tokens
log "output in $OUT_DIR"
TOKEN_FILE="$OUT_DIR/tokens.txt"
if [[ "${KEEP_TOKENS:-0}" != "1" ]]; then
  trap 'rm -f "$TOKEN_FILE"' EXIT
fi
log "minting $TOKENS user tokens (user ids $START_ID..$(( START_ID + TOKENS - 1 )))"
python3 "$HERE/mint-tokens.py" --count "$TOKENS" --start "$START_ID" --out "$TOKEN_FILE"

# ------------------------------------------------------------------------------ warm-up
# The JIT needs minutes of load on 2 cores before throughput stops climbing (measured: liveness
# 300 -> 4,800 req/s over ~3 minutes), so every scenario runs in WARMUP_SLICE-second slices for
# WARMUP seconds first; those figures are discarded. Each winners slice uses a fresh coupon, so
# the same tokens win again without touching the measured coupons.
if (( WARMUP > 0 )); then
  log "warm-up: ${WARMUP}s in ${WARMUP_SLICE}s slices (liveness, losers, winners), figures discarded"
  WARM_LOSER_ID="$(create_coupon 1)"
  warm_end=$(( SECONDS + WARMUP ))
  while (( SECONDS < warm_end )); do
    for scenario in liveness losers winners; do
      case "$scenario" in
        liveness) args=("$BASE/actuator/health/liveness" -s "$HERE/report.lua") ;;
        losers) args=(-s "$HERE/issue.lua" "$BASE" -- "/api/coupons/$WARM_LOSER_ID/issue" "$TOKEN_FILE" "$THREADS") ;;
        winners) args=(-s "$HERE/issue.lua" "$BASE" -- "/api/coupons/$(create_coupon "$WINNER_QUANTITY")/issue" "$TOKEN_FILE" "$THREADS") ;;
      esac
      timeout -k 5 $(( WARMUP_SLICE + 60 )) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP_SLICE}s" \
        --timeout "${WRK_TIMEOUT}s" "${args[@]}" > "$OUT_DIR/warmup-$scenario.txt" 2>&1 || true
      log "warm-up $scenario: $(grep -h '^Requests/sec' "$OUT_DIR/warmup-$scenario.txt" || echo 'no figure')"
    done
  done
fi

# ------------------------------------------------------------------------------ (a) liveness
run_wrk liveness "$BASE/actuator/health/liveness" "$HERE/report.lua"

# ------------------------------------------------------------------------------ (b) losers
LOSER_ID="$(create_coupon 1)"
log "losers: coupon $LOSER_ID, quantity 1"
run_wrk losers "$BASE" "$HERE/issue.lua" "/api/coupons/$LOSER_ID/issue" "$TOKEN_FILE" "$THREADS"
verify_coupon losers "$LOSER_ID" 1
check "losers: exactly one 201 ($(status_count losers 201))" "$(status_count losers 201) == 1"

# ------------------------------------------------------------------------------ (c) winners
WINNER_ID="$(create_coupon "$WINNER_QUANTITY")"
log "winners: coupon $WINNER_ID, quantity $WINNER_QUANTITY"
run_wrk winners "$BASE" "$HERE/issue.lua" "/api/coupons/$WINNER_ID/issue" "$TOKEN_FILE" "$THREADS"
verify_coupon winners "$WINNER_ID" "$WINNER_QUANTITY"
check "winners: no 410 (coupon cannot sell out)" "$(status_count winners 410) == 0"
REUSED="$(metric winners tokens_reused)"
if (( REUSED > 0 )); then
  log "WARN winners: $REUSED requests reused a token (409 expected for them): raise TOKENS (was $TOKENS)"
else
  check "winners: no 409 with distinct users ($(status_count winners 409))" "$(status_count winners 409) == 0"
fi

# ------------------------------------------------------------------------------ report
row() { # row <name>
  printf '%-9s %10s %9s %9s %9s  %s | errors: %s\n' "$1" "$(metric "$1" rps)" "$(metric "$1" p50_ms)" \
    "$(metric "$1" p90_ms)" "$(metric "$1" p99_ms)" "$(statuses "$1")" \
    "$(grep -h '^BENCH errors' "$OUT_DIR/$1.txt" | cut -d' ' -f3-)"
}

echo
echo "COUPON BENCH  base=$BASE  wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s  tokens=$TOKENS  (raw output: $OUT_DIR)"
printf '%-9s %10s %9s %9s %9s  %s\n' scenario req/s p50_ms p90_ms p99_ms statuses
row liveness
row losers
row winners
echo "ratios: losers/liveness=$(ratio "$(metric losers rps)" "$(metric liveness rps)")" \
  "winners/liveness=$(ratio "$(metric winners rps)" "$(metric liveness rps)")"
echo "admin: losers coupon $LOSER_ID issuedCount/remaining=$(cat "$OUT_DIR/losers.admin")," \
  "winners coupon $WINNER_ID issuedCount/remaining=$(cat "$OUT_DIR/winners.admin")" \
  "(201s counted by wrk: $(status_count winners 201))"

echo "What each answer cost (the whole wrk run; the service's machine only; bench-lib.sh):"
for run in liveness losers winners; do cost_row "$run"; done

if (( ${#FAILURES[@]} > 0 )); then
  echo "CHECKS FAILED (${#FAILURES[@]}):"
  printf '  - %s\n' "${FAILURES[@]}"
  exit 1
fi
echo "ALL CHECKS PASSED"

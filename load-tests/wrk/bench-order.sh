#!/usr/bin/env bash
# Speed benchmark of the order endpoint (POST /api/orders) with wrk (a C load generator: a JVM
# generator like Gatling eats a whole core on a 2-core box and caps what it can measure).
#
# Needs the service already running at $BASE. Setup through the API: BUYERS buyers (admin user
# creation, then CHARGE_PER_USER KRW each through the charge API) and PRODUCTS products of PRICE
# KRW. wrk runs THREADS threads and CONNECTIONS connections, like bench-coupon.sh; each thread sends
# its requests from its own BUYERS/THREADS buyers in turn, so no buyer ever has two orders in flight
# (order.lua explains why that needs many more buyers than connections). After a warm-up, four wrk
# runs of DURATION seconds each, on the same warm service:
#   (a) liveness  GET /actuator/health/liveness                                - the framework ceiling
#   (b) spread    orders of 1 unit of a random product out of PRODUCTS          - all 201
#   (c) hot       orders of 1 unit of one product, stock HOT_STOCK (all win)    - all 201, one hot row
#   (d) soldout   orders of 1 unit of one product of SOLDOUT_STOCK units        - SOLDOUT_STOCK x 201,
#                                                                                 the rest 409 INSUFFICIENT_STOCK
# Every request carries a fresh Idempotency-Key. After each order run it reads the admin sales
# (GET /api/admin/products/{id}/sales) once they settle and checks: paidQuantity (the spread
# phase: its increase over the run) == the 201s wrk counted, sellableStock (Redis) == stock
# (MySQL) == initial stock - paidQuantity on every product, pendingOrders == 0, and no answer other
# than the expected ones. It prints req/s, latency p50/p95/p99 per phase and each phase's ratio to
# liveness.
#
#   BASE=http://127.0.0.1:8080 SECRET=... load-tests/wrk/bench-order.sh
#
# Environment (defaults): BASE (http://127.0.0.1:8080), SECRET (service local default),
#   CONNECTIONS (64), THREADS (2), BUYERS (1000, at least 8 per connection), DURATION (10 s per run),
#   WRK_TIMEOUT (5 s per request), PRODUCTS (200), PRICE (10 KRW), SPREAD_STOCK (1000000 per
#   spread product), HOT_STOCK (10000000), SOLDOUT_STOCK (1), CHARGE_PER_USER (100000 KRW: at
#   PRICE 10 that pays for 10,000 orders per buyer; a multiple of 1,000, at most the 10,000,000
#   balance cap), WARMUP (180 s of mixed load before measuring, in WARMUP_SLICE=20 s slices; 0 to
#   skip), SETTLE_SECONDS (15), OUT_DIR (load-tests/target/wrk-order/<timestamp>), KEEP_TOKENS (0:
#   the token file is deleted at exit).
# Every step is bounded: wrk runs DURATION s (hard kill at DURATION+120 s), every HTTP call of the
# setup times out after 10 s, each settle loop stops after SETTLE_SECONDS.
#
# Note on paidQuantity == 201s: wrk stops at -d without reading the answers of the requests still
# in flight (one per connection), and the service may have paid each of them. So the equality is
# only exact when nothing was in flight; otherwise the check accepts
# 201s <= paidQuantity <= 201s + CONNECTIONS + timeouts + read errors (never fewer paid than 201
# answers). sellableStock == stock == initial - paidQuantity and pendingOrders == 0 are exact.
# Exit codes: 0 all checks passed, 1 a check failed, 2 wrk (or curl/python3) missing,
#   3 service not reachable / setup or admin API error.
set -euo pipefail
shopt -s inherit_errexit

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

BASE="${BASE:-http://127.0.0.1:8080}"
BASE="${BASE%/}"
export SECRET="${SECRET:-local-dev-secret-change-me-0123456789abcdef}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
BUYERS="${BUYERS:-1000}"
DURATION="${DURATION:-10}"
WRK_TIMEOUT="${WRK_TIMEOUT:-5}"
PRODUCTS="${PRODUCTS:-200}"
PRICE="${PRICE:-10}"
SPREAD_STOCK="${SPREAD_STOCK:-1000000}"
HOT_STOCK="${HOT_STOCK:-10000000}"
SOLDOUT_STOCK="${SOLDOUT_STOCK:-1}"
CHARGE_PER_USER="${CHARGE_PER_USER:-100000}"
WARMUP="${WARMUP:-180}"
WARMUP_SLICE="${WARMUP_SLICE:-20}"
SETTLE_SECONDS="${SETTLE_SECONDS:-15}"
OUT_DIR="${OUT_DIR:-$HERE/../target/wrk-order/$(date +%Y%m%d-%H%M%S)}"
RUN_ID="wrk-$(date +%s)-$(( RANDOM * 32768 + RANDOM ))"

# ------------------------------------------------------------------------------ prerequisites
# shellcheck source=bench-lib.sh
source "$HERE/bench-lib.sh"
require_tools
if (( CONNECTIONS < 1 || PRODUCTS < 1 || PRICE < 0 || SOLDOUT_STOCK < 0 || HOT_STOCK < 1 )); then
  echo "CONNECTIONS and PRODUCTS must be >= 1, HOT_STOCK >= 1, PRICE and SOLDOUT_STOCK >= 0" >&2
  exit 1
fi
if (( THREADS < 1 || CONNECTIONS < THREADS || BUYERS % THREADS != 0 || BUYERS < 8 * CONNECTIONS )); then
  echo "need 1 <= THREADS <= CONNECTIONS, BUYERS a multiple of THREADS and >= 8 x CONNECTIONS" >&2
  exit 1
fi
if (( CHARGE_PER_USER % 1000 != 0 || CHARGE_PER_USER < 1000 || CHARGE_PER_USER > 10000000 )); then
  echo "CHARGE_PER_USER ($CHARGE_PER_USER) must be a multiple of 1,000 between 1,000 and 10,000,000" >&2
  exit 1
fi

if ! curl -fsS --max-time 5 -o /dev/null "$BASE/actuator/health/liveness"; then
  echo "service not reachable: GET $BASE/actuator/health/liveness failed (start it first)" >&2
  exit 3
fi

mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

# ------------------------------------------------------------------------------ setup helpers
# fixtures <order-fixtures.py args...>: exits 3 (setup or admin API error) when it fails
fixtures() {
  local rc=0
  timeout -k 5 900 python3 "$HERE/order-fixtures.py" --base "$BASE" "$@" || rc=$?
  if (( rc != 0 )); then
    echo "order-fixtures.py $1 failed (exit $rc)" >&2
    exit 3
  fi
}

# create_product <stock> <name> -> prints the product id
create_product() {
  fixtures products --count 1 --price "$PRICE" --stock "$1" --name "$RUN_ID-$2"
}

# sales <name> <initial stock per product> <min paidQuantity> <ids or @file>: waits until the
# products' sales settle, writes the SALES line to $OUT_DIR/<name>.admin and prints it
sales() {
  local name="$1" initial="$2" min_paid="$3" ids="$4"
  fixtures sales "$ids" --initial-stock "$initial" --settle "$SETTLE_SECONDS" --min-paid "$min_paid" \
    | tee "$OUT_DIR/$name.admin"
}

# admin_field <name> <key>: value of key=... on the SALES line of $OUT_DIR/<name>.admin
admin_field() {
  tr ' ' '\n' < "$OUT_DIR/$1.admin" | sed -n "s/^$2=//p" | head -n1
}

# ------------------------------------------------------------------------------ wrk helpers
WRK_SEQ=0

# order_args <products: id or @file>: the order.lua arguments, with an Idempotency-Key prefix of
# its own (so no key repeats across wrk runs); sets ORDER_ARGS
order_args() {
  WRK_SEQ=$(( WRK_SEQ + 1 ))
  ORDER_ARGS=("$TOKEN_FILE" "$1" "$THREADS" "$RUN_ID-$WRK_SEQ" 1 $(( BUYERS / THREADS )))
}

# run_orders <name> <products: id or @file>
run_orders() {
  order_args "$2"
  run_wrk "$1" "$BASE" "$HERE/order.lua" "${ORDER_ARGS[@]}"
}

# codes <name>: the problem codes of the error answers, "409:INSUFFICIENT_STOCK=123 ...", or "-"
codes() {
  awk '$1 == "BENCH" && $2 == "code" { printf "%s%s:%s=%s", sep, $3, $4, $5; sep = " " }
    END { if (sep == "") printf "-" }' "$OUT_DIR/$1.txt"
}

# answers_except <name> <status>[:<CODE>]...: answers matching none of the given outcomes; a bare
# status allows every answer with it, <status>:<CODE> only those with that problem code
answers_except() {
  local name="$1"
  shift
  awk -v allowed="$*" '
    BEGIN {
      n = split(allowed, a, " ")
      for (i = 1; i <= n; i++) {
        if (index(a[i], ":")) okcode[a[i]] = 1; else plain[a[i]] = 1
      }
    }
    $1 == "BENCH" && $2 == "status" && !($3 in plain) { bad += $4 }
    $1 == "BENCH" && $2 == "code" && !($3 in plain) && (($3 ":" $4) in okcode) { bad -= $5 }
    END { print bad + 0 }' "$OUT_DIR/$name.txt"
}

FAILURES=()

# check_paid <name> <paid> <201s>: paid == 201s, or within the in-flight slack
check_paid() {
  local name="$1" paid="$2" c201="$3" slack
  slack="$(abandoned "$name")"
  if (( paid == c201 )); then
    check "$name: paidQuantity ($paid) == 201s counted by wrk ($c201)" 1
  else
    # wrk stops at -d without reading the answers of requests still in flight, so the service may
    # have paid up to CONNECTIONS (+ timed-out) orders more than wrk counted - never fewer.
    check "$name: 201s counted by wrk ($c201) <= paidQuantity ($paid) <= 201s + $slack unanswered (in flight at wrk stop / timed out)" \
      "paid >= c201 && paid - c201 <= slack"
  fi
}

# check_stock <name>: every product's sellableStock == stock == initial - paidQuantity, none pending,
# and the sales settled
check_stock() {
  local name="$1"
  check "$name: sellableStock (Redis) == stock (MySQL) == initial - paidQuantity on every product (mismatches: $(admin_field "$name" stockMismatches))" \
    "$(admin_field "$name" stockMismatches) == 0"
  check "$name: pendingOrders == 0 ($(admin_field "$name" pendingOrders))" "$(admin_field "$name" pendingOrders) == 0"
  check "$name: sales settled within ${SETTLE_SECONDS}s ($(admin_field "$name" settled))" \
    "$( [[ "$(admin_field "$name" settled)" == yes ]] && echo 1 || echo 0 )"
}

# ------------------------------------------------------------------------------ buyers and products
log "output in $OUT_DIR"
TOKEN_FILE="$OUT_DIR/tokens.txt"
if [[ "${KEEP_TOKENS:-0}" != "1" ]]; then
  trap 'rm -f "$TOKEN_FILE"' EXIT
fi
log "creating $BUYERS buyers, each charged $CHARGE_PER_USER KRW ($(( CHARGE_PER_USER / 100000 + (CHARGE_PER_USER % 100000 > 0) )) charges each)"
fixtures users --count "$BUYERS" --charge "$CHARGE_PER_USER" --out "$TOKEN_FILE" \
  --ids-out "$OUT_DIR/users.txt" --name "$RUN_ID-buyer"
if (( PRICE > 0 )); then
  log "each buyer can pay $(( CHARGE_PER_USER / PRICE )) orders of $PRICE KRW"
fi
SPREAD_FILE="$OUT_DIR/spread-products.txt"
log "creating $PRODUCTS spread products (price $PRICE KRW, stock $SPREAD_STOCK)"
fixtures products --count "$PRODUCTS" --price "$PRICE" --stock "$SPREAD_STOCK" --name "$RUN_ID-spread" \
  --out "$SPREAD_FILE"

# ------------------------------------------------------------------------------ warm-up
# The JIT needs minutes of load on 2 cores before throughput stops climbing (see bench-coupon.sh),
# so every scenario runs in WARMUP_SLICE-second slices for WARMUP seconds first; those figures are
# discarded. The warm-up uses the spread products (the spread phase is checked on its increase)
# and hot and sold-out products of its own.
if (( WARMUP > 0 )); then
  log "warm-up: ${WARMUP}s in ${WARMUP_SLICE}s slices (liveness, spread, hot, soldout), figures discarded"
  WARM_HOT_ID="$(create_product "$HOT_STOCK" warm-hot)"
  WARM_SOLDOUT_ID="$(create_product "$SOLDOUT_STOCK" warm-soldout)"
  warm_end=$(( SECONDS + WARMUP ))
  while (( SECONDS < warm_end )); do
    for scenario in liveness spread hot soldout; do
      case "$scenario" in
        liveness) args=("$BASE/actuator/health/liveness" -s "$HERE/report.lua") ;;
        spread) order_args "@$SPREAD_FILE"; args=(-s "$HERE/order.lua" "$BASE" -- "${ORDER_ARGS[@]}") ;;
        hot) order_args "$WARM_HOT_ID"; args=(-s "$HERE/order.lua" "$BASE" -- "${ORDER_ARGS[@]}") ;;
        soldout) order_args "$WARM_SOLDOUT_ID"; args=(-s "$HERE/order.lua" "$BASE" -- "${ORDER_ARGS[@]}") ;;
      esac
      timeout -k 5 $(( WARMUP_SLICE + 60 )) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP_SLICE}s" \
        --timeout "${WRK_TIMEOUT}s" "${args[@]}" > "$OUT_DIR/warmup-$scenario.txt" 2>&1 || true
      log "warm-up $scenario: $(grep -h '^Requests/sec' "$OUT_DIR/warmup-$scenario.txt" || echo 'no figure')" \
        "$(grep -h '^BENCH status' "$OUT_DIR/warmup-$scenario.txt" | awk '{ printf "%s=%s ", $3, $4 }')"
    done
  done
fi

# ------------------------------------------------------------------------------ (a) liveness
run_wrk liveness "$BASE/actuator/health/liveness" "$HERE/report.lua"

# ------------------------------------------------------------------------------ (b) spread
log "spread: settled sales of the $PRODUCTS products before the run"
sales spread-before "$SPREAD_STOCK" 0 "@$SPREAD_FILE" >/dev/null
check "spread: sales settled before the run ($(admin_field spread-before settled))" \
  "$( [[ "$(admin_field spread-before settled)" == yes ]] && echo 1 || echo 0 )"
run_orders spread "@$SPREAD_FILE"
SPREAD_201="$(status_count spread 201)"
sales spread "$SPREAD_STOCK" $(( $(admin_field spread-before paidQuantity) + SPREAD_201 )) "@$SPREAD_FILE" >/dev/null
SPREAD_PAID=$(( $(admin_field spread paidQuantity) - $(admin_field spread-before paidQuantity) ))
SPREAD_ORDERS=$(( $(admin_field spread paidOrders) - $(admin_field spread-before paidOrders) ))
log "spread: 201s(wrk)=$SPREAD_201 paidQuantity +$SPREAD_PAID paidOrders +$SPREAD_ORDERS"
check_paid spread "$SPREAD_PAID" "$SPREAD_201"
check "spread: paidOrders increase ($SPREAD_ORDERS) == paidQuantity increase ($SPREAD_PAID), quantity 1 each" \
  "SPREAD_ORDERS == SPREAD_PAID"
check_stock spread
check "spread: only 201 answers (other: $(answers_except spread 201); $(codes spread))" \
  "$(answers_except spread 201) == 0"

# ------------------------------------------------------------------------------ (c) hot
HOT_ID="$(create_product "$HOT_STOCK" hot)"
log "hot: product $HOT_ID, stock $HOT_STOCK"
run_orders hot "$HOT_ID"
HOT_201="$(status_count hot 201)"
sales hot "$HOT_STOCK" "$HOT_201" "$HOT_ID" >/dev/null
check_paid hot "$(admin_field hot paidQuantity)" "$HOT_201"
check "hot: paidOrders ($(admin_field hot paidOrders)) == paidQuantity ($(admin_field hot paidQuantity))" \
  "$(admin_field hot paidOrders) == $(admin_field hot paidQuantity)"
check_stock hot
check "hot: only 201 answers, the stock cannot run out (other: $(answers_except hot 201); $(codes hot))" \
  "$(answers_except hot 201) == 0"

# ------------------------------------------------------------------------------ (d) soldout
SOLDOUT_ID="$(create_product "$SOLDOUT_STOCK" soldout)"
log "soldout: product $SOLDOUT_ID, stock $SOLDOUT_STOCK"
run_orders soldout "$SOLDOUT_ID"
SOLDOUT_201="$(status_count soldout 201)"
sales soldout "$SOLDOUT_STOCK" "$SOLDOUT_201" "$SOLDOUT_ID" >/dev/null
check_paid soldout "$(admin_field soldout paidQuantity)" "$SOLDOUT_201"
check "soldout: sold out, paidQuantity ($(admin_field soldout paidQuantity)) == stock ($SOLDOUT_STOCK)" \
  "$(admin_field soldout paidQuantity) == SOLDOUT_STOCK"
check "soldout: stock ($(admin_field soldout stock)) == sellableStock ($(admin_field soldout sellableStock)) == 0" \
  "$(admin_field soldout stock) == 0 && $(admin_field soldout sellableStock) == 0"
check_stock soldout
check "soldout: only 201 and 409 INSUFFICIENT_STOCK (other: $(answers_except soldout 201 409:INSUFFICIENT_STOCK); $(codes soldout))" \
  "$(answers_except soldout 201 409:INSUFFICIENT_STOCK) == 0"

# ------------------------------------------------------------------------------ report
row() { # row <name>
  printf '%-9s %10s %9s %9s %9s %12s  %s | %s | errors: %s\n' "$1" "$(metric "$1" rps)" "$(metric "$1" p50_ms)" \
    "$(metric "$1" p95_ms)" "$(metric "$1" p99_ms)" "$(ratio "$(metric "$1" rps)" "$(metric liveness rps)")" \
    "$(statuses "$1")" "$(codes "$1")" "$(grep -h '^BENCH errors' "$OUT_DIR/$1.txt" | cut -d' ' -f3-)"
}

echo
echo "ORDER BENCH  base=$BASE  wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s  buyers=$BUYERS ($(( BUYERS / THREADS )) per thread, in turn)" \
  " products=$PRODUCTS price=$PRICE  (raw output: $OUT_DIR)"
printf '%-9s %10s %9s %9s %9s %12s  %s\n' phase req/s p50_ms p95_ms p99_ms vs_liveness 'statuses | codes'
row liveness
row spread
row hot
row soldout
echo "admin: spread $PRODUCTS products paidQuantity +$SPREAD_PAID (201s counted by wrk: $SPREAD_201);" \
  "hot product $HOT_ID $(cut -d' ' -f3- "$OUT_DIR/hot.admin") (201s: $HOT_201);" \
  "soldout product $SOLDOUT_ID $(cut -d' ' -f3- "$OUT_DIR/soldout.admin") (201s: $SOLDOUT_201)"

echo "What each answer cost (the whole wrk run; the service's machine only; docs/adr/0032-orders-committed-in-groups.md):"
for run in liveness spread hot soldout; do cost_row "$run"; done

if (( ${#FAILURES[@]} > 0 )); then
  echo "CHECKS FAILED (${#FAILURES[@]}):"
  printf '  - %s\n' "${FAILURES[@]}"
  exit 1
fi
echo "ALL CHECKS PASSED"

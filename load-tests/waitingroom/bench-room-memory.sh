#!/usr/bin/env bash
# Memory per 1,000 waiting clients of a waiting room (issue "flash-crowd admission", ADR 0025): heap of the
# service (after a full GC) and Redis memory, before and while STEP clients hold a ticket and listen to it.
#
#   BASE=http://127.0.0.1:18080 load-tests/waitingroom/bench-room-memory.sh
#
# Needs the service running on loopback (local profile), jcmd (any JDK), python3, curl and redis-cli
# (REDIS_HOST/REDIS_PORT, default 127.0.0.1:6379). Opens a coupon event and a room in front of it that opens
# in an hour, so every ticket waits in the pre-queue and nobody is admitted. For each step of STEPS (default
# "1000 3000"), on a room of its own: fresh users take a ticket and listen (room-clients.py), the figures are
# read once all of them got their first position, the clients hold HOLD s (default 20) and close, and the
# room is closed, which deletes its line. Prints one BENCH line per step; exits non-zero if a client failed or was cut off.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BASE="${BASE:-http://127.0.0.1:8080}"
STEPS="${STEPS:-1000 3000}"
HOLD="${HOLD:-20}"
REDIS=(redis-cli -h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}")
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

case "$BASE" in http://127.0.0.1:*|http://localhost:*) ;; *) echo "BASE must be loopback" >&2; exit 2 ;; esac
for tool in jcmd python3 curl redis-cli; do command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }; done
PORT="${BASE##*:}"
PID="${PID:-$(ss -ltnpH "sport = :$PORT" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1)}"
[[ -n "$PID" ]] || { echo "no process listens on port $PORT" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

log() { printf '[room-memory] %s\n' "$*" >&2; }
# shellcheck source=../heap.sh
source "$HERE/../heap.sh"
heap_kb() { heap_used_kb "$PID"; }
redis_kb() { echo $(( $("${REDIS[@]}" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p') / 1024 )); }
json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }

ADMIN="$(python3 "$HERE/../wrk/mint-tokens.py" --admin --start 1 --count 1)"
ROOM=""
close_room() { [[ -z "$ROOM" ]] || curl -fsS --max-time 10 -X DELETE "$BASE/api/admin/waiting-rooms/$ROOM" \
  -H "Authorization: Bearer $ADMIN" >/dev/null || true; ROOM=""; }
trap 'close_room; rm -rf "$OUT"' EXIT
open_room() { # a coupon event and a room in front of it that opens in an hour
  local now coupon
  now="$(date -u +%s)"
  coupon="$(curl -fsS --max-time 10 -X POST "$BASE/api/admin/coupons" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' \
    -d "{\"code\":\"ROOM-MEM-$RANDOM$RANDOM\",\"name\":\"room memory\",\"discountAmount\":1000,\"totalQuantity\":10,\"startsAt\":\"$(date -u -d @$((now - 60)) +%FT%TZ)\",\"endsAt\":\"$(date -u -d @$((now + 7200)) +%FT%TZ)\",\"validDays\":7}" \
    | json_field id)"
  ROOM="$(curl -fsS --max-time 10 -X POST "$BASE/api/admin/waiting-rooms" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' \
    -d "{\"targetType\":\"COUPON\",\"targetId\":$coupon,\"admissionsPerSecond\":1,\"opensAt\":\"$(date -u -d @$((now + 3600)) +%FT%TZ)\"}" \
    | json_field roomId)"
  log "coupon $coupon, room $ROOM (opens in an hour: every ticket waits in the pre-queue)"
  sleep 2 # every instance knows an open room within app.waiting-room.refresh-interval (1 s)
}

FAILED=0
for STEP in $STEPS; do
  python3 "$HERE/../wrk/mint-tokens.py" --count "$STEP" --start "$(( 3000000000 + RANDOM * 32768 + RANDOM ))" \
    --out "$OUT/tokens.txt"
  open_room
  BEFORE_HEAP="$(heap_kb)"; BEFORE_REDIS="$(redis_kb)"
  log "step $STEP: heap ${BEFORE_HEAP} KiB, Redis ${BEFORE_REDIS} KiB before; $STEP clients take a ticket and listen"
  python3 "$HERE/room-clients.py" --base "$BASE" --room "$ROOM" --tokens "$OUT/tokens.txt" --count "$STEP" \
    --hold "$HOLD" > "$OUT/clients-$STEP.txt" 2>&1 &
  CLIENTS=$!
  for _ in $(seq 1 900); do grep -q '^READY' "$OUT/clients-$STEP.txt" && break; sleep 0.2; done
  READY="$(grep '^READY' "$OUT/clients-$STEP.txt" || echo "READY waiting=0 failed=$STEP")"
  OPEN_HEAP="$(heap_kb)"; OPEN_REDIS="$(redis_kb)"
  wait "$CLIENTS" || true
  DONE="$(grep '^DONE' "$OUT/clients-$STEP.txt" || echo "DONE waiting=0 closed_early=$STEP admitted=0")"
  WAITING="$(sed -n 's/.*waiting=\([0-9]*\).*/\1/p' <<<"$READY")"
  N=$(( WAITING > 0 ? WAITING : 1 ))
  echo "BENCH clients=$STEP ${READY#READY } heap_before_kb=$BEFORE_HEAP heap_waiting_kb=$OPEN_HEAP heap_per_1000_kb=$(( (OPEN_HEAP - BEFORE_HEAP) * 1000 / N )) redis_before_kb=$BEFORE_REDIS redis_waiting_kb=$OPEN_REDIS redis_per_1000_kb=$(( (OPEN_REDIS - BEFORE_REDIS) * 1000 / N )) ${DONE#DONE }"
  grep -q "failed=0" <<<"$READY" && grep -q "closed_early=0" <<<"$DONE" || FAILED=1
  close_room
done
exit "$FAILED"

# Shared by bench-coupon.sh and bench-order.sh (sourced, not run): prerequisites and the helpers that
# run wrk and read the "BENCH ..." lines its report scripts print. Callers set OUT_DIR, THREADS,
# CONNECTIONS, DURATION, WRK_TIMEOUT and keep failed checks in the array FAILURES.

# require_tools: exit 2 unless wrk, curl, python3 and timeout are installed
require_tools() {
  if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is not installed. On Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y wrk" >&2
    exit 2
  fi
  local tool
  for tool in curl python3 timeout; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "$tool is required but not installed" >&2
      exit 2
    fi
  done
}

log() { printf '[bench] %s\n' "$*" >&2; }

# run_wrk <name> <url> <lua script> [script args...]: one bounded wrk run, output in $OUT_DIR/<name>.txt
run_wrk() {
  local name="$1" url="$2" script="$3"
  shift 3
  log "wrk $name: -t$THREADS -c$CONNECTIONS -d${DURATION}s $url $*"
  if ! timeout -k 5 $(( DURATION + 120 )) \
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout "${WRK_TIMEOUT}s" --latency \
      -s "$script" "$url" ${1+--} "$@" > "$OUT_DIR/$name.txt" 2>&1; then
    cat "$OUT_DIR/$name.txt" >&2
    echo "wrk $name failed" >&2
    exit 1
  fi
}

# metric <run> <key>: a value of the run's BENCH lines (rps, p50_ms, timeout, ...)
metric() {
  grep -h '^BENCH ' "$OUT_DIR/$1.txt" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1
}

# status_count <run> <status>: how many answers of that HTTP status the run saw
status_count() {
  awk -v c="$2" '$1 == "BENCH" && $2 == "status" && $3 == c { print $4; found = 1 } END { if (!found) print 0 }' \
    "$OUT_DIR/$1.txt"
}

# statuses <run>: "201=5 409=7", or "-" when none were counted
statuses() {
  awk '$1 == "BENCH" && $2 == "status" { printf "%s%s=%s", sep, $3, $4; sep = " " }
    END { if (sep == "") printf "-" }' "$OUT_DIR/$1.txt"
}

# abandoned <run>: the most requests the service may have finished without wrk reading the answer
abandoned() {
  echo $(( CONNECTIONS + $(metric "$1" timeout) + $(metric "$1" read) ))
}

check() { # check <description> <condition as arithmetic expression>
  if (( $2 )); then log "PASS $1"; else log "FAIL $1"; FAILURES+=("$1"); fi
}

ratio() { python3 -c 'import sys; a,b=map(float,sys.argv[1:]); print("%.3f" % (a/b) if b else "n/a")' "$1" "$2"; }

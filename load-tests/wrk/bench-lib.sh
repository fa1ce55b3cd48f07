# Shared by bench-coupon.sh and bench-order.sh (sourced, not run): prerequisites and the helpers that
# run wrk and read the "BENCH ..." lines its report scripts print. Callers set OUT_DIR, THREADS,
# CONNECTIONS, DURATION, WRK_TIMEOUT and keep failed checks in the array FAILURES.
#
# Each wrk run also records what the answers cost, when the service runs on this machine: the CPU time
# of the service's process (the one listening on BASE's port, or SERVICE_PID), of MariaDB/MySQL and Redis,
# and of the whole machine (/proc, Linux only), and, when redis-cli and the mysql client can reach them
# (REDIS_CLI, default `redis-cli -h 127.0.0.1 -p ${REDIS_PORT:-6379}`; MYSQL_CLI, default
# `mysql -uroot -h127.0.0.1`), the Redis commands and the MySQL statements and commits. `cost_row <run>`
# prints them per answer; whatever cannot be read is shown as n/a and never fails the benchmark.

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

# run_wrk <name> <url> <lua script> [script args...]: one bounded wrk run, output in $OUT_DIR/<name>.txt,
# what it cost in $OUT_DIR/<name>.cost-before / .cost-after
run_wrk() {
  local name="$1" url="$2" script="$3"
  shift 3
  log "wrk $name: -t$THREADS -c$CONNECTIONS -d${DURATION}s $url $*"
  cost_mark "$OUT_DIR/$name.cost-before"
  if ! timeout -k 5 $(( DURATION + 120 )) \
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout "${WRK_TIMEOUT}s" --latency \
      -s "$script" "$url" ${1+--} "$@" > "$OUT_DIR/$name.txt" 2>&1; then
    cat "$OUT_DIR/$name.txt" >&2
    echo "wrk $name failed" >&2
    exit 1
  fi
  cost_mark "$OUT_DIR/$name.cost-after"
}

# service_pid: the pid of the process listening on BASE's port on this machine, or nothing
service_pid() {
  if [[ -n "${SERVICE_PID:-}" ]]; then echo "$SERVICE_PID"; return; fi
  local port
  port="$(python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p.port or (443 if p.scheme == "https" else 80))' "$BASE")"
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true
}

# cost_mark <file>: "<what> <value>" lines: seconds since the epoch, CPU ticks (utime + stime) of the
# service, MariaDB/MySQL and Redis and of the whole machine (user + nice + system + irq + softirq),
# Redis's commands processed, MySQL's statements (Questions) and commits
cost_mark() {
  local file="$1" pid ticks
  {
    echo "time $(date +%s.%N)"
    echo "hz $(getconf CLK_TCK 2>/dev/null || echo 100)"
    for what in service mariadb redis; do
      case "$what" in
        service) pid="$(service_pid)" ;;
        mariadb) pid="$(pgrep -x mariadbd 2>/dev/null | head -n1 || pgrep -x mysqld 2>/dev/null | head -n1 || true)" ;;
        redis) pid="$(pgrep -x redis-server 2>/dev/null | head -n1 || true)" ;;
      esac
      if [[ -n "$pid" && -r "/proc/$pid/stat" ]]; then
        # fields after the command's closing parenthesis: utime and stime are the 12th and 13th
        ticks="$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')"
        echo "cpu_$what $ticks"
      fi
    done
    [[ -r /proc/stat ]] && awk '$1 == "cpu" { print "cpu_all", $2 + $3 + $4 + $7 + $8 }' /proc/stat
    ${REDIS_CLI:-redis-cli -h 127.0.0.1 -p "${REDIS_PORT:-6379}"} info stats 2>/dev/null \
      | tr -d '\r' | awk -F: '$1 == "total_commands_processed" { print "redis_commands", $2 }'
    ${MYSQL_CLI:-mysql -uroot -h127.0.0.1} -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_commit')" 2>/dev/null \
      | awk '$1 == "Questions" { print "mysql_statements", $2 } $1 == "Com_commit" { print "mysql_commits", $2 }'
  } > "$file" 2>/dev/null || true
}

# cost_row <run>: a line "cost <run> ...": what the run's answers cost each: CPU ms per answer and cores used per process, Redis
# commands, MySQL statements and commits per answer (counted over the whole wrk run, so the few requests
# wrk leaves unanswered at its stop are not in the divisor: a slight overstatement)
cost_row() {
  python3 - "$OUT_DIR/$1.cost-before" "$OUT_DIR/$1.cost-after" "$(metric "$1" requests)" "$1" <<'PY'
import sys
def read(path):
    try:
        return {k: float(v) for k, v in (line.split() for line in open(path) if len(line.split()) == 2)}
    except OSError:
        return {}
before, after, answers, name = read(sys.argv[1]), read(sys.argv[2]), float(sys.argv[3] or 0), sys.argv[4]
seconds = after.get("time", 0) - before.get("time", 0)
hz = before.get("hz", 100)
parts = []
for what in ("service", "mariadb", "redis", "all"):
    key = "cpu_" + what
    if key in before and key in after and answers > 0 and seconds > 0:
        cpu = (after[key] - before[key]) / hz
        parts.append("%s %.3f ms (%.2f cores)" % (what, 1000 * cpu / answers, cpu / seconds))
    else:
        parts.append("%s n/a" % what)
calls = []
for key, label in (("redis_commands", "redis commands"), ("mysql_statements", "mysql statements"), ("mysql_commits", "mysql commits")):
    if key in before and key in after and answers > 0:
        calls.append("%s %.1f" % (label, (after[key] - before[key]) / answers))
    else:
        calls.append("%s n/a" % label)
print("cost %-9s CPU per answer: %s | per answer: %s" % (name, ", ".join(parts), ", ".join(calls)))
PY
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

#!/usr/bin/env bash
# A local Redis Cluster of 3 masters and 3 replicas, for tests and benchmarks (docs/operations.md
# "Redis Cluster"): six redis-server processes on loopback, no Docker.
#
#   load-tests/redis-cluster/cluster.sh start|stop|status|flush [--base-port 7101] [--node-timeout 2000]
#
# Ports base..base+5 (cluster bus: +10000). Files (nodes.conf, logs, pids) under
# ${CLUSTER_DIR:-/tmp/flashsale-redis-cluster-<base>}. Nothing is persisted (no RDB, no AOF): like the
# compose Redis, a restarted node comes back empty and rejoins as it is told. `start` is idempotent (a
# cluster already up and ok is left alone, keys included) and bounded (fails after 30 s); `stop` kills only the
# pids it wrote; `status` prints `cluster info`'s state and the masters with their slots; `flush` empties
# every master (FLUSHALL): Redis caches one database, and keys another database left behind (a coupon
# event or a reservation record under the same id) would be taken for this one's (docs/redis.md).
#
# cluster-node-timeout 2000 ms: a master that stops answering is declared failed after 2 s, and its
# replica takes over about 0.5-1 s later (Redis's election delay), so a failover costs the clients that
# need its slots about 3 s. cluster-require-full-coverage no: while one master is down, the slots of the
# other two keep answering (with yes, the whole cluster refuses every command until the failover).
set -euo pipefail

command="${1:-}"
shift || true
BASE=7101
NODE_TIMEOUT=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --base-port) BASE="$2"; shift 2 ;;
    --node-timeout) NODE_TIMEOUT="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
DIR="${CLUSTER_DIR:-/tmp/flashsale-redis-cluster-${BASE}}"
PORTS=$(seq "$BASE" $((BASE + 5)))

log() { printf '[redis-cluster] %s\n' "$*"; }

cluster_ok() { # every node answers and says cluster_state:ok
  for port in $PORTS; do
    redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' || return 1
  done
}

nodes() { # the comma-separated node list for SPRING_DATA_REDIS_CLUSTER_NODES
  local out=""
  for port in $PORTS; do out="${out:+$out,}127.0.0.1:${port}"; done
  echo "$out"
}

start() {
  if cluster_ok; then log "cluster on ${BASE}-$((BASE + 5)) is up and ok"; echo "$(nodes)"; return 0; fi
  mkdir -p "$DIR"
  for port in $PORTS; do
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then continue; fi
    # a node of an existing cluster restarts with its nodes.conf and rejoins (a killed master as a replica)
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
      --dir "$DIR" --cluster-enabled yes --cluster-config-file "nodes-${port}.conf" \
      --cluster-node-timeout "$NODE_TIMEOUT" --cluster-require-full-coverage no \
      --cluster-replica-validity-factor 0 \
      --pidfile "$DIR/redis-${port}.pid" --logfile "$DIR/redis-${port}.log"
  done
  for _ in $(seq 1 50); do
    up=0
    for port in $PORTS; do redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && up=$((up + 1)); done
    [ "$up" = 6 ] && break
    sleep 0.2
  done
  [ "$up" = 6 ] || { log "only ${up} of 6 nodes answer"; exit 1; }
  if redis-cli -h 127.0.0.1 -p "$BASE" cluster info | grep -q 'cluster_slots_assigned:16384'; then
    for _ in $(seq 1 150); do
      if cluster_ok; then log "cluster on ${BASE}-$((BASE + 5)) is ok again"; echo "$(nodes)"; return 0; fi
      sleep 0.2
    done
    log "the restarted nodes did not rejoin in 30 s"; exit 1
  fi
  # a node that already knows others (a half-made cluster) is reset so that create starts clean
  for port in $PORTS; do
    known=$(redis-cli -h 127.0.0.1 -p "$port" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p')
    if [ "${known:-1}" != 1 ]; then
      redis-cli -h 127.0.0.1 -p "$port" flushall >/dev/null
      redis-cli -h 127.0.0.1 -p "$port" cluster reset hard >/dev/null
    fi
  done
  local args=()
  for port in $PORTS; do args+=("127.0.0.1:${port}"); done
  redis-cli --cluster create "${args[@]}" --cluster-replicas 1 --cluster-yes > "$DIR/create.log" 2>&1 \
    || { log "cluster create failed"; cat "$DIR/create.log"; exit 1; }
  for _ in $(seq 1 150); do
    if cluster_ok; then log "cluster on ${BASE}-$((BASE + 5)) is ok (node timeout ${NODE_TIMEOUT} ms)"; echo "$(nodes)"; return 0; fi
    sleep 0.2
  done
  log "cluster did not reach cluster_state:ok in 30 s"; exit 1
}

stop() {
  for port in $PORTS; do
    pidfile="$DIR/redis-${port}.pid"
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
    rm -f "$DIR/nodes-${port}.conf"
  done
  log "cluster on ${BASE}-$((BASE + 5)) stopped"
}

status() {
  for port in $PORTS; do
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
      state=$(redis-cli -h 127.0.0.1 -p "$port" cluster info | tr -d '\r' | sed -n 's/^cluster_state://p')
      role=$(redis-cli -h 127.0.0.1 -p "$port" role | head -1)
      echo "127.0.0.1:${port} ${role} cluster_state:${state}"
    else
      echo "127.0.0.1:${port} down"
    fi
  done
  cluster_ok
}

flush() {
  for port in $PORTS; do
    if redis-cli -h 127.0.0.1 -p "$port" role 2>/dev/null | head -1 | grep -q master; then
      redis-cli -h 127.0.0.1 -p "$port" flushall >/dev/null
    fi
  done
  log "cluster on ${BASE}-$((BASE + 5)) flushed"
}

case "$command" in
  start) start ;;
  flush) flush ;;
  stop) stop ;;
  status) status ;;
  nodes) nodes ;;
  *) echo "usage: $0 start|stop|status|flush|nodes [--base-port 7101] [--node-timeout 2000]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The chaos suite: faults injected into the packaged service mid-rush, each scenario judged against the
# invariants at fault entry, during the fault, after recovery and after one reconciliation
# (load-tests/chaos/README.md).
#
#   ./mvnw -B -q package -DskipTests && load-tests/chaos/run.sh            # every scenario (full mode)
#   load-tests/chaos/run.sh --short                                        # the CI subset, <= 5 min
#   load-tests/chaos/run.sh --only=redis-kill,db-cut                       # some scenarios
#   load-tests/chaos/run.sh --list                                         # what there is
#   load-tests/chaos/run.sh --short --cluster [--cluster-untuned]          # a Redis Cluster master killed (own cluster, 7101-7106)
#
# Needs a JDK 17+, redis-server, the mariadb (or mysql) client and a MariaDB/MySQL on DB_HOST:DB_PORT
# (default 127.0.0.1:3306, root). Starts its own Redis (CHAOS_REDIS_PORT, 6385), service(s), data platform
# stub and database proxy (CHAOS_PORT_BASE, 18100-18103) and drops and recreates its own database
# (CHAOS_DB_NAME, flashsale_chaos). Loopback only. Exits 1 on any invariant breach (--report-only: 0),
# 2 when it cannot set up. Bounded: every scenario has a deadline, a watchdog ends the run, and this
# script's timeout is the last resort.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

for tool in java redis-server; do
  command -v "$tool" >/dev/null || { echo "chaos: $tool is missing (apt-get install redis-server / a JDK 17+)" >&2; exit 2; }
done
command -v mariadb >/dev/null || command -v mysql >/dev/null \
  || { echo "chaos: the mariadb or mysql client is missing (apt-get install mariadb-client)" >&2; exit 2; }

LIMIT=4200
for arg in "$@"; do [[ "$arg" == "--short" ]] && LIMIT=1800; done
exec timeout -k 15 "$LIMIT" java "$HERE/Chaos.java" --root="$ROOT" "$@"

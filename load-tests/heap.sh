# Sourced by the memory benchmarks (streams/bench-streams.sh, waitingroom/bench-room-memory.sh,
# console/bench-console.sh), not run.
#
# heap_used_kb <pid>: the Java heap in use after a forced full GC, in KiB, read with jcmd (any JDK). Reads
# both forms of GC.heap_info's first line: "total 446464K, used 224486K" (JDK 17) and "total reserved
# 6172672K, committed 446464K, used 224486K" (JDK 25, what bin/flashsale runs on).
heap_used_kb() {
  jcmd "$1" GC.run >/dev/null
  sleep 1
  jcmd "$1" GC.heap_info | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -n1
}

#!/usr/bin/env bash
# What a user meets on this machine, side by side in one run with a single Redis that
# fsyncs every write (redis-server --appendonly yes --appendfsync always): start-up and
# cluster formation, the first 10 s of writes on a fresh cluster (cold), writes and reads
# after a warm-up, 500 clients, a lone client, the first 10 s after the leader is killed,
# server CPU per write and per log entry, and memory per node (Redis's own and the JVM's).
# The 3 nodes, their JVMs and redis-benchmark share the machine's cores.
#   bench/throughput.sh                  (about 6 minutes)
#   REQUESTS=100000 bench/throughput.sh  shorter warm runs
#   COMPARE_MODULE=/path/to/redisraft.so bench/throughput.sh
#       also measures another Raft module the same way (e.g. RedisRaft, the C module)
#   RAFT_ARGS="--raft.log-fsync no" bench/throughput.sh   extra arguments for every node
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build.sh" > /dev/null

N=${REQUESTS:-200000}
COLD_SECONDS=10
read -r -a RAFT_EXTRA <<< "${RAFT_ARGS:-}"
TICK_US=$((1000000 / $(getconf CLK_TCK)))
declare -A R   # R[<target>/<figure>] = value
TARGETS=()

# bench <port> <test> <clients> <pipeline> <requests>: prints "ops/s p50 p99" (ms).
bench() {
  redis-benchmark -p "$1" -t "$2" -c "$3" -P "$4" -n "$5" -d 64 -r 100000 --csv | tail -1 | tr -d '"' \
    | awk -F, '{printf "%d %.2f %.2f", $2, $5, $7}'
}

# load_for <port> <seconds>: SET with 50 clients for that long; prints "ops/s avg_ms", the
# running totals redis-benchmark shows when it is stopped (it prints no percentiles then).
load_for() {
  local line
  line=$(timeout -s INT "$2" redis-benchmark -p "$1" -t set -c 50 -n 2000000000 -d 64 -r 100000 2>/dev/null \
    | tr '\r' '\n' | grep overall | tail -1 || true)
  # SET: rps=2864.5 (overall: 1952.4) avg_msec=17.811 (overall: 25.071)
  sed -E 's/.*\(overall: ([0-9.]+)\).*\(overall: ([0-9.]+)\).*/\1 \2/' <<< "$line" | awk '{printf "%d %.2f", $1, $2}'
}

# cpu_ticks <pid...>: user+system clock ticks of those processes so far (all threads).
cpu_ticks() {
  local sum=0 pid
  for pid in "$@"; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo $sum
}

# info_num <port> <section> <field>: a numeric INFO field ("-" if absent).
info_num() {
  local v
  v=$(info_value "$@")
  echo "${v:--}"
}

mb() { [[ $1 == - ]] && echo - || echo $(($1 / 1048576)); }

# warm <target> <port> <pids...>: the measured runs after a warm-up; SET P1 also
# records server CPU per SET and, for a Raft cluster, per log entry and commands per entry.
warm() {
  local t=$1 port=$2; shift 2
  local i0 i1 c0 c1 s0 s1
  for _ in 1 2 3; do bench "$port" set 50 1 "$N" > /dev/null; done
  bench "$port" get 50 1 "$N" > /dev/null
  i0=$(info_num "$port" raft raft_current_index); c0=$(cpu_ticks "$@"); s0=$(awk '/^ctxt/ {print $2}' /proc/stat)
  R[$t/set]=$(bench "$port" set 50 1 "$N")
  i1=$(info_num "$port" raft raft_current_index); c1=$(cpu_ticks "$@"); s1=$(awk '/^ctxt/ {print $2}' /proc/stat)
  R[$t/cpu_per_set_us]=$(( (c1 - c0) * TICK_US / N ))
  if [[ $i0 != - ]]; then
    local entries=$((i1 - i0))
    R[$t/cmds_per_entry]=$(echo "$N / $entries" | bc -l | xargs printf '%.1f')
    R[$t/cpu_per_entry_ms]=$(echo "($c1 - $c0) * $TICK_US / $entries / 1000" | bc -l | xargs printf '%.2f')
    R[$t/switches_per_entry]=$(( (s1 - s0) / entries ))
  fi
  R[$t/set_p16]=$(bench "$port" set 50 16 $((N * 2)))
  R[$t/get]=$(bench "$port" get 50 1 $((N * 2)))
  R[$t/get_p16]=$(bench "$port" get 50 16 $((N * 4)))
  R[$t/set_500]=$(bench "$port" set 500 1 "$N")
  R[$t/set_lone]=$(bench "$port" set 1 1 $((N / 40)))
}

# memory <target> <port...>: per node "RSS/Redis used_memory/JVM heap used/JVM heap committed/JVM non-heap/direct" in MB.
memory() {
  local t=$1 port line=""; shift
  for port in "$@"; do
    line+="$(rss_mb "$port")/$(mb "$(info_num "$port" memory used_memory)")/$(mb "$(info_num "$port" raft raft_jvm_heap_used)")"
    line+="/$(mb "$(info_num "$port" raft raft_jvm_heap_committed)")/$(mb "$(info_num "$port" raft raft_jvm_nonheap_committed)")"
    line+="/$(mb "$(info_num "$port" raft raft_jvm_direct_buffers)") "
  done
  R[$t/memory]=$line
}

measure_reference() {
  local t="redis appendfsync=always" port=7701
  TARGETS+=("$t")
  local t0; t0=$(now_ms)
  start_redis reference "$port" --appendonly yes --appendfsync always
  R[$t/start_ms]=$(( $(now_ms) - t0 ))
  R[$t/cold]=$(load_for "$port" $COLD_SECONDS)
  warm "$t" "$port" "$(server_pid "$port")"
  memory "$t" "$port"
  stop_all
}

# measure_cluster <target> <base port> <module>
measure_cluster() {
  local t=$1 base=$2 module=$3 i t0 start=""
  TARGETS+=("$t")
  for i in 1 2 3; do
    t0=$(now_ms)
    start_redis "$(basename "$module" .so)-node$i" $((base + i)) --loadmodule "$module" \
      --raft.addr "127.0.0.1:$((base + i))" "${RAFT_EXTRA[@]}"
    start+="$(( $(now_ms) - t0 )) "
  done
  R[$t/start_ms]=$start
  t0=$(now_ms)
  redis-cli -p $((base + 1)) RAFT.CLUSTER INIT > /dev/null
  redis-cli -p $((base + 2)) RAFT.CLUSTER JOIN "127.0.0.1:$((base + 1))" > /dev/null
  redis-cli -p $((base + 3)) RAFT.CLUSTER JOIN "127.0.0.1:$((base + 1))" > /dev/null
  wait_voters "$base"
  local leader; leader=$(leader_port "$base")
  for _ in $(seq 500); do [[ $(redis-cli -p "$leader" SET formed yes 2>/dev/null) == OK ]] && break; sleep 0.01; done
  R[$t/formation_ms]=$(( $(now_ms) - t0 ))

  R[$t/cold]=$(load_for "$leader" $COLD_SECONDS)
  warm "$t" "$leader" "$(server_pid $((base + 1)))" "$(server_pid $((base + 2)))" "$(server_pid $((base + 3)))"
  memory "$t" $((base + 1)) $((base + 2)) $((base + 3))

  # Failover: the leader is killed; writes go to the new leader as soon as there is one.
  local pid others=() p
  pid=$(server_pid "$leader")
  for i in 1 2 3; do p=$((base + i)); [[ $p != "$leader" ]] && others+=("$p"); done
  t0=$(now_ms)
  kill -9 "$pid"
  local next=""
  while [[ -z $next ]]; do
    for p in "${others[@]}"; do [[ $(info_field "$p" raft_role) == leader ]] && next=$p; done
    (( $(now_ms) - t0 > 30000 )) && { echo "no new leader within 30 s" >&2; exit 1; }
    [[ -z $next ]] && sleep 0.02
  done
  for _ in $(seq 1000); do [[ $(redis-cli -p "$next" SET failover yes 2>/dev/null) == OK ]] && break; sleep 0.01; done
  R[$t/failover_ms]=$(( $(now_ms) - t0 ))
  R[$t/after_failover]=$(load_for "$next" $COLD_SECONDS)
  stop_all
}

echo "measuring: reference" >&2
measure_reference
echo "measuring: redisraft-java" >&2
measure_cluster "redisraft-java" 7710 "$MODULE"
if [[ -n ${COMPARE_MODULE:-} ]]; then
  echo "measuring: $COMPARE_MODULE" >&2
  measure_cluster "$(basename "$COMPARE_MODULE")" 7720 "$COMPARE_MODULE"
fi

REF=${TARGETS[0]}
ratio() { [[ $1 == - || $2 == - ]] && echo - || echo "$1 / $2" | bc -l | xargs printf '%.2fx'; }
field() { local v=${R[$1]:-}; [[ -z $v ]] && echo - || awk -v i="$2" '{print $i}' <<< "$v"; }

echo
echo "throughput (ops/s, ratio to the reference) and latency (ms); 50 clients, 64-byte values unless said"
printf "%-46s" "case"; for t in "${TARGETS[@]}"; do printf " | %-30s" "$t"; done; echo
row() { # row <label> <key> <latency: p|avg> [the reference's key, if not the same]
  printf "%-46s" "$1"
  for t in "${TARGETS[@]}"; do
    local ops; ops=$(field "$t/$2" 1)
    local cell="$ops ($(ratio "$ops" "$(field "$REF/${4:-$2}" 1)"))"
    case $3 in
      p) cell+=" p50 $(field "$t/$2" 2) p99 $(field "$t/$2" 3)" ;;
      avg) cell+=" avg $(field "$t/$2" 2)" ;;
    esac
    printf " | %-30s" "$cell"
  done
  echo
}
row "SET, first ${COLD_SECONDS} s on a fresh cluster (cold)" cold avg
row "SET, warm" set p
row "SET, pipeline 16, warm" set_p16 p
row "SET, 500 clients" set_500 p
row "SET, a lone client" set_lone p
row "GET, warm" get p
row "GET, pipeline 16" get_p16 p
# The reference has no failover: its own first seconds of writes are what it is compared with.
row "SET, first ${COLD_SECONDS} s after the leader is killed" after_failover avg cold
echo
other() { # other <label> <key>
  printf "%-46s" "$1"; for t in "${TARGETS[@]}"; do printf " | %-30s" "${R[$t/$2]:--}"; done; echo
}
other "server CPU per SET, all nodes (us)" cpu_per_set_us
other "server CPU per log entry, all nodes (ms)" cpu_per_entry_ms
other "commands per log entry" cmds_per_entry
other "context switches per entry (whole box)" switches_per_entry
other "start until PONG, per node (ms)" start_ms
other "INIT + 2 JOINs until a write succeeds (ms)" formation_ms
other "leader killed until a write succeeds (ms)" failover_ms
echo
echo "memory per node after the runs above, MB: RSS/Redis used_memory/JVM heap used/heap committed/non-heap/direct buffers"
for t in "${TARGETS[@]}"; do printf "  %-30s %s\n" "$t" "${R[$t/memory]:--}"; done

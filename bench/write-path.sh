#!/usr/bin/env bash
# Where the CPU of a replicated write goes: SET load with 50 clients on a fresh 3-node
# cluster (cold: the first seconds of load), then after a warm-up with 50 clients and with
# one client; for the leader and one follower the CPU time of each group of threads (Redis
# main thread, Ratis and Netty threads, JIT compilers, GC, ...) per committed log entry,
# from /proc/<pid>/task/*/stat, and the SETs each entry carried.
#   bench/write-path.sh                 (about 4 minutes)
#   RAFT_ARGS="--raft.jvm-options ..." bench/write-path.sh   extra arguments for every node
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build.sh" > /dev/null
read -r -a RAFT_EXTRA <<< "${RAFT_ARGS:-}"
TICK_US=$((1000000 / $(getconf CLK_TCK)))
WINDOW=${WINDOW:-8}

# thread_ticks <pid>: "<thread id> <thread group> <ticks>" per thread, sorted by id; trailing
# digits and pool numbers are dropped from thread names so that pools add up.
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' < "$t/comm" 2> /dev/null | sed -E 's/[-_#]?[0-9]+([-_][0-9]+)*$//')" \
      "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)"
  done | LC_ALL=C sort
}

# sets_applied <port>: SETs that server has executed (commandstats).
sets_applied() {
  redis-cli -p "$1" INFO commandstats | tr -d '\r' | awk -F'[=,:]' '$1 == "cmdstat_set" {print $3}'
}

# profile <label> <clients> <seconds of load before the window>
profile() {
  local label=$1 clients=$2 lead_in=$3 leader_pid follower_pid i0 i1 s0 s1
  leader_pid=$(server_pid "$leader"); follower_pid=$(server_pid "$follower")
  redis-benchmark -p "$leader" -t set -n 100000000 -c "$clients" -d 64 -r 100000 -q > /dev/null &
  local load=$!
  sleep "$lead_in"
  i0=$(info_field "$leader" raft_current_index); s0=$(sets_applied "$follower")
  thread_ticks "$leader_pid" > "$SCRATCH/l0"; thread_ticks "$follower_pid" > "$SCRATCH/f0"
  sleep "$WINDOW"
  i1=$(info_field "$leader" raft_current_index); s1=$(sets_applied "$follower")
  thread_ticks "$leader_pid" > "$SCRATCH/l1"; thread_ticks "$follower_pid" > "$SCRATCH/f1"
  kill "$load" 2>/dev/null || true; wait "$load" 2>/dev/null || true
  local entries=$((i1 - i0))
  (( entries > 0 )) || { echo "$label: no entry committed in ${WINDOW} s" >&2; return; }
  echo
  echo "$label: $entries entries ($(( (s1 - s0) / WINDOW )) SET/s, $(( (s1 - s0) / entries )) per entry) in ${WINDOW} s;"
  echo "  CPU per entry (µs) by thread group"
  for role in l f; do
    [[ $role == l ]] && echo "  leader:" || echo "  follower:"
    # Per thread, then by group: threads started during the window count from zero (the
    # ticks of one that ended in it are lost: /proc no longer shows them).
    LC_ALL=C join -a 2 -e 0 -o 0,2.2,1.3,2.3 "$SCRATCH/${role}0" "$SCRATCH/${role}1" \
      | awk -v e="$entries" -v us="$TICK_US" '{g[$2] += ($4 - $3) * us / e}
          END {for (k in g) {t += g[k]; if (g[k] > 0) printf "    %-28s %8.0f\n", k, g[k]}; printf "    %-28s %8.0f\n", "total", t}' \
      | sort -k2 -rn
  done
}

start_cluster 7410 "${RAFT_EXTRA[@]}"
leader=$(leader_port 7410)
follower=$((leader == 7411 ? 7412 : 7411))
# Cold: the window opens as soon as the load starts on the fresh cluster.
profile "cold, 50 clients, first ${WINDOW} s of load" 50 0
for _ in 1 2 3; do redis-benchmark -p "$leader" -t set -n 200000 -c 50 -d 64 -r 100000 -q > /dev/null; done
profile "warm, 50 clients" 50 2
profile "warm, 1 client" 1 2

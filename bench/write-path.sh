#!/usr/bin/env bash
# What one replicated write costs the machine: SET throughput with one client and with
# 50, how many commands share a log entry, and per log entry the CPU time and context
# switches of the whole box (3 nodes, their JVMs, redis-benchmark), from /proc/stat.
#   bench/write-path.sh      (about 2 minutes)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build.sh" > /dev/null

TICK_US=$((1000000 / $(getconf CLK_TCK)))
cpu_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }
switches() { awk '/^ctxt/ {print $2}' /proc/stat; }

# measure <label> <port> <clients> <requests>
measure() {
  local label=$1 port=$2 clients=$3 n=$4
  local i0 b0 idle0 c0 i1 b1 idle1 c1 ops entries
  i0=$(info_field "$port" raft_current_index); read -r b0 idle0 < <(cpu_ticks); c0=$(switches)
  ops=$(redis-benchmark -p "$port" -t set -n "$n" -c "$clients" -d 64 -r 100000 --csv | tail -1 | tr -d '"' | cut -d, -f2)
  i1=$(info_field "$port" raft_current_index); read -r b1 idle1 < <(cpu_ticks); c1=$(switches)
  entries=$((i1 - i0))
  printf "%-12s %9.0f SET/s  %5.1f commands/entry  %5.2f ms CPU/entry  %4d switches/entry  box %2d%% busy\n" \
    "$label" "$ops" "$(echo "$n / $entries" | bc -l)" "$(echo "($b1 - $b0) * $TICK_US / $entries / 1000" | bc -l)" \
    $(((c1 - c0) / entries)) $((100 * (b1 - b0) / (b1 - b0 + idle1 - idle0)))
}

start_cluster 7410
leader=$(leader_port 7410)
# The JVMs compile Ratis's hot paths first.
for _ in 1 2 3; do redis-benchmark -p "$leader" -t set -n 200000 -c 50 -d 64 -r 100000 -q > /dev/null; done
measure "1 client" "$leader" 1 10000
measure "50 clients" "$leader" 50 200000

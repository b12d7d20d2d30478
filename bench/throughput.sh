#!/usr/bin/env bash
# Throughput and latency of a local 3-node cluster against a single Redis with
# appendfsync always, measured in the same run on the same machine (the 3 nodes,
# their JVMs and redis-benchmark share its cores).
#   bench/throughput.sh            full run (about 5 minutes)
#   REQUESTS=50000 bench/throughput.sh   shorter
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build.sh" > /dev/null

N=${REQUESTS:-200000}
CLIENTS=50
declare -A RESULT

# run <label> <port> <test> <pipeline> [requests]: stores "ops p50 p99".
run() {
  local label=$1 port=$2 test=$3 pipeline=$4 n=${5:-$N}
  local line
  line=$(redis-benchmark -p "$port" -t "$test" -n "$n" -c $CLIENTS -P "$pipeline" -d 64 -r 100000 -q --csv | tail -1)
  # "test","rps","avg","min","p50","p95","p99","max"
  RESULT[$label]=$(echo "$line" | tr -d '"' | awk -F, '{printf "%d %.2f %.2f", $2, $5, $7}')
}

# The JVMs compile Ratis's hot paths for a minute or so: measure after that.
warm_up() {
  local rounds=${2:-1}
  for _ in $(seq "$rounds"); do
    redis-benchmark -p "$1" -t set -n "$N" -c $CLIENTS -d 64 -r 100000 -q > /dev/null
    redis-benchmark -p "$1" -t get -n "$N" -c $CLIENTS -d 64 -r 100000 -q > /dev/null
  done
}

measure() {
  local prefix=$1 port=$2
  run "$prefix SET P1" "$port" set 1
  run "$prefix SET P16" "$port" set 16 $((N * 2))
  run "$prefix GET P1" "$port" get 1 $((N * 2))
  run "$prefix GET P16" "$port" get 16 $((N * 4))
}

echo "reference: redis-server --appendonly yes --appendfsync always"
start_redis reference 7300 --appendonly yes --appendfsync always
warm_up 7300
measure reference 7300
stop_all

MEM=()
for fsync in yes no; do
  echo "raft: 3 nodes, raft.log-fsync $fsync"
  start_cluster 7310 --raft.log-fsync "$fsync"
  leader=$(leader_port 7310)
  warm_up "$leader" 4
  measure "fsync-$fsync" "$leader"
  MEM+=("fsync $fsync: $(redis-cli -p "$leader" DBSIZE) keys, RSS MB per node: $(rss_mb 7311) $(rss_mb 7312) $(rss_mb 7313), Redis used_memory $(redis-cli -p "$leader" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory_human" {print $2}')")
  stop_all
done

echo
printf "%-24s %10s %9s %9s %8s\n" case ops/s p50_ms p99_ms ratio
for c in "SET P1" "SET P16" "GET P1" "GET P16"; do
  read -r ref_ops ref_p50 ref_p99 <<< "${RESULT[reference $c]}"
  printf "%-24s %10s %9s %9s %8s\n" "reference $c" "$ref_ops" "$ref_p50" "$ref_p99" "1.00"
  for fsync in yes no; do
    read -r ops p50 p99 <<< "${RESULT[fsync-$fsync $c]}"
    printf "%-24s %10s %9s %9s %8.2f\n" "raft fsync=$fsync $c" "$ops" "$p50" "$p99" "$(echo "$ops / $ref_ops" | bc -l)"
  done
done
echo
printf '%s\n' "${MEM[@]}"

#!/usr/bin/env bash
# Sharding on this machine: aggregate SET/s of 1, 2 and 3 shard groups of 3 nodes
# (redis-benchmark --cluster, which sends each key to the group that serves its slot),
# side by side with a single Redis that fsyncs every write, measured in the same run; then
# how long moving 1,000 slots holding 100,000 keys between two groups takes
# (RAFT.SHARDGROUP MIGRATE), and what clients get meanwhile. Every node, every JVM and
# redis-benchmark share the machine's cores: with 2 cores, more groups add Raft work
# without adding CPU, so do not expect the linear growth separate machines would give.
#   bench/sharding.sh                 (about 6 minutes)
#   REQUESTS=50000 bench/sharding.sh  shorter runs
#   MOVE_ONLY=1 bench/sharding.sh     the move alone
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build.sh" > /dev/null

N=${REQUESTS:-200000}
MOVE_SLOTS=1000
KEYS_PER_SLOT=100

# bench_set <port> [--cluster] <requests>: prints "ops/s p50 p99" (ms) of SET, 50 clients, 64-byte values.
bench_set() {
  local port=$1; shift
  local cluster=()
  if [[ $1 == --cluster ]]; then cluster=(--cluster); shift; fi
  redis-benchmark "${cluster[@]}" -p "$port" -t set -c 50 -n "$1" -d 64 -r 100000 --csv 2>/dev/null | tail -1 \
    | tr -d '"' | awk -F, '{printf "%d %.2f %.2f", $2, $5, $7}'
}

# groups <count>: that many linked groups of 3 nodes (base ports 7100, 7200, ...), the slots split evenly.
start_groups() {
  local count=$1 g per=$((16384 / $1))
  for g in $(seq "$count"); do
    local first=$(((g - 1) * per)) last=$((g * per - 1))
    [[ $g == "$count" ]] && last=16383
    start_cluster $((7000 + 100 * g)) --raft.sharding yes --raft.slot-config "$first:$last"
  done
  for g in $(seq "$count"); do
    for o in $(seq "$count"); do
      [[ $g == "$o" ]] && continue
      local reply
      reply=$(redis-cli -p "$(leader_port $((7000 + 100 * g)))" RAFT.SHARDGROUP LINK "127.0.0.1:$(leader_port $((7000 + 100 * o)))")
      [[ $reply == OK ]] || { echo "linking group $g to $o: $reply" >&2; exit 1; }
    done
  done
}

if [[ -z ${MOVE_ONLY:-} ]]; then
echo "== reference: one redis-server --appendonly yes --appendfsync always"
start_redis reference 7001 --appendonly yes --appendfsync always
bench_set 7001 $((N / 4)) > /dev/null
read -r ref_ops ref_p50 ref_p99 <<< "$(bench_set 7001 "$N")"
stop_all
printf "%-28s %10s %8s %8s %8s\n" "" "SET/s" "x ref" "p50 ms" "p99 ms"
printf "%-28s %10d %8s %8.2f %8.2f\n" "reference (1 Redis, fsync)" "$ref_ops" "1.00" "$ref_p50" "$ref_p99"

for count in 1 2 3; do
  start_groups "$count"
  port=$(leader_port 7100)
  # redis-benchmark --cluster needs two masters or more; one group is its leader alone.
  mode=--cluster
  [[ $count == 1 ]] && mode=
  bench_set "$port" $mode $((N / 4)) > /dev/null   # warm-up: the JVMs compile the hot paths
  read -r ops p50 p99 <<< "$(bench_set "$port" $mode "$N")"
  printf "%-28s %10d %8.2f %8.2f %8.2f\n" "$count group(s) x 3 nodes" "$ops" "$(awk -v a="$ops" -v b="$ref_ops" 'BEGIN {print a / b}')" "$p50" "$p99"
  stop_all
done
fi

echo
echo "== moving $MOVE_SLOTS slots with $((MOVE_SLOTS * KEYS_PER_SLOT)) keys from group 1 to group 2"
start_groups 2
src=$(leader_port 7100)
dst=$(leader_port 7200)
# A hash tag for each slot of 0..MOVE_SLOTS-1, found among candidates with CLUSTER KEYSLOT.
declare -A TAG
while read -r t slot; do
  (( slot < MOVE_SLOTS )) && [[ -z ${TAG[$slot]:-} ]] && TAG[$slot]=$t
done < <(paste -d' ' <(seq 0 199999 | sed 's/^/t/') \
  <(seq 0 199999 | sed 's/^/CLUSTER KEYSLOT t/' | redis-cli -p "$src"))
slots=${#TAG[@]}
value=$(head -c 64 /dev/zero | tr '\0' v)
for slot in "${!TAG[@]}"; do
  t=${TAG[$slot]}
  line="MSET"
  for i in $(seq 0 $((KEYS_PER_SLOT - 1))); do line="$line {$t}:$i $value"; done
  echo "$line"
done | redis-cli -p "$src" > /dev/null
before=$(redis-cli -p "$src" DBSIZE)
echo "loaded $before keys in $slots slots of 0-$((MOVE_SLOTS - 1)) (slots without a tag among the candidates stay empty)"
# Clients keep writing (all slots) while the move runs; what they get is measured alongside.
redis-benchmark --cluster -p "$dst" -t set -c 20 -n 2000000000 -d 64 -r 100000 > "$SCRATCH/during-move" 2>/dev/null &
load=$!
sleep 2
t0=$(now_ms)
reply=$(redis-cli -p "$src" RAFT.SHARDGROUP MIGRATE 0 $((MOVE_SLOTS - 1)) "127.0.0.1:$dst")
t1=$(now_ms)
kill "$load" 2>/dev/null || true   # (a background job ignores SIGINT)
wait "$load" 2>/dev/null || true
# The source's log names the keys it moved (those loaded, and those the clients added meanwhile).
moved=$(grep -h "moved slots 0-$((MOVE_SLOTS - 1))" "$SCRATCH"/cluster*/redis.log | tail -1 | sed -E 's/.*\(([0-9]+) keys\).*/\1/')
echo "RAFT.SHARDGROUP MIGRATE 0 $((MOVE_SLOTS - 1)): $reply in $((t1 - t0)) ms; ${moved:-?} keys moved ($(( ${moved:-0} * 1000 / (t1 - t0 + 1) )) keys/s)"
echo "clients writing meanwhile (20, redis-benchmark --cluster): $(tr '\r' '\n' < "$SCRATCH/during-move" | grep overall \
  | tail -1 | sed -E 's/.*\(overall: ([0-9.]+)\).*\(overall: ([0-9.]+)\).*/\1 SET\/s, avg \2 ms/')"
stop_all

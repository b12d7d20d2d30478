#!/usr/bin/env bash
# Snapshot figures with 1M keys (64-byte values): time to take a snapshot, the longest
# client stall while it is taken, its size against Redis's own RDB of the same data,
# time for a new node to join and catch up, and time for a killed follower to restart
# and catch up.   bench/snapshot.sh   (KEYS=200000 for a shorter run)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build.sh" > /dev/null

KEYS=${KEYS:-1000000}
FILL='for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do redis.call("SET", "key:" .. i, string.rep("x", 64)) end return 1'

fill() {
  local port=$1 step=10000
  for ((first = 0; first < KEYS; first += step)); do
    redis-cli -p "$port" EVAL "$FILL" 0 "$first" $((first + step - 1 < KEYS - 1 ? first + step - 1 : KEYS - 1)) > /dev/null
  done
}

# wait_caught_up <port> <leader port>: until the node applied what the leader committed.
wait_caught_up() {
  local commit
  commit=$(info_field "$2" raft_commit_index)
  for _ in $(seq 6000); do
    local applied
    applied=$(info_field "$1" raft_last_applied_index 2>/dev/null || echo 0)
    [[ -n $applied && $applied -ge $commit ]] && return
    sleep 0.01
  done
  echo "node on $1 did not catch up" >&2; exit 1
}

echo "reference: plain redis-server, $KEYS keys, SAVE"
start_redis reference 7500
fill 7500
redis-cli -p 7500 SAVE > /dev/null
REF_SIZE=$(stat -c %s "$SCRATCH/reference/dump.rdb")
stop_all

echo "raft: 3 nodes, $KEYS keys"
start_cluster 7510
leader=$(leader_port 7510)
fill "$leader"
for p in 7511 7512 7513; do wait_caught_up "$p" "$leader"; done

# Client latency without and with a snapshot being taken (reads hit the main thread only).
BASE=$(redis-benchmark -p "$leader" -t get -n 200000 -c 10 -r "$KEYS" -q --csv | tail -1 | tr -d '"' | awk -F, '{print $7, $8}')
redis-benchmark -p "$leader" -t get -n 400000 -c 10 -r "$KEYS" -q --csv | tail -1 | tr -d '"' > "$SCRATCH/during.csv" &
bench=$!
sleep 1
t0=$(now_ms)
redis-cli -p "$leader" RAFT.DEBUG COMPACT > /dev/null
SNAP_MS=$(( $(now_ms) - t0 ))
# The snapshot must have been taken while the load ran, or "max" says nothing about it.
kill -0 $bench 2>/dev/null || { echo "redis-benchmark ended before the snapshot did: raise its -n" >&2; exit 1; }
wait $bench
DURING=$(awk -F, '{print $7, $8}' "$SCRATCH/during.csv")
SNAP_SIZE=$(info_field "$leader" raft_snapshot_size)
FORK_USEC=$(redis-cli -p "$leader" INFO stats | tr -d '\r' | awk -F: '$1 == "latest_fork_usec" {print $2}')

# A new node joins: it gets the snapshot, then the log tail.
start_redis node4 7514 --loadmodule "$MODULE" --raft.addr 127.0.0.1:7514
t0=$(now_ms)
redis-cli -p 7514 RAFT.CLUSTER JOIN "127.0.0.1:$leader" > /dev/null
wait_caught_up 7514 "$leader"
JOIN_MS=$(( $(now_ms) - t0 ))

# A follower is killed and restarted: it loads its RDB, replays the tail, rejoins.
follower=7511; [[ $leader == 7511 ]] && follower=7512
fpid=$(redis-cli -p "$follower" INFO server | tr -d '\r' | awk -F: '$1 == "process_id" {print $2}')
redis-cli -p "$follower" RAFT.DEBUG COMPACT > /dev/null
kill -9 "$fpid"
redis-benchmark -p "$leader" -t set -n 20000 -c 20 -r "$KEYS" -d 64 -q > /dev/null
t0=$(now_ms)
redis-server --port "$follower" --bind 127.0.0.1 --dir "$SCRATCH/cluster1-node$((follower - 7510))" \
  --logfile "$SCRATCH/cluster1-node$((follower - 7510))/redis.log" --save "" --loadmodule "$MODULE" \
  --raft.addr "127.0.0.1:$follower" > /dev/null 2>&1 &
PIDS+=($!)
disown $!
until redis-cli -p "$follower" PING 2>/dev/null | grep -q PONG; do sleep 0.01; done
UP_MS=$(( $(now_ms) - t0 ))
wait_caught_up "$follower" "$leader"
RESTART_MS=$(( $(now_ms) - t0 ))

echo
printf "%-52s %s\n" "keys" "$KEYS"
printf "%-52s %s ms\n" "take a snapshot (RAFT.DEBUG COMPACT on the leader)" "$SNAP_MS"
printf "%-52s %s us\n" "fork (Redis latest_fork_usec)" "$FORK_USEC"
read -r base_p99 base_max <<< "$BASE"
read -r dur_p99 dur_max <<< "$DURING"
printf "%-52s p99 %s ms, max %s ms\n" "GET latency, 10 clients, no snapshot (run)" "$base_p99" "$base_max"
printf "%-52s p99 %s ms, max %s ms\n" "GET latency, 10 clients, run spanning a snapshot" "$dur_p99" "$dur_max"
printf "%-52s %s bytes\n" "snapshot size" "$SNAP_SIZE"
printf "%-52s %s bytes (difference %s)\n" "plain Redis RDB of the same keys" "$REF_SIZE" "$((SNAP_SIZE - REF_SIZE))"
printf "%-52s %s ms\n" "new node: JOIN until caught up" "$JOIN_MS"
printf "%-52s %s ms (serving PING after %s ms)\n" "killed follower: restart until caught up" "$RESTART_MS" "$UP_MS"

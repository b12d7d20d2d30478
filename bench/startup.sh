#!/usr/bin/env bash
# Start-up figures: where the time goes from starting redis-server processes to a
# serving 3-node cluster (module load, INIT, first write, each JOIN), a restart of the
# whole cluster until it serves writes again, and plain redis-server start as the
# reference of the same run.   bench/startup.sh   (RUNS=5 by default)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build.sh" > /dev/null

RUNS=${RUNS:-5}
# until_ok <port> <command...>: runs the command until it answers OK (or OK <id>).
until_ok() {
  local port=$1; shift
  for _ in $(seq 3000); do
    redis-cli -c -p "$port" "$@" 2>/dev/null | grep -q "^OK" && return
    sleep 0.01
  done
  echo "no OK from $port for $*" >&2; exit 1
}

# expect_ok <port> <command...>: runs the command once; its reply must start with OK.
expect_ok() {
  local port=$1; shift
  local reply
  reply=$(redis-cli -p "$port" "$@")
  [[ $reply == OK* ]] || { echo "$* on $port answered: $reply" >&2; exit 1; }
}

declare -A total
add() { total[$1]=$(( ${total[$1]:-0} + $2 )); }

for run in $(seq "$RUNS"); do
  base=$((7600 + run * 10))
  t0=$(now_ms)
  start_redis "ref$run" "$base"
  add "plain redis-server: start until PONG" $(( $(now_ms) - t0 ))
  stop_all

  t0=$(now_ms)
  for i in 1 2 3; do
    start_redis "run$run-node$i" $((base + i)) --loadmodule "$MODULE" --raft.addr "127.0.0.1:$((base + i))"
  done
  t1=$(now_ms); add "3 nodes with the module: start until PONG (one after the other)" $((t1 - t0))
  expect_ok $((base + 1)) RAFT.CLUSTER INIT
  t2=$(now_ms); add "RAFT.CLUSTER INIT (returns once this node leads)" $((t2 - t1))
  until_ok $((base + 1)) SET k v
  t3=$(now_ms); add "first SET after INIT" $((t3 - t2))
  expect_ok $((base + 2)) RAFT.CLUSTER JOIN "127.0.0.1:$((base + 1))"
  t4=$(now_ms); add "RAFT.CLUSTER JOIN, second node" $((t4 - t3))
  expect_ok $((base + 3)) RAFT.CLUSTER JOIN "127.0.0.1:$((base + 1))"
  t5=$(now_ms); add "RAFT.CLUSTER JOIN, third node" $((t5 - t4))
  add "total: start to a 3-node cluster" $((t5 - t0))

  for i in 1 2 3; do redis-cli -p $((base + i)) SHUTDOWN NOSAVE > /dev/null 2>&1 || true; done
  for pid in "${PIDS[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; done
  PIDS=()
  t0=$(now_ms)
  for i in 1 2 3; do
    start_redis "run$run-node$i" $((base + i)) --loadmodule "$MODULE" --raft.addr "127.0.0.1:$((base + i))"
  done
  until_ok $((base + 1)) SET k w
  add "restart of all 3 nodes until a write succeeds" $(( $(now_ms) - t0 ))
  stop_all
done

echo "start-up, mean of $RUNS runs (ms):"
for phase in "plain redis-server: start until PONG" \
  "3 nodes with the module: start until PONG (one after the other)" \
  "RAFT.CLUSTER INIT (returns once this node leads)" "first SET after INIT" \
  "RAFT.CLUSTER JOIN, second node" "RAFT.CLUSTER JOIN, third node" \
  "total: start to a 3-node cluster" "restart of all 3 nodes until a write succeeds"; do
  printf '  %-70s %6d\n' "$phase" $(( total[$phase] / RUNS ))
done

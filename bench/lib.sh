# Shared helpers of the benchmark scripts: start/stop a local 3-node cluster on
# 127.0.0.1 (ports BASE+1..BASE+3) in a scratch directory, find its leader.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE="$ROOT/build/out/redisraft.so"
SCRATCH=${SCRATCH:-$(mktemp -d /tmp/redisraft-bench.XXXXXX)}
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

# start_redis <name> <port> [redis-server args...]: starts one server, records its pid.
start_redis() {
  local name=$1 port=$2; shift 2
  mkdir -p "$SCRATCH/$name"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$SCRATCH/$name" --logfile "$SCRATCH/$name/redis.log" \
    --save "" "$@" > /dev/null 2>&1 &
  PIDS+=($!)
  disown $!
  for _ in $(seq 200); do redis-cli -p "$port" PING 2>/dev/null | grep -q PONG && return; sleep 0.05; done
  echo "redis-server $name did not start; log:" >&2; tail -20 "$SCRATCH/$name/redis.log" >&2; exit 1
}

stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
  PIDS=()
}

# start_cluster <base port> [raft args...]: 3 nodes with the module, INIT + JOIN.
CLUSTERS=0
start_cluster() {
  local base=$1; shift
  CLUSTERS=$((CLUSTERS + 1))
  for i in 1 2 3; do
    start_redis "cluster$CLUSTERS-node$i" $((base + i)) --loadmodule "$MODULE" --raft.addr "127.0.0.1:$((base + i))" "$@"
  done
  redis-cli -p $((base + 1)) RAFT.CLUSTER INIT > /dev/null
  redis-cli -p $((base + 2)) RAFT.CLUSTER JOIN "127.0.0.1:$((base + 1))" > /dev/null
  redis-cli -p $((base + 3)) RAFT.CLUSTER JOIN "127.0.0.1:$((base + 1))" > /dev/null
  wait_voters "$base"
}

now_ms() { date +%s%3N; }

# info_value <port> <section> <field>: one INFO field of that server (empty if absent).
info_value() { redis-cli -p "$1" INFO "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }
info_field() { info_value "$1" raft "$2"; }
server_pid() { info_value "$1" server process_id; }

wait_voters() {
  for _ in $(seq 300); do
    [[ $(info_field $(($1 + 1)) raft_num_voting_nodes) == 3 ]] && return
    sleep 0.1
  done
  echo "cluster did not form" >&2; exit 1
}

# leader_port <base port>: the Redis port of the current leader.
leader_port() {
  for _ in $(seq 300); do
    for i in 1 2 3; do
      local p=$(($1 + i))
      [[ $(info_field "$p" raft_role 2>/dev/null) == leader ]] && { echo "$p"; return; }
    done
    sleep 0.1
  done
  echo "no leader" >&2; exit 1
}

# rss_mb <port>: resident memory of the server on that port, in MB.
rss_mb() {
  echo $(( $(ps -o rss= -p "$(server_pid "$1")") / 1024 ))
}

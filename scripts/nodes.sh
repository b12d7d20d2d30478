# Sourced by scripts/cluster.sh and scripts/sharded-cluster.sh: one local node with the
# module, daemonized on 127.0.0.1, its files in one directory. Needs ROOT and REDIS_SERVER.

# start_node <dir> <port> <stop command> [raft args...]: refuses a port already in use.
start_node() {
  local dir=$1 port=$2 stop_hint=$3
  shift 3
  mkdir -p "$dir"
  if redis-cli -p "$port" PING >/dev/null 2>&1; then
    echo "port $port is already in use: run '$stop_hint' first" >&2
    exit 1
  fi
  "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --loadmodule "$ROOT/build/out/redisraft.so" --raft.addr "127.0.0.1:$port" "$@"
}

# await_ping <port>: up to 10 s for the node to answer.
await_ping() {
  for _ in $(seq 100); do redis-cli -p "$1" PING >/dev/null 2>&1 && return; sleep 0.1; done
}

# stop_node <dir> <name>: stops the node whose pid file is in dir, if it runs.
stop_node() {
  local pidfile="$1/redis.pid"
  if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    echo "stopped $2 (pid $(cat "$pidfile"))"
  fi
}

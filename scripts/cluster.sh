#!/usr/bin/env bash
# A local 3-node cluster on 127.0.0.1 (Redis ports 5001-5003, Raft ports 15001-15003).
#   scripts/cluster.sh [start]   build, start the nodes and form the cluster
#   scripts/cluster.sh stop      stop the nodes
#   scripts/cluster.sh status    INFO raft summary of each node
# Data and logs live in ./cluster/node<N>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORTS=(5001 5002 5003)
REDIS_SERVER=${REDIS_SERVER:-redis-server}
source scripts/nodes.sh

status() {
  for p in "${PORTS[@]}"; do
    if redis-cli -p "$p" PING >/dev/null 2>&1; then
      redis-cli -p "$p" INFO raft | tr -d '\r' |
        awk -F: -v p="$p" '/^raft_(node_id|state|role|leader_id|current_term|commit_index)/ {s = s " " substr($1, 6) "=" $2} END {print "127.0.0.1:" p s}'
    else
      echo "127.0.0.1:$p down"
    fi
  done
}

stop() {
  for i in 1 2 3; do stop_node "$ROOT/cluster/node$i" "node$i"; done
}

start() {
  local began=$SECONDS
  scripts/build.sh
  local built=$SECONDS
  for i in 1 2 3; do start_node "$ROOT/cluster/node$i" "${PORTS[$((i - 1))]}" "scripts/cluster.sh stop"; done
  for p in "${PORTS[@]}"; do await_ping "$p"; done
  if [[ $(redis-cli -p "${PORTS[0]}" INFO raft | tr -d '\r' | awk -F: '/^raft_state/ {print $2}') == uninitialized ]]; then
    redis-cli -p "${PORTS[0]}" RAFT.CLUSTER INIT
    redis-cli -p "${PORTS[1]}" RAFT.CLUSTER JOIN "127.0.0.1:${PORTS[0]}"
    redis-cli -p "${PORTS[2]}" RAFT.CLUSTER JOIN "127.0.0.1:${PORTS[0]}"
  else
    echo "nodes already belong to a cluster: they rejoined it"
  fi
  echo -n "waiting for the cluster to serve"
  for _ in $(seq 600); do
    # A read answered (not -CLUSTERDOWN/-MOVED) by some node means a leader is ready.
    for p in "${PORTS[@]}"; do
      [[ $(redis-cli -p "$p" EXISTS cluster-sh-probe 2>/dev/null) =~ ^[0-9]+$ ]] && break 2
    done
    echo -n .; sleep 0.1
  done
  echo
  echo "cluster serving $((SECONDS - began)) s after this command started (build $((built - began)) s, start and formation $((SECONDS - built)) s)"
  status
  echo
  echo "Try: redis-cli -p ${PORTS[0]} SET hello world   (followers answer -MOVED to the leader)"
  echo "Stop with: scripts/cluster.sh stop"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A local sharded cluster on 127.0.0.1: 3 shard groups of 3 nodes, each group a Raft
# cluster serving a third of the 16384 hash slots, linked so that every node answers
# -MOVED for keys of the other groups and CLUSTER SLOTS describes all of them.
#   scripts/sharded-cluster.sh [start]   build, start the 9 nodes, form and link the groups, prove it
#   scripts/sharded-cluster.sh stop      stop the nodes
#   scripts/sharded-cluster.sh status    each node's group, role and leader
# Group g, node n listens on Redis port 5g0n (5101 ... 5303), Raft port 1 + that.
# Data and logs live in ./sharded/g<g>n<n>/. scripts/cluster.sh stays the single-group cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
GROUPS_N=3
NODES_N=3
SLOTS=(0:5460 5461:10922 10923:16383)
# A key in each group's slots ({b} hashes to slot 3300, {c} to 7365, {a} to 15495).
PROBES=("probe{b}" "probe{c}" "probe{a}")
REDIS_SERVER=${REDIS_SERVER:-redis-server}
source scripts/nodes.sh

port() { echo $((5000 + 100 * $1 + $2)); }

status() {
  for g in $(seq $GROUPS_N); do
    for n in $(seq $NODES_N); do
      p=$(port "$g" "$n")
      if redis-cli -p "$p" PING >/dev/null 2>&1; then
        redis-cli -p "$p" INFO raft | tr -d '\r' |
          awk -F: -v p="$p" -v g="$g" '/^raft_(dbid|role|leader_id)/ {s = s " " substr($1, 6) "=" $2} END {print "group " g " 127.0.0.1:" p s}'
      else
        echo "group $g 127.0.0.1:$p down"
      fi
    done
  done
}

stop() {
  for g in $(seq $GROUPS_N); do
    for n in $(seq $NODES_N); do stop_node "$ROOT/sharded/g${g}n${n}" "g${g}n${n}"; done
  done
}

# Waits until some node of group $1 answers a key of its own slots (a ready leader).
await_group() {
  local g=$1 key=$2
  for _ in $(seq 600); do
    for n in $(seq $NODES_N); do
      [[ $(redis-cli -p "$(port "$g" "$n")" EXISTS "$key" 2>/dev/null) =~ ^[0-9]+$ ]] && return 0
    done
    sleep 0.1
  done
  echo "group $g did not start serving" >&2
  exit 1
}

start() {
  local began=$SECONDS
  scripts/build.sh
  local built=$SECONDS
  for g in $(seq $GROUPS_N); do
    for n in $(seq $NODES_N); do
      start_node "$ROOT/sharded/g${g}n${n}" "$(port "$g" "$n")" "scripts/sharded-cluster.sh stop" \
        --raft.sharding yes --raft.slot-config "${SLOTS[$((g - 1))]}"
    done
  done
  for g in $(seq $GROUPS_N); do
    for n in $(seq $NODES_N); do
      await_ping "$(port "$g" "$n")"
    done
  done
  if [[ $(redis-cli -p "$(port 1 1)" INFO raft | tr -d '\r' | awk -F: '/^raft_state/ {print $2}') == uninitialized ]]; then
    for g in $(seq $GROUPS_N); do
      redis-cli -p "$(port "$g" 1)" RAFT.CLUSTER INIT >/dev/null
      for n in $(seq 2 $NODES_N); do
        redis-cli -p "$(port "$g" "$n")" RAFT.CLUSTER JOIN "127.0.0.1:$(port "$g" 1)" >/dev/null
      done
    done
    for g in $(seq $GROUPS_N); do await_group "$g" "${PROBES[$((g - 1))]}"; done
    # Every group learns the others (and then refreshes their nodes on its own).
    for g in $(seq $GROUPS_N); do
      for other in $(seq $GROUPS_N); do
        [[ $g == "$other" ]] && continue
        # A follower answers -MOVED to its group's leader, which redis-cli -c follows.
        reply=$(redis-cli -c -p "$(port "$g" 1)" RAFT.SHARDGROUP LINK "127.0.0.1:$(port "$other" 1)")
        [[ $reply == OK ]] || { echo "linking group $g to group $other failed: $reply" >&2; exit 1; }
      done
    done
  else
    echo "nodes already belong to their groups: they rejoined them"
    for g in $(seq $GROUPS_N); do await_group "$g" "${PROBES[$((g - 1))]}"; done
  fi
  echo "sharded cluster serving $((SECONDS - began)) s after this command started (build $((built - began)) s, start, formation and links $((SECONDS - built)) s)"
  status
  echo
  echo "redis-cli -c follows -MOVED between groups:"
  for key in grape mango lemon; do
    echo "  SET $key (slot $(redis-cli -p "$(port 1 1)" CLUSTER KEYSLOT "$key")) via 127.0.0.1:$(port 1 1): $(redis-cli -c -p "$(port 1 1)" SET "$key" "$key-value")"
  done
  for key in grape mango lemon; do
    echo "  GET $key via 127.0.0.1:$(port 3 2): $(redis-cli -c -p "$(port 3 2)" GET "$key")"
  done
  echo
  echo "A cluster-aware client (redis-benchmark --cluster finds the masters with CLUSTER NODES);"
  echo "the nine JVMs have just started and compile as they go: bench/sharding.sh measures warm figures:"
  redis-benchmark --cluster -p "$(port 2 1)" -t set -n 3000 -c 10 -r 1000 -q 2>&1 | tr '\r' '\n' | grep -E "^(SET|Cluster|Master)" | tail -5 || true
  echo
  echo "Try: redis-cli -c -p $(port 1 1) SET hello world;  redis-cli -p $(port 2 2) CLUSTER SLOTS"
  echo "Stop with: scripts/sharded-cluster.sh stop"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac

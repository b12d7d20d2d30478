#!/usr/bin/env bash
# Class-data sharing archive for the module's JVM: build/out/redisraft.jsa.
#   scripts/cds-archive.sh <out dir> <java home> <default raft.jvm-options>   (run by the build)
#
# The JVM inside each node loads and verifies about 5,000 classes (Ratis, Netty, jnr-ffi,
# the module's own) as a node boots, forms a cluster and takes its first writes. The
# archive holds them parsed and verified, so a node maps them instead. To learn which
# classes, two nodes of the module just built (on free 127.0.0.1 ports, in a scratch
# directory) form a cluster and take a few thousand writes while the JVM lists every class
# it loads; then `java -Xshare:dump` writes the archive for exactly this jar and this JDK.
# redisraft.jsa.key records both (path, mtime, size); the module uses the archive only when
# they still match (native-shim/src/jvm.c), otherwise it boots as without one. Optional: if
# anything here fails, the build goes on without an archive. Trains with $REDIS_SERVER if
# set (as the tests and scripts/cluster.sh do), else the redis-server on PATH.
set -uo pipefail
OUT=$(cd "$1" && pwd)
JAVA_HOME_FOR_ARCHIVE=$2
JVM_OPTIONS=$3
JAR="$OUT/redisraft-java.jar"
MODULE="$OUT/redisraft.so"
ARCHIVE="$OUT/redisraft.jsa"
LIBJVM="$JAVA_HOME_FOR_ARCHIVE/lib/server/libjvm.so"

# key_of <file>: "<real path>:<mtime>:<size>", as the module computes it.
key_of() { local f; f=$(realpath "$1") && echo "$f:$(stat -c '%Y:%s' "$f")"; }
key() { echo "libjvm=$(key_of "$LIBJVM") jar=$(key_of "$JAR")"; }

# up_to_date: the archive was made for this jar and JDK, and after every dependency jar.
up_to_date() {
  [[ -f $ARCHIVE && -f $ARCHIVE.key && $(cat "$ARCHIVE.key") == "$(key)" ]] || return 1
  local f
  for f in "$OUT"/lib/*.jar; do [[ $ARCHIVE -nt $f ]] || return 1; done
}
up_to_date && exit 0
rm -f "$ARCHIVE" "$ARCHIVE.key"
REDIS_SERVER=${REDIS_SERVER:-redis-server}
command -v "$REDIS_SERVER" > /dev/null || { echo "cds-archive: no $REDIS_SERVER, no class-data archive" >&2; exit 0; }

SCRATCH=$(mktemp -d /tmp/redisraft-cds.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2> /dev/null; done
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
give_up() {
  echo "cds-archive: $1; building without a class-data archive" >&2
  for f in "$SCRATCH"/node*/redis.log; do [[ -f $f ]] && tail -5 "$f" >&2; done
  exit 0
}

# free_port [taken]: a port p where neither p nor its Raft port p+10000 listens, below
# Linux's range of outgoing ports (32768 and up), and not the one already taken.
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 2700))
    [[ $p == "${1:-}" ]] && continue
    ss -Hltn "sport = :$p or sport = :$((p + 10000))" 2> /dev/null | grep -q . || { echo "$p"; return; }
  done
  return 1
}

PORTS=()
for i in 1 2; do
  port=$(free_port "${PORTS[0]:-}") || give_up "no free port"
  PORTS+=("$port")
  mkdir -p "$SCRATCH/node$i"
  "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --dir "$SCRATCH/node$i" --logfile "$SCRATCH/node$i/redis.log" \
    --save "" --loadmodule "$MODULE" --raft.addr "127.0.0.1:$port" \
    --raft.java-home "$JAVA_HOME_FOR_ARCHIVE" \
    --raft.jvm-options "$JVM_OPTIONS -XX:DumpLoadedClassList=$SCRATCH/node$i/classes.lst" \
    > /dev/null 2>&1 &
  PIDS+=($!)
done
for port in "${PORTS[@]}"; do
  for _ in $(seq 200); do redis-cli -p "$port" PING 2> /dev/null | grep -q PONG && break; sleep 0.05; done
done
[[ $(redis-cli -p "${PORTS[0]}" RAFT.CLUSTER INIT 2>&1) == OK* ]] || give_up "RAFT.CLUSTER INIT failed"
[[ $(redis-cli -p "${PORTS[1]}" RAFT.CLUSTER JOIN "127.0.0.1:${PORTS[0]}" 2>&1) == OK* ]] || give_up "RAFT.CLUSTER JOIN failed"
for _ in $(seq 200); do
  [[ $(redis-cli -p "${PORTS[0]}" SET cds-probe 1 2> /dev/null) == OK ]] && break
  sleep 0.05
done
redis-benchmark -p "${PORTS[0]}" -t set,get,incr,lpush,lpop,hset,mset -n 3000 -c 20 -r 1000 -q > /dev/null 2>&1 \
  || give_up "the training load failed"
redis-cli -p "${PORTS[0]}" EVAL "return redis.call('SET', KEYS[1], ARGV[1])" 1 cds-script 1 > /dev/null
redis-cli -p "${PORTS[0]}" RAFT.DEBUG COMPACT > /dev/null 2>&1
for port in "${PORTS[@]}"; do redis-cli -p "$port" SHUTDOWN NOSAVE > /dev/null 2>&1; done
for pid in "${PIDS[@]}"; do
  for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
done
PIDS=()   # reaped: their numbers may be reused while the archive is written

# Both nodes' lists, each class once, in the order first loaded. From JDK 18 on, each line
# carries the class's id in the JVM that listed it, which differs between the two nodes:
# the ids go (this module defines no class loader of its own, whose classes need them).
cat "$SCRATCH"/node*/classes.lst 2> /dev/null | sed -E '/ source: /d; s/ id: [0-9]+$//' | awk '!seen[$0]++' \
  > "$SCRATCH/classes.lst"
[[ -s $SCRATCH/classes.lst ]] || give_up "the JVMs listed no class"
"$JAVA_HOME_FOR_ARCHIVE/bin/java" -Xshare:dump -XX:SharedClassListFile="$SCRATCH/classes.lst" \
  -XX:SharedArchiveFile="$ARCHIVE" -cp "$JAR" > "$SCRATCH/dump.log" 2>&1 \
  || { tail -5 "$SCRATCH/dump.log" >&2; rm -f "$ARCHIVE"; give_up "java -Xshare:dump failed"; }
key > "$ARCHIVE.key"
echo "cds-archive: $ARCHIVE ($(wc -l < "$SCRATCH/classes.lst") classes listed)"

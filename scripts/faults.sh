#!/usr/bin/env bash
# The long fault-injection profile: a 5-node cluster on a private network (network
# namespaces: needs root), every workload, faults every few seconds, then checks.
#   scripts/faults.sh [duration] [nemeses] [nodes]
#   scripts/faults.sh 30m all 5
#   scripts/faults.sh 10m kill-leader,pause-majority,partition-halves 3
# Nemeses: kill-random kill-leader kill-majority pause-leader pause-majority pause-leader-fresh-lease
#          partition-leader partition-halves partition-ring membership membership-race (5+ nodes)
#          transfer-timeout cpu-hog compact (or all).
# Prints "faults: N ops ok, N failed, N indeterminate, N faults injected, N anomalies, N unverified
# (seed N)" and exits non-zero on any anomaly or unverified part; SEED=N replays a run's random
# choices. Histories go to module-tests/target/faults/, node logs of a failed run stay in
# module-tests/target/servers/.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-30m}
NEMESES=${2:-all}
NODES=${3:-5}
scripts/build.sh > /dev/null
mvn -B -q -Dredisraft.module="$(pwd)/build/out/redisraft.so" -pl module-tests test \
  -Dtest=LongFaultRunTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfaults.duration="$DURATION" -Dfaults.nemesis="$NEMESES" -Dfaults.nodes="$NODES" ${SEED:+-Dfaults.seed=$SEED}

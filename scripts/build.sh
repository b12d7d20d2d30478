#!/usr/bin/env bash
# Builds the module: build/out/redisraft.so, build/out/redisraft-java.jar and build/out/lib/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prerequisites.sh
# -U: a build directory configured before keeps no stale default of raft.jvm-options.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -UREDISRAFT_DEFAULT_JVM_OPTIONS >/dev/null
cmake --build build -j 2
echo "built: $(pwd)/build/out/redisraft.so"

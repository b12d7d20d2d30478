#!/usr/bin/env bash
# Builds everything and runs every test (unit tests of java-core, then module-tests,
# which start real redis-server processes on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
mvn -B verify -Dredisraft.module="$(pwd)/build/out/redisraft.so" "$@"

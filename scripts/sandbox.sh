#!/usr/bin/env bash
# The README's first command (`npm start`): install what is missing (npm packages and build,
# Java and Debian's ZooKeeper), then run the local sandbox cluster. `npm start -- --check` runs a
# scripted failover and exits; `npm start -- --hadoop` runs the same on real Hadoop NameNodes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --sandbox
# --hadoop: a real HDFS HA cluster from Maven's jars (JDK, Maven and Hadoop installed on demand).
for arg in "$@"; do [ "$arg" = --hadoop ] && { bash scripts/ensure-hadoop.sh >/dev/null || exit $?; }; done
exec node build/tools/cli/sandbox-main.js "$@"

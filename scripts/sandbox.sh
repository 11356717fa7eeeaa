#!/usr/bin/env bash
# The README's first command (`npm start`): install what is missing (npm packages and build,
# Java and Debian's ZooKeeper), then run the local sandbox cluster. `npm start -- --check` runs a
# scripted failover and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --sandbox
exec node build/tools/cli/sandbox-main.js "$@"

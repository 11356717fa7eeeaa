#!/usr/bin/env bash
# `npm run test:hadoop:all`: the long real-Hadoop run. (a) the whole test/hadoop layer three times
# in sequence (each scenario three times), (b) the chaos run on a real QJM cluster with our zkfc on
# both NameNodes and Hadoop's HDFS client writing throughout (tools/bench/hadoop-chaos.ts: 50 random
# faults, no two NameNodes active in any JMX sample, no acknowledged write lost). Hadoop 3.5.0
# unless HADOOP_VERSION says otherwise. Arguments go to the chaos tool (e.g. -- --seed 7 --faults 60).
# Every part runs even when an earlier one failed; prints one line per part and exits 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export HADOOP_VERSION="${HADOOP_VERSION:-3.5.0}"

started=$(date +%s)
bash scripts/ensure-hadoop.sh >/dev/null || exit $?
npm run build --silent || exit 1

results=()
rc=0
for round in 1 2 3; do
  echo "[hadoop:all] test/hadoop on Hadoop $HADOOP_VERSION, round $round of 3"
  t0=$(date +%s)
  if npx vitest run --project hadoop; then outcome=passed; else outcome=FAILED; rc=1; fi
  results+=("test/hadoop round $round: $outcome in $(($(date +%s) - t0)) s")
done

echo "[hadoop:all] chaos on a real cluster (Hadoop $HADOOP_VERSION)"
t0=$(date +%s)
if node build/tools/bench/hadoop-chaos.js --faults 50 "$@"; then outcome=passed; else outcome=FAILED; rc=1; fi
results+=("hadoop-chaos: $outcome in $(($(date +%s) - t0)) s")

echo
for line in "${results[@]}"; do echo "[hadoop:all] $line"; done
echo "[hadoop:all] $([ $rc = 0 ] && echo PASS || echo FAIL) in $(($(date +%s) - started)) s"
exit $rc

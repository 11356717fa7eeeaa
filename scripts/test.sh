#!/usr/bin/env bash
# The README's test command (`npm test`) and what CI runs: install what is missing, type-check
# (including the purity of src/core), then every test layer with vitest. Prints a closing line
# "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh || exit $?
# Real Hadoop for test/hadoop: JDK, Maven and Hadoop's jars in /var/cache/zkfc-hadoop.
bash scripts/ensure-hadoop.sh >/dev/null || exit $?

echo "[test] type-check"
npx tsc -p tsconfig.json --noEmit || exit 1
npx tsc -p src/core/tsconfig.json || exit 1

results=.test-results.json
rm -f "$results"
echo "[test] vitest ${*:-(all projects)}"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
rc=$?
if [ -f "$results" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' "$results"
else
  echo "tests: 0 passed, 1 failed"
fi
exit $rc

#!/usr/bin/env bash
# The README's test command (`npm test`) and what CI runs: install what is missing, check format,
# lint, import rules and types (including the purity of src/core), then every test layer with
# vitest. Prints a closing line "tests: N passed, N failed".
#   scripts/test.sh              the full suite (npm test)
#   scripts/test.sh --fast       the edit loop (npm run test:fast): static checks, unit, sim and the
#                                quick integration tests; no e2e, no real Hadoop, no abuse layer
#   scripts/test.sh -- ARGS      static checks, then `vitest run ARGS` (e.g. one project or file)
set -uo pipefail
cd "$(dirname "$0")/.."

fast=0
if [ "${1:-}" = "--fast" ]; then fast=1; shift; fi
[ "${1:-}" = "--" ] && shift

if [ "$fast" = 1 ]; then
  bash scripts/ensure-deps.sh --sandbox || exit $?
else
  bash scripts/ensure-deps.sh || exit $?
  # Real Hadoop for test/hadoop: JDK, Maven and Hadoop's jars in /var/cache/zkfc-hadoop.
  bash scripts/ensure-hadoop.sh >/dev/null || exit $?
fi

echo "[test] format (prettier --check)"
npx prettier --check --log-level warn . || { echo "[test] run 'npx prettier --write .' to fix the format"; exit 1; }
echo "[test] lint (eslint)"
npx eslint --max-warnings 0 . || exit 1
echo "[test] type-check"
npx tsc -p tsconfig.json --noEmit || exit 1
npx tsc -p src/core/tsconfig.json || exit 1

results=.test-results.json
rm -f "$results"
if [ "$fast" = 1 ]; then
  set -- --project unit --project sim --project integration-fast "$@"
elif [ $# -eq 0 ]; then
  # Every layer once (integration-fast is a subset of integration).
  # shellcheck disable=SC2046
  set -- $(grep -oE "name: '[^']+'" vitest.config.ts | cut -d"'" -f2 | grep -v '^integration-fast$' | sed 's/^/--project /')
fi
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

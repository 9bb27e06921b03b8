#!/usr/bin/env bash
# Runs every test against real servers: the Python tests (llm-bridge, scripts), then the .NET tests (which start
# MariaDB, Redis, anvil, llm-bridge and the services through the AppHost). Ends with one line:
# "N passed, N failed, N skipped" — a crashed, hung or aborted run shows there as failures, never as "0 failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/prereqs.sh" || exit 1
results="$root/.artifacts/test-results"
rm -rf "$results" && mkdir -p "$results"

echo "== contracts (the committed artifacts must match the Solidity source)"
node "$root/scripts/compile-contracts.js" --check
contracts_status=$?

echo "== llm-bridge (python3 -m unittest)"
(cd "$root/llm-bridge" && python3 "$root/scripts/unittest_json.py" "$results/python.json")
py_status=$?
echo "== scripts (python3 -m unittest)"
(cd "$root/scripts" && python3 "$root/scripts/unittest_json.py" "$results/python-scripts.json")
scripts_status=$?

echo "== .NET tests"
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
sln="$root/OpenMcpChain.sln"
dotnet build "$sln" --nologo -v q -clp:ErrorsOnly
dotnet_status=$?
if [ $dotnet_status -eq 0 ]; then
  # Every test that must report, so one that never runs (its test host crashed or was killed) counts as failed.
  dotnet test "$sln" --no-build --nologo --list-tests > "$results/dotnet-tests.txt" 2>&1
  # A hang fails the run instead of eating CI's time: 10 minutes without a test finishing (the slowest takes well
  # under one) and the blame collector dumps the test host and the services it started, then ends it. The outer
  # limit catches a hang outside any test (start-up, shutdown).
  timeout --kill-after=1m 35m dotnet test "$sln" --no-build --nologo --results-directory "$results" \
    --blame-hang-timeout 10m --blame-hang-dump-type mini \
    --logger "trx" --logger "console;verbosity=normal" 2>&1 | grep -vE "^\s+at |^\s*$"
  dotnet_status=${PIPESTATUS[0]}
fi

python3 "$root/scripts/summarize_tests.py" "$results" --python python.json --python python-scripts.json \
  --expected-tests "$results/dotnet-tests.txt" \
  --exit-code contracts=$contracts_status --exit-code llm-bridge=$py_status --exit-code scripts=$scripts_status \
  --exit-code dotnet=$dotnet_status
[ $contracts_status -eq 0 ] && [ $py_status -eq 0 ] && [ $scripts_status -eq 0 ] && [ $dotnet_status -eq 0 ]

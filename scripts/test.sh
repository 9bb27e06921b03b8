#!/usr/bin/env bash
# Runs every test against real servers: llm-bridge's Python tests, then the .NET tests (which start
# MariaDB, Redis, anvil, llm-bridge and the services through the AppHost). Ends with one line:
# "N passed, N failed, N skipped".
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

echo "== .NET tests"
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
dotnet test "$root/OpenMcpChain.sln" --nologo --logger "trx" --results-directory "$results" \
  --logger "console;verbosity=normal" 2>&1 | grep -vE "^\s+at |^\s*$"
dotnet_status=${PIPESTATUS[0]}

python3 "$root/scripts/summarize_tests.py" "$results"
[ $contracts_status -eq 0 ] && [ $py_status -eq 0 ] && [ $dotnet_status -eq 0 ]

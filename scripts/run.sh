#!/usr/bin/env bash
# Runs the whole system: MariaDB, Redis, the anvil devnet (127.0.0.1:8545), llm-bridge and the four
# services under the Aspire AppHost, with its dashboard. The Gateway answers on http://localhost:8080.
# Data (tasks, the transparency log, the devnet's chain) lives in .data/ (or $Data__Directory) and survives restarts.
#   scripts/run.sh --reset   deletes that data first, after saying what it deletes: the only way data goes away.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${Data__Directory:-$root/.data}"
args=()
for arg in "$@"; do
  if [ "$arg" = "--reset" ]; then
    echo "run: --reset deletes every task, log entry, proof and the devnet's chain in $data"
    rm -rf "$data"
  else
    args+=("$arg")
  fi
done
"$root/scripts/prereqs.sh"
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
echo "run: data in $data"
# Release: the AppHost starts each service in its own build configuration, so the system runs optimised builds, as the
# benchmarks measure it (benchmarks/README.md). The tests build and run Debug on their own.
exec dotnet run --project "$root/OpenMcpChain.AppHost" -c Release --launch-profile http -- "${args[@]}"

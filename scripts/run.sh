#!/usr/bin/env bash
# Runs the whole system: MariaDB, Redis, the anvil devnet (127.0.0.1:8545), llm-bridge and the four
# services under the Aspire AppHost, with its dashboard. The Gateway answers on http://localhost:8080.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/prereqs.sh"
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
exec dotnet run --project "$root/OpenMcpChain.AppHost" --launch-profile http "$@"

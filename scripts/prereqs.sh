#!/usr/bin/env bash
# Installs what the system needs on a fresh Debian machine, skipping whatever is already present.
# MariaDB, Redis, Chromium and a Chinese font come from apt; anvil, cast, solc and ethers from npm (into tools/node_modules).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_apt=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need_apt+=(mariadb-server mariadb-client)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# The browser the OAuth sign-in test drives through Playwright (never `playwright install`: it downloads browsers).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# A Chinese font, so the console's Chinese reads in that browser's screenshots (the test artifacts) instead of boxes.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
if ((${#need_apt[@]})); then
  echo "prereqs: installing ${need_apt[*]} from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # The packaged services are not used: the AppHost and tests start their own throw-away servers.
  systemctl disable --now mariadb redis-server >/dev/null 2>&1 || true
  service mariadb stop >/dev/null 2>&1 || true
  service redis-server stop >/dev/null 2>&1 || true
fi

tools="$root/tools"
# Every package of tools/package.json must be present (cast too: the tests check attestations with it).
if [ ! -x "$tools/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil" ] \
  || [ ! -x "$tools/node_modules/@foundry-rs/cast-linux-amd64/bin/cast" ] \
  || [ ! -d "$tools/node_modules/solc" ] \
  || [ ! -f "$tools/node_modules/ethers/dist/ethers.min.js" ]; then
  echo "prereqs: installing anvil, cast, solc and ethers (the web console's) from npm"
  (cd "$tools" && npm install --no-audit --no-fund --loglevel=error --no-package-lock >/dev/null)
fi

command -v python3 >/dev/null 2>&1 || { echo "prereqs: python3 is required" >&2; exit 1; }
command -v dotnet >/dev/null 2>&1 || { echo "prereqs: the .NET SDK (see global.json) is required" >&2; exit 1; }
echo "prereqs: ready"

#!/usr/bin/env bash
# Runs a throw-away MariaDB server for development and tests (the AppHost's "executables" mode).
# Env: MARIADB_PORT (TCP port), MARIADB_ROOT_PASSWORD. The data directory lives only as long as the server.
set -euo pipefail
# MariaDB logs notes to stderr; send them to stdout so the dashboard does not show them as errors.
exec 2>&1
: "${MARIADB_PORT:?MARIADB_PORT is required}"
: "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD is required}"
PATH="$PATH:/usr/sbin:/usr/bin"

base="${TMPDIR:-/tmp}/openmcp-chain"
mkdir -p "$base"
dir="$(mktemp -d "$base/mariadb-XXXXXX")"
cleanup() { rm -rf "$dir"; }
trap cleanup EXIT

mariadb-install-db --no-defaults --user=root --datadir="$dir/data" --skip-test-db \
  --auth-root-authentication-method=normal >"$dir/install.log" 2>&1 \
  || { cat "$dir/install.log" >&2; exit 1; }

# The password reaches the server through an init file readable only by us, never the command line.
umask 077
pw="${MARIADB_ROOT_PASSWORD//\\/\\\\}"; pw="${pw//\'/\\\'}"
cat >"$dir/init.sql" <<SQL
CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';
DROP USER IF EXISTS 'root'@'::1';
DELETE FROM mysql.global_priv WHERE User = 'root' AND Host NOT IN ('localhost', '127.0.0.1');
FLUSH PRIVILEGES;
SQL

mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$dir/mysqld.sock" \
  --port="$MARIADB_PORT" --bind-address=127.0.0.1 --skip-name-resolve --init-file="$dir/init.sql" \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
  --max-connections=500 --innodb-flush-log-at-trx-commit=1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; cleanup' TERM INT
wait $pid

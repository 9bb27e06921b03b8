#!/usr/bin/env bash
# Runs MariaDB for the AppHost's "executables" mode on a data directory that outlives it.
# Env: MARIADB_PORT (TCP port), MARIADB_ROOT_PASSWORD, MARIADB_DATA_DIR (created and initialised on first use, reused after).
set -euo pipefail
# MariaDB logs notes to stderr; send them to stdout so the dashboard does not show them as errors.
exec 2>&1
: "${MARIADB_PORT:?MARIADB_PORT is required}"
: "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD is required}"
: "${MARIADB_DATA_DIR:?MARIADB_DATA_DIR is required}"
PATH="$PATH:/usr/sbin:/usr/bin"

data="$MARIADB_DATA_DIR/data"
if [ ! -d "$data/mysql" ]; then
  # First run: initialise into a scratch directory and move it in place, so a run killed half-way never leaves a
  # half-initialised data directory that later runs would trust.
  rm -rf "$data.init"
  mariadb-install-db --no-defaults --user=root --datadir="$data.init" --skip-test-db \
    --auth-root-authentication-method=normal >"$MARIADB_DATA_DIR/install.log" 2>&1 \
    || { cat "$MARIADB_DATA_DIR/install.log" >&2; exit 1; }
  mv "$data.init" "$data"
  echo "mariadb: initialised $data"
else
  echo "mariadb: reusing $data"
fi

# The socket and the init file live only as long as this server; the password reaches the server through the init
# file (readable only by us), never the command line. It is applied at every start, so the current password is the
# valid one whatever run initialised the data directory.
run="$(mktemp -d "${TMPDIR:-/tmp}/openmcp-mariadb-XXXXXX")"
cleanup() { rm -rf "$run"; }
trap cleanup EXIT
umask 077
pw="${MARIADB_ROOT_PASSWORD//\\/\\\\}"; pw="${pw//\'/\\\'}"
cat >"$run/init.sql" <<SQL
CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';
DROP USER IF EXISTS 'root'@'::1';
DELETE FROM mysql.global_priv WHERE User = 'root' AND Host NOT IN ('localhost', '127.0.0.1');
FLUSH PRIVILEGES;
SQL

mariadbd --no-defaults --user=root --datadir="$data" --socket="$run/mysqld.sock" --pid-file="$run/mysqld.pid" \
  --port="$MARIADB_PORT" --bind-address=127.0.0.1 --skip-name-resolve --init-file="$run/init.sql" \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
  --max-connections=500 --innodb-flush-log-at-trx-commit=1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; cleanup' TERM INT
wait $pid

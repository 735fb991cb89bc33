#!/usr/bin/env bash
# Runs every check and test (typecheck, format, lint, import rules, unit, integration) against a private moto on a free port and a
# fresh PostgreSQL database, both removed afterwards. Installs whatever is missing first.
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
cd "$ROOT"

ensure_node
ensure_ffmpeg
ensure_chromium
ensure_node_modules
ensure_moto_installed

port="$(free_port)"
pidfile="$RUN_DIR/moto-test-$port.pid"
db_name="tvidz_test_$(date +%s)_$$"
# The server to create the test database on: PG_ADMIN_URL, else DATABASE_URL's server, else the local default.
default_admin="postgresql://postgres@127.0.0.1:5432/postgres"
if [ -n "${DATABASE_URL:-}" ]; then default_admin="${DATABASE_URL%/*}/postgres"; fi
export PG_ADMIN_URL="${PG_ADMIN_URL:-$default_admin}"
export TEST_DATABASE_URL="${PG_ADMIN_URL%/*}/$db_name"
export TEST_AWS_ENDPOINT="http://127.0.0.1:$port"
export TEST_MOTO_PORT="$port" TEST_MOTO_BIN="$VENV/bin/moto_server"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1

cleanup() {
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

start_moto "$port" "$pidfile"
ensure_psql
ensure_postgres "$PG_ADMIN_URL"
ensure_database "$TEST_DATABASE_URL"
# TEST_INDEX_PARTITIONS=16: the whole suite on the hash-partitioned index (prisma/sql/partition-frame-index.sql).
if [ -n "${TEST_INDEX_PARTITIONS:-}" ]; then
  log "hash-partitioning frame_index into $TEST_INDEX_PARTITIONS partitions"
  psql "$TEST_DATABASE_URL" -q -v ON_ERROR_STOP=1 -v partitions="$TEST_INDEX_PARTITIONS" -f prisma/sql/partition-frame-index.sql
fi

log "typecheck"
npx tsc -p tsconfig.json --noEmit
bash scripts/lint.sh
log "tests"
npx vitest run "$@"

#!/usr/bin/env bash
# Runs one benchmark (scripts/bench/<name>.ts) against a fresh, migrated database that is
# dropped afterwards, and (for benchmarks through S3/SQS) a private moto on a free port.
# Usage: scripts/bench.sh accuracy|match|analysis|load|memory|backfill|popular
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
cd "$ROOT"
name="$1"; shift
ensure_node
ensure_ffmpeg
ensure_node_modules
export PG_ADMIN_URL="${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
# BENCH_POSTGRES_SETTINGS="shared_buffers=6GB max_wal_size=16GB …": the benchmark on a private
# project-local PostgreSQL started with these settings (the README's operator settings), removed after.
private_pg_port=""
if [ -n "${BENCH_POSTGRES_SETTINGS:-}" ]; then
  private_pg_port="$(free_port)"
  export PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$private_pg_port/postgres"
  POSTGRES_SETTINGS="$BENCH_POSTGRES_SETTINGS" ensure_postgres "$PG_ADMIN_URL"
fi
db="tvidz_bench_${name}_$(date +%s)_$$"
export BENCH_DATABASE_URL="${PG_ADMIN_URL%/*}/$db"
moto_pidfile=""
cleanup() {
  [ -n "$moto_pidfile" ] && [ -f "$moto_pidfile" ] && kill "$(cat "$moto_pidfile")" 2>/dev/null || true
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  if [ -n "$private_pg_port" ]; then
    stop_postgres "$private_pg_port" || true
    rm -rf "$RUN_DIR/postgres/cluster-$private_pg_port"
  fi
}
trap cleanup EXIT
if [ "$name" = load ] || [ "$name" = memory ] || [ "$name" = backfill ] || [ "$name" = popular ]; then
  ensure_moto_installed
  port="$(free_port)"
  moto_pidfile="$RUN_DIR/moto-bench-$port.pid"
  start_moto "$port" "$moto_pidfile"
  export BENCH_AWS_ENDPOINT="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  log "building the service (this benchmark runs dist/src/main.js, as the image does)"
  npm run --silent build
fi
if [ "$name" = accuracy ]; then
  ensure_vpdq_installed
  export VPDQ_PYTHON="$VPDQ_VENV/bin/python"
fi
ensure_database "$BENCH_DATABASE_URL"
# BENCH_INDEX_PARTITIONS=16: the benchmark on the hash-partitioned index (prisma/sql/partition-frame-index.sql).
if [ -n "${BENCH_INDEX_PARTITIONS:-}" ]; then
  psql "$BENCH_DATABASE_URL" -q -v ON_ERROR_STOP=1 -v partitions="$BENCH_INDEX_PARTITIONS" -f prisma/sql/partition-frame-index.sql
fi
node --import tsx "scripts/bench/$name.ts" "$@"

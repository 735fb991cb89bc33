#!/usr/bin/env bash
# Runs one benchmark (scripts/bench/<name>.ts) against a fresh, migrated database that is
# dropped afterwards. Usage: scripts/bench.sh accuracy|match
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
cd "$ROOT"
name="$1"; shift
ensure_ffmpeg
ensure_node_modules
export PG_ADMIN_URL="${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
db="tvidz_bench_${name}_$(date +%s)_$$"
export BENCH_DATABASE_URL="${PG_ADMIN_URL%/*}/$db"
trap 'psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
ensure_database "$BENCH_DATABASE_URL"
npx tsx "scripts/bench/$name.ts" "$@"
